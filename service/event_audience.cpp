#include "service/event_audience.hpp"

namespace pgwamp::service {
std::optional<std::string> restricted_to(const config::EventAudience& audience, const Value& row) {
    if (!audience.restricted() || !row.is<Object>()) return std::nullopt;
    const Object& columns = row.as<Object>();
    if (audience.public_flag) {
        const Value* flag = find_field(columns, *audience.public_flag);
        if (flag && flag->is<bool>() && flag->as<bool>()) return std::nullopt;
    }
    const Value* owner = find_field(columns, *audience.owner);
    if (!owner) return std::nullopt;
    if (owner->is<std::string>() && !owner->as<std::string>().empty()) return owner->as<std::string>();
    if (owner->is<std::int64_t>()) return std::to_string(owner->as<std::int64_t>());
    return std::nullopt;
}

std::optional<std::string> restricted_to(const config::EventAudience& audience, const Value& new_row,
                                         const Value& old_row) {
    return restricted_to(audience, new_row.is<Object>() ? new_row : old_row);
}

std::vector<std::string> eligible_authids(const std::optional<std::string>& owner, const std::string& service_authid) {
    if (!owner) return {};
    if (service_authid.empty() || service_authid == *owner) return {*owner};
    return {*owner, service_authid};
}

bool may_see(const std::optional<std::string>& owner, const std::string& caller_authid) {
    return !owner || (!caller_authid.empty() && *owner == caller_authid);
}

}  // namespace pgwamp::service
