#include "service/anonymous_authenticator.hpp"

#include "service/error_mapping.hpp"

namespace pgwamp::service {

void serve_anonymous_authenticator(const config::AnonymousAuthenticatorConfig& config, SessionPeers& peers,
                                   std::shared_ptr<CallContext> context) {
    const Array& args = context->call().args();
    if (args.size() != 3 || !args[2].is<Object>())
        return context->fail(std::make_exception_ptr(InvalidArgument("expected (realm, authid, details)")));
    const Object& details = args[2].as<Object>();
    peers.remember(authenticating_session(details), authenticating_peer(details));
    context->reply(Object{{"role", config.role}});
}

}  // namespace pgwamp::service
