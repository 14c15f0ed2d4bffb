#pragma once
// One incoming call of a procedure we provide, handed to the procedure as a
// cheap shared handle it may copy and keep while it works asynchronously.
//
// - reply()/error() answer the caller. Only the first answer counts; later
//   ones are ignored. Answering after the session is gone is a safe no-op.
// - on_interrupt(): the caller cancelled, its call timed out at the router, or
//   the connection to the router was lost. The handler runs at most once, on
//   the loop, posted. The procedure should stop its work and answer with
//   error("wamp.error.canceled") (ignored if the session is gone). If no
//   handler is set when an INTERRUPT arrives, we answer wamp.error.canceled
//   ourselves so the router is never left waiting.
// - If the answer exceeds the size the router accepts, the caller gets
//   wamp.error.payload_size_exceeded instead; the session stays up.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/value.hpp"

namespace pgwamp::wamp {

namespace detail {
struct InvocationState;
}

class Invocation {
public:
    explicit Invocation(std::shared_ptr<detail::InvocationState> state);

    const Array& args() const;
    const Object& kwargs() const;
    // WAMP request id of this invocation (unique per session; for logs).
    std::uint64_t request_id() const;

    // The caller's own deadline from INVOCATION.Details "timeout", read as
    // milliseconds as the WAMP spec says (Crossbar forwards what the caller
    // sent; its own timer reads the same number as seconds). 0: none.
    std::chrono::milliseconds caller_timeout() const;
    // The caller asked for progressive results (receive_progress).
    bool receive_progress() const;
    // Who called, when the router discloses it; empty (session 0) otherwise.
    std::uint64_t caller_session() const;
    const std::string& caller_authid() const;
    const std::string& caller_authrole() const;

    // One progressive result (YIELD with progress: true); the call stays
    // open until reply() or error(). False when it could not be sent (the
    // call was answered, the session is gone, or the send queue refused it).
    bool progress(Array args, Object kwargs = {});
    // Octets waiting to be written to the router on this session: a
    // producer of progressive results pauses above its high-water mark.
    std::size_t send_backlog() const;
    // The largest message the router accepts from us (0 when not connected).
    std::size_t max_send_size() const;

    void reply(Array args = {}, Object kwargs = {});
    void error(std::string uri, Array args = {}, Object kwargs = {});
    void on_interrupt(std::function<void()> handler);
    // Runs once, inside reply() ("") or error() (the URI), before the answer
    // is sent: how a procedure's outcome is counted without wrapping every
    // procedure's code. Not run for an invocation whose session ended first.
    void on_answer(std::function<void(std::string_view error_uri)> observer);

    bool answered() const;     // reply() or error() was called (or we answered for it)
    bool interrupted() const;  // an INTERRUPT (or connection loss) arrived

private:
    std::shared_ptr<detail::InvocationState> state_;
};

using Procedure = std::function<void(Invocation)>;

}  // namespace pgwamp::wamp
