#include "service/caller_access.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "service/error_mapping.hpp"

namespace pgwamp::service {

CallerAccess::CallerAccess(std::string procedure, std::optional<std::vector<std::string>> roles, bool as_caller,
                           const config::IdentityConfig& identity)
    : procedure_(std::move(procedure)), roles_(std::move(roles)), as_caller_(as_caller), identity_(identity) {}

std::shared_ptr<const db::LocalSettings> CallerAccess::authorize(const wamp::Invocation& call) const {
    if (!needs_identity()) return nullptr;
    const std::string& authrole = call.caller_authrole();
    const std::string& authid = call.caller_authid();
    if (authrole.empty() || authid.empty()) {
        if (!warned_) {
            warned_ = true;
            spdlog::warn("event=caller_not_disclosed procedure={} hint=\"the router must disclose the caller to "
                         "this procedure (Crossbar: disclose: {{caller: true}} in the calling role's permission); "
                         "calls are refused until it does\"",
                         procedure_);
        }
        throw NotAuthorized(procedure_ + " needs to know who calls it, and the router did not say");
    }
    if (roles_ && std::find(roles_->begin(), roles_->end(), authrole) == roles_->end())
        throw NotAuthorized("role '" + authrole + "' may not call " + procedure_);
    if (!as_caller_) return nullptr;
    const auto mapped = identity_.database_roles.find(authrole);
    if (mapped == identity_.database_roles.end())
        throw NotAuthorized("role '" + authrole + "' may not call " + procedure_);
    return caller_settings(mapped->second, authid, authrole);
}

std::shared_ptr<const db::LocalSettings> caller_settings(const std::string& database_role, const std::string& authid,
                                                        const std::string& authrole) {
    try {
        return db::make_local_settings(
            {{"role", database_role}, {"pgwamp.authid", authid}, {"pgwamp.authrole", authrole}});
    } catch (const std::exception&) {
        // Only a NUL byte gets here: not an identity PostgreSQL can hold.
        throw NotAuthorized("the caller's identity cannot be passed to PostgreSQL");
    }
}

}  // namespace pgwamp::service
