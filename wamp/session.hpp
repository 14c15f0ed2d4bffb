#pragma once
// One WAMP session over one open transport, from HELLO to the transport's
// end. It does not reconnect: Client makes a new Session on every (re)join.
//
// Replaces Autobahn|Cpp's wamp_session, which (17.5) treats INTERRUPT as a
// fatal protocol error, drops the args/kwargs of call errors, throws out of
// its message handler on any unexpected id, continues futures on new threads
// (WAMP-CRA) and never fails what is pending when the transport goes away.
// Here: INTERRUPT goes to the invocation; a stray id is logged and ignored;
// a payload another client wrote that we cannot read costs that message
// only (answered as wamp.error.invalid_argument, or dropped if an event);
// any other malformed message ends the session with Errc::protocol_violation;
// when the transport ends, every pending call and request fails once, posted.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <msgpack.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "wamp/invocation.hpp"
#include "wamp/transport.hpp"
#include "wamp/types.hpp"

namespace pgwamp::wamp {

class Session;

namespace detail {
struct InvocationState {
    // A procedure that lets go of its last Invocation without answering would
    // leave the caller waiting for ever: answer with an error for it.
    ~InvocationState();
    boost::asio::io_context* io = nullptr;
    std::weak_ptr<Session> session;
    std::uint64_t request_id = 0;
    Array args;
    Object kwargs;
    // From INVOCATION.Details: what the router passes on about the call.
    std::uint64_t timeout = 0;      // the caller's "timeout" (WAMP: milliseconds); 0: none
    bool receive_progress = false;  // the caller accepts progressive results
    std::uint64_t caller = 0;       // the caller's session id; disclosed callers only, 0 otherwise
    std::string caller_authid;      // disclosed callers only (Crossbar role "disclose": {"caller": true})
    std::string caller_authrole;
    bool answered = false;
    bool interrupted = false;
    bool interrupt_fired = false;
    // INTERRUPT with mode "killnowait" (Crossbar's when the caller leaves):
    // the router has answered for us and forgotten the call, and an answer
    // for it now makes Crossbar log an internal error. Nothing more is sent.
    bool router_forgot = false;
    std::function<void()> interrupt_handler;
    // Told once by Invocation::reply ("") or error (the URI): for metrics.
    std::function<void(std::string_view error_uri)> answer_observer;
};
// Posts the interrupt handler once (no-op if already fired).
void post_interrupt(const std::shared_ptr<InvocationState>& state);
}  // namespace detail

struct SessionOptions {
    std::string realm;
    std::string authid;
    std::string authmethod = "anonymous";  // "anonymous" | "ticket" | "wampcra"
    std::string secret;                    // ticket or WAMP-CRA secret; never logged
    // The largest result callers can receive (their transport's limit at the
    // router, which we cannot see); 0: only our own transport's limit.
    std::size_t max_result_size = 0;
};

class Session : public std::enable_shared_from_this<Session> {
public:
    // joined: ({}, "") on WELCOME, or (error, reason URI) when the join failed.
    using JoinHandler = std::function<void(std::error_code, std::string)>;
    // After a successful join, the one report that the session ended (not
    // called after abort() or a completed leave()).
    using ClosedHandler = std::function<void(std::error_code)>;

    Session(boost::asio::io_context& io, std::shared_ptr<Transport> transport, SessionOptions options);
    ~Session();

    // The transport must be open. Sends HELLO and answers CHALLENGE.
    void join(JoinHandler on_joined, ClosedHandler on_closed);
    bool is_joined() const { return state_ == State::joined; }
    // Procedures the router confirmed (REGISTERED) on this session.
    std::size_t registered_count() const { return registrations_.size(); }

