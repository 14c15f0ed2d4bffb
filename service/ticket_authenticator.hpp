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
// the connections calls use. Every refusal is answered after its address's
// delay (service/refusal_delay.hpp), so a flood slows itself down.

#include <cstddef>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "config/config.hpp"
#include "db/pool.hpp"
#include "service/call_context.hpp"
#include "service/login_throttle.hpp"
#include "service/refusal_delay.hpp"
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
    boost::asio::any_io_executor executor;  // for the refusals' waits
    RefusalDelay refusal_delay;
    std::size_t max_delayed = 1000;
    // Refusals waiting for their answer; shared with their timers, which may
    // outlive the authenticator at shutdown.
    std::shared_ptr<std::size_t> delayed = std::make_shared<std::size_t>(0);
};

void serve_ticket_authenticator(TicketAuthenticator& auth, std::shared_ptr<CallContext> context);

}  // namespace pgwamp::service
