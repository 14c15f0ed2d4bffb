#pragma once
// Crossbar's dynamic anonymous authenticator, served by pgwamp (config
// identity.anonymous_authenticator): the router calls it with (realm, authid,
// details) for every anonymous visitor. It admits each with the configured
// role and remembers the address the session came from, which is how a
// sign-up (a procedure declared "pool": "login") is limited per address:
// procedures only learn the caller's session id. No database work.

#include <memory>

#include "config/config.hpp"
#include "service/call_context.hpp"
#include "service/session_peers.hpp"

namespace pgwamp::service {

void serve_anonymous_authenticator(const config::AnonymousAuthenticatorConfig& config, SessionPeers& peers,
                                   std::shared_ptr<CallContext> context);

}  // namespace pgwamp::service