    void register_procedure(const std::string& uri, const RegisterOptions& options, Procedure procedure,
                            DoneHandler done);
    // Stops serving `uri` (UNREGISTER; one still being registered is
    // unregistered once the router confirms it). Invocations already running finish.
    void unregister_procedure(const std::string& uri);
    void subscribe(const std::string& topic, EventHandler handler, DoneHandler done);
    // Returns the request id (0 when it could not be sent; the handler then fails, posted).
    std::uint64_t call(const std::string& uri, const Array& args, const Object& kwargs, const CallOptions& options,
                       CallHandler handler);
    // CANCEL a call still pending ("skip", "kill" or "killnowait"); its
    // handler gets the router's answer. False when it is not pending.
    bool cancel(std::uint64_t request, const std::string& mode);
    // Fire and forget (no acknowledge): the error says only whether it was sent.
    std::error_code publish(const std::string& topic, const Array& args, const Object& kwargs,
                            const PublishOptions& audience = {});
    // Acknowledged: done(nullptr) on PUBLISHED, a CallError with the router's
    // URI on ERROR, or the local reason when the session ends first (posted).
    void publish_acknowledged(const std::string& topic, const Array& args, const Object& kwargs,
                              const PublishOptions& audience, DoneHandler done);

    // GOODBYE, wait (bounded) for the router's GOODBYE, close. done is posted.
    void leave(std::function<void()> done);
    // Close now; pending calls fail with `reason`, no closed handler.
    void abort(std::error_code reason);

    // Used by Invocation.
    void answer(detail::InvocationState& state, std::string message);
    // A progressive YIELD: the invocation stays open. False when not sent.
    bool send_progress(detail::InvocationState& state, std::string message);
    std::size_t queued_bytes() const;
    std::size_t max_send_size() const;
    void fire_interrupt(const std::shared_ptr<detail::InvocationState>& state);
    boost::asio::io_context& io() { return io_; }

private:
    enum class State { idle, joining, joined, leaving, closed };
    struct PendingRegister {
        std::string uri;
        Procedure procedure;
        DoneHandler done;
    };
    struct PendingSubscribe {
        EventHandler handler;
        DoneHandler done;
    };

    void on_message(std::string_view payload);
    void dispatch(const msgpack::object_array& m);
    void on_challenge(const msgpack::object_array& m);
    void on_welcome();
    void on_abort(const msgpack::object_array& m);
    void on_goodbye();
    void on_error(const msgpack::object_array& m);
    void on_result(const msgpack::object_array& m);
    void on_registered(const msgpack::object_array& m);
    void on_subscribed(const msgpack::object_array& m);
    void on_published(const msgpack::object_array& m);
    void on_event(const msgpack::object_array& m);
    void on_invocation(const msgpack::object_array& m);
    void on_interrupt(const msgpack::object_array& m);
    // A message whose payload could not be read: `m` holds the fields before it.
    void on_unreadable(const msgpack::object_array& m, const std::string& why);
    // A pending call fails with invalid_argument: its RESULT or ERROR could not be read.
    void fail_call(std::uint64_t request, std::string why);
    // Rate-limited: any visitor can send these.
    void warn_unreadable(const std::string& what);
    void on_transport_closed(std::error_code ec);
    void shut(std::error_code reason, bool report);
    std::uint64_t next_id();

    boost::asio::io_context& io_;
    std::shared_ptr<Transport> transport_;
    SessionOptions options_;
    State state_ = State::idle;
    std::uint64_t last_id_ = 0;
    JoinHandler on_joined_;
    ClosedHandler on_closed_;
    std::function<void()> leave_done_;
    boost::asio::steady_timer leave_timer_;

    std::unordered_map<std::uint64_t, CallHandler> calls_;
    std::unordered_map<std::uint64_t, std::function<void(Array, Object)>> progress_;  // calls that asked for it
    std::unordered_map<std::uint64_t, PendingRegister> registering_;
    std::unordered_map<std::uint64_t, PendingSubscribe> subscribing_;
    std::unordered_map<std::uint64_t, DoneHandler> publishing_;
    std::unordered_map<std::uint64_t, Procedure> procedures_;
    std::unordered_map<std::string, std::uint64_t> registrations_;  // uri -> registration id
    std::unordered_map<std::uint64_t, std::vector<EventHandler>> subscriptions_;
    std::unordered_map<std::uint64_t, std::weak_ptr<detail::InvocationState>> invocations_;
    // warn_unreadable(): messages not yet told of, and when the last warning was.
    std::uint64_t unreadable_unwarned_ = 0;
    std::chrono::steady_clock::time_point unreadable_warned_{};
};

}  // namespace pgwamp::wamp
