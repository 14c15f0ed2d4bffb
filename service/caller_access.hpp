#pragma once
// Who may call a procedure, and whom its SQL runs as. The caller is who the
// router says it is (INVOCATION details caller_authid / caller_authrole,
// disclosed by the router's config), never what the arguments say.
//
//   roles      the WAMP roles allowed; others get wamp.error.not_authorized
//              and no SQL runs
//   as_caller  SET LOCAL ROLE to identity.database_roles[authrole] plus
//              pgwamp.authid / pgwamp.authrole, for row-level security,
//              sent in the statement's own pipeline flush (db/local_settings)
//
// A router that does not disclose the caller to a procedure that needs it:
// not_authorized for each call (never run as the service's own user), and
// one warning in the log.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "db/local_settings.hpp"
#include "wamp/invocation.hpp"

namespace pgwamp::service {

class CallerAccess {
public:
    CallerAccess(std::string procedure, std::optional<std::vector<std::string>> roles, bool as_caller,
                 const config::IdentityConfig& identity);
    static CallerAccess of(const config::ProcedureConfig& p, const config::IdentityConfig& identity) {
        return CallerAccess(p.uri, p.roles, p.as_caller, identity);
    }

    // Needs the router to disclose the caller.
    bool needs_identity() const { return roles_.has_value() || as_caller_; }
    // Throws NotAuthorized. Returns what the call's statements run with
    // (null: as the service's own database user).
    std::shared_ptr<const db::LocalSettings> authorize(const wamp::Invocation& call) const;

private:
    std::string procedure_;
    std::optional<std::vector<std::string>> roles_;
    bool as_caller_;
    const config::IdentityConfig& identity_;
    mutable bool warned_ = false;
};

// The settings a statement runs with as this caller: role, pgwamp.authid,
// pgwamp.authrole (for hand-written procedures that run as the caller).
std::shared_ptr<const db::LocalSettings> caller_settings(const std::string& database_role, const std::string& authid,
                                                        const std::string& authrole);

}  // namespace pgwamp::service
