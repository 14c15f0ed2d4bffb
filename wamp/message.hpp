#pragma once
// WAMP messages a client sends, encoded as MessagePack arrays, and the codes
// of those it receives. Layouts follow the WAMP spec; each encoder shows its own.

#include <cstdint>
#include <string>
#include <vector>

#include "common/value.hpp"

namespace pgwamp::wamp::message {

enum Code : std::uint64_t {
    hello = 1,
    welcome = 2,
    abort = 3,
    challenge = 4,
    authenticate = 5,
    goodbye = 6,
    error = 8,
    publish = 16,
    published = 17,
    subscribe = 32,
    subscribed = 33,
    unsubscribe = 34,
    unsubscribed = 35,
    event = 36,
    call = 48,
    cancel = 49,
    result = 50,
    register_ = 64,
    registered = 65,
    unregister = 66,
    unregistered = 67,
    invocation = 68,
    interrupt = 69,
    yield = 70,
};

// [HELLO, Realm|uri, Details|dict]; announces call_canceling for caller and
// callee, without which Crossbar never sends INTERRUPT (or the caller's
// cancel/timeout ERROR).
std::string encode_hello(const std::string& realm, const std::string& authid,
                         const std::vector<std::string>& authmethods);
// [AUTHENTICATE, Signature|string, Extra|dict]
std::string encode_authenticate(const std::string& signature);
// [GOODBYE, Details|dict, Reason|uri]
std::string encode_goodbye(const std::string& reason);
// [CALL, Request|id, Options|dict, Procedure|uri, Arguments|list, ArgumentsKw|dict]
std::string encode_call(std::uint64_t request, const std::string& procedure, const Array& args,
                        const Object& kwargs, std::uint64_t timeout_ms, bool receive_progress = false);
// [CANCEL, CALL.Request|id, Options|dict]
std::string encode_cancel(std::uint64_t request, const std::string& mode);
// [REGISTER, Request|id, Options|dict, Procedure|uri]
std::string encode_register(std::uint64_t request, const std::string& procedure, const std::string& invoke);
// [UNREGISTER, Request|id, REGISTERED.Registration|id]
std::string encode_unregister(std::uint64_t request, std::uint64_t registration);
// [SUBSCRIBE, Request|id, Options|dict, Topic|uri]
std::string encode_subscribe(std::uint64_t request, const std::string& topic);
// [PUBLISH, Request|id, Options|dict, Topic|uri, Arguments|list, ArgumentsKw|dict]
// eligible_authid: only sessions with one of these authids receive it (empty: no restriction);
// exclude_authid: sessions with one of these authids do not (empty: none excluded).
std::string encode_publish(std::uint64_t request, const std::string& topic, const Array& args,
                           const Object& kwargs, bool acknowledge = false,
                           const std::vector<std::string>& eligible_authid = {},
                           const std::vector<std::string>& exclude_authid = {});
// [YIELD, INVOCATION.Request|id, Options|dict, Arguments|list, ArgumentsKw|dict]
std::string encode_yield(std::uint64_t request, const Array& args, const Object& kwargs, bool progress = false);
// [ERROR, INVOCATION, INVOCATION.Request|id, Details|dict, Error|uri, Arguments|list, ArgumentsKw|dict]
std::string encode_invocation_error(std::uint64_t request, const std::string& uri, const Array& args,
                                    const Object& kwargs);

}  // namespace pgwamp::wamp::message
