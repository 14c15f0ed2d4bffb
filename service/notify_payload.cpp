#include "service/notify_payload.hpp"

#include "pg/error.hpp"
#include "pg/value_json.hpp"
#include "service/error_mapping.hpp"

namespace pgwamp::service {

// A JSON payload says who sent it, and the router says who called: the
// caller's authid replaces whatever the payload claims, in the audience's
// owner field (or "sent_by" on a channel without one). Nobody can publish in
// another's name, and a channel with an audience needs to know the caller.
Object signed_notify_payload(const config::NotificationConfig& route, const Value& payload,
                             const std::string& caller_authid) {
    Value parsed = payload;
    if (payload.is<std::string>()) {
        try {
            parsed = db::parse_json(payload.as<std::string>());
        } catch (const db::Error&) {
            throw InvalidArgument("payload must be a JSON object on this channel");
        }
    }
    if (!parsed.is<Object>()) throw InvalidArgument("payload must be a JSON object on this channel");
    const std::string stamp = route.audience.restricted() ? *route.audience.owner : std::string("sent_by");
    if (caller_authid.empty() && route.audience.restricted())
        throw NotAuthorized("notify on a channel with an audience needs the caller's authid (the router must "
                            "disclose the caller to this procedure)");
    Object out;
    for (auto& [key, value] : parsed.as<Object>())
        if (key != stamp) out.emplace_back(key, value);
    if (!caller_authid.empty()) out.emplace_back(stamp, caller_authid);
    return out;
}

}  // namespace pgwamp::service
