#pragma once
// Crossbar's dynamic ticket authenticator, served by pgwamp (config
// identity.authenticator): the router calls it with (realm, authid,
// details) when a browser signs in with WAMP-Ticket, details.ticket being
// the password. The configured SQL checks it against the users table
// (bcrypt by pgcrypto's crypt(): no user secret in any file) and returns the
// WAMP role. A wrong name and a wrong password get the same refusal, and the
// ticket never reaches a log.

#include <memory>
#include <string>

#include "config/config.hpp"
#include "db/pool.hpp"
#include "service/call_context.hpp"

namespace pgwamp::service {

// `service_authid` (pgwamp's own) and the other reserved names
// (service/reserved_names.hpp) are refused whatever the SQL answers.
void serve_ticket_authenticator(db::Pool& pool, const config::AuthenticatorConfig& authenticator,
                                const std::string& service_authid, std::shared_ptr<CallContext> context);

}  // namespace pgwamp::service
