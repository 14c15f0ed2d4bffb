#pragma once
// Crossbar's dynamic ticket authenticator, served by pgwamp (config
// identity.authenticator): the router calls it with (realm, authid,
// details) when a browser signs in with WAMP-Ticket, details.ticket being
// the password. The configured SQL checks it against the users table
// (bcrypt by pgcrypto's crypt(): no user secret in any file) and returns the
// WAMP role. A wrong name and a wrong password get the same refusal, and the
// ticket never reaches a log.
//
// Before any database work: the service's own authid and the other reserved
// names (service/reserved_names.hpp) are refused, and the sign-in limits
// (service/login_throttle.hpp) answer pgwamp.error.too_many_attempts. The
// SQL runs on identity.login's own pool, so a flood of sign-ins never takes
// the connections calls use.

#include <cstdint>
#include <memory>
#include <string>

#include "config/config.hpp"
#include "db/pool.hpp"
#include "service/call_context.hpp"
#include "service/login_throttle.hpp"

namespace pgwamp::service {

struct TicketAuthenticator {
    const config::AuthenticatorConfig& config;
    db::Pool& pool;              // identity.login's pool
    std::string service_authid;  // pgwamp's own
    LoginThrottle throttle;
    // A flood is thousands of refusals a second: one log line per reason per
    // 10 s, with how many were refused since the last one.
    struct Refusals {
        std::uint64_t unlogged = 0;
        LoginThrottle::Clock::time_point logged{};
    };
    Refusals name_locked, peer_limited;
};

void serve_ticket_authenticator(TicketAuthenticator& auth, std::shared_ptr<CallContext> context);

}  // namespace pgwamp::service
