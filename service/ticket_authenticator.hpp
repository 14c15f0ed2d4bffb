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

#include <memory>
#include <string>

#include "config/config.hpp"
#include "db/pool.hpp"
#include "service/call_context.hpp"
#include "service/login_throttle.hpp"
#include "service/refusal_log.hpp"
#include "service/session_peers.hpp"

namespace pgwamp::service {

struct TicketAuthenticator {
    const config::AuthenticatorConfig& config;
    db::Pool& pool;              // identity.login's pool
    std::string service_authid;  // pgwamp's own
    LoginThrottle throttle;
    SessionPeers& session_peers;  // told where each signing-in session came from
    RefusalLog name_locked, peer_limited;
};

void serve_ticket_authenticator(TicketAuthenticator& auth, std::shared_ptr<CallContext> context);

}  // namespace pgwamp::service
