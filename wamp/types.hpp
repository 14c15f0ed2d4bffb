#pragma once
// Plain types of the public WAMP API (see client.hpp).

#include <chrono>
#include <exception>
#include <functional>
#include <string>
#include <vector>

#include "common/value.hpp"

namespace pgwamp::wamp {

struct RegisterOptions {
    // "single" (default: a second registration of the URI fails), or a shared
    // registration policy: "roundrobin", "random", "first", "last". Every
    // pgwamp process providing the URI must use the same policy.
    std::string invoke = "single";
};

struct CallOptions {
    // Asks the router to cancel the call after this long (WAMP call_timeout);
    // the caller then gets wamp.error.canceled and the callee an INTERRUPT.
    // Zero: no timeout. The WAMP spec says milliseconds, but Crossbar 26.10
    // hands the value to a timer that counts seconds (measured: timeout 3
    // cancels after ~2.3 s, its timers fire in whole-second buckets). We send
    // the number as given; pass seconds when the router is Crossbar.
    std::uint64_t timeout = 0;
    // Set: the call asks for progressive results (receive_progress), and each
    // one arrives here before the final result reaches the CallHandler.
    std::function<void(Array, Object)> on_progress;
};

// A call in flight, for Client::cancel. Stale once its session is gone.
struct CallId {
    std::uint64_t session = 0;  // the client's join generation
    std::uint64_t request = 0;  // 0: the call was not sent
};

struct PublishOptions {
    // Ask the router to answer PUBLISHED (or ERROR): the completion then says
    // the router took the event, which is what lets a source (the replication
    // slot) move past it. Without it, publishing is fire and forget.
    bool acknowledge = false;
    // Only sessions whose authid is one of these receive the event (the
    // router filters: one publish whatever the number of subscribers).
    // Empty: everyone the router lets subscribe.
    std::vector<std::string> eligible_authid;
    // Sessions whose authid is one of these do not receive it, whatever
    // eligible_authid says (a row that stopped being theirs to share).
    std::vector<std::string> exclude_authid;
};

struct Event {
    Array args;
    Object kwargs;
};

using EventHandler = std::function<void(const Event&)>;
// Success: (nullptr, args, kwargs). Failure: a CallError (wamp/error.hpp) in
// the exception_ptr, args/kwargs empty.
using CallHandler = std::function<void(std::exception_ptr, Array, Object)>;
// Completion of REGISTER/SUBSCRIBE: nullptr or a CallError with the router's URI.
using DoneHandler = std::function<void(std::exception_ptr)>;

}  // namespace pgwamp::wamp
