#pragma once
// The WAMP client pgwamp uses: joins a realm on a Crossbar router and stays
// joined until stop(), across router restarts and network loss.
//
// Threading: everything runs on the one io_context the Client is given. Call
// every method from that io_context's thread (or before it runs). Every
// handler is called there, never inside the call that started the operation.
//
// Reconnection: when the transport is lost (read/write error, EOF, router
// GOODBYE, malformed input) or a connect/join attempt fails, the client tries
// again on pgwamp's one reconnect schedule (common/reconnector.hpp: first
// retry at once, then a jittered exponential backoff, by default 100 ms
// doubling to 10 s) until stop(), or until backoff.max_attempts retries in a
// row have failed (0, the default: never; then the state becomes `stopped`
// and the client stays down). On every join it
// registers every provide()d procedure and subscribes every subscribe()d
// topic again; the state becomes `joined` once all of them are answered.
//
// While not joined:
// - call() fails at once (posted) with CallError error_uri::unavailable;
//   calls pending when the connection drops fail with
//   error_uri::connection_lost.
// - publish() drops the event and counts it (dropped_publications()): a
//   NOTIFY republished seconds late is usually worse than none, and a bounded
//   queue would only move the question. Publishes refused by a full send queue
//   or for size are dropped and counted too.
// - Invocations running when the connection drops get their interrupt handler
//   called; their answers go nowhere (the router already failed the caller).

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/backoff.hpp"
#include "wamp/endpoint.hpp"
#include "wamp/error.hpp"
#include "wamp/invocation.hpp"
#include "wamp/tls_options.hpp"
#include "wamp/types.hpp"

namespace pgwamp::wamp {

struct ClientOptions {
    Endpoint endpoint;
    std::string realm = "realm1";
    std::string authid;                    // required for ticket and wampcra
    std::string authmethod = "anonymous";  // "anonymous" | "ticket" | "wampcra"
    std::string secret;                    // ticket or WAMP-CRA secret: never logged
    BackoffOptions backoff;
    // Octets allowed to wait for the socket; past this, calls fail with
    // error_uri::overloaded and publishes are dropped.
    std::size_t send_queue_bytes = 16u << 20;
    // Largest message we accept (RawSocket rounds up to a power of two). The
    // router's own limit applies to what we send: bigger calls fail with
    // wamp.error.payload_size_exceeded without sending anything.
    std::size_t max_message_size = 16u << 20;
    // What callers can receive through the router (0: no limit of ours):
    // a bigger result is answered with error_uri::result_too_large, which
    // says so and suggests progressive results; progressive chunks stay under it.
    std::size_t max_result_size = 0;
    std::chrono::milliseconds connect_timeout{10000};  // TCP/Unix connect + TLS + transport handshake
    std::chrono::milliseconds join_timeout{10000};     // HELLO .. WELCOME
    // For rss:// and wss:// endpoints. A certificate that does not verify
    // fails the attempt with a logged reason; the client retries on its
    // schedule, logging each failure (a fixed trust store lets it join).
    TlsOptions tls;
};

enum class ClientState {
    connecting,  // an attempt to connect and join is under way (or waiting to retry)
    joined,      // joined, and every registration/subscription restored
    lost,        // the joined session just ended; a reconnect follows
    stopped,     // before start() and after stop()
};
const char* to_string(ClientState state);

class Client {
public:
    Client(boost::asio::io_context& io, ClientOptions options);
    // Closes at once without GOODBYE; no handler of this client runs afterwards
    // except pending call handlers, which fail (posted). Prefer stop().
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // Remembered; (re)registered on every join. A registration the router
    // refuses (e.g. not authorized) is logged and does not keep the client
    // from `joined`. On a rejoin, "procedure already exists" (the router still
    // holds our previous session) is retried every 2 s, up to 30 times.
    void provide(std::string uri, Procedure procedure, RegisterOptions options = {});
    // Stops providing `uri` (now and on later joins). For procedures only one
    // process can answer at a time, registered while it can (the replay of
    // row changes: by the slot's consumer).
    void withdraw(const std::string& uri);
    bool provides(const std::string& uri) const;
    // The authid this client asks the router for (empty: anonymous).
    const std::string& authid() const;
    // Remembered; subscribed again on every join.
    void subscribe(std::string topic, EventHandler handler);
    void publish(std::string topic, Array args, Object kwargs = {});
    // With options.acknowledge, done runs once: nullptr when the router
    // answered PUBLISHED, else a CallError (the router's ERROR URI, or
    // error_uri::unavailable when not joined, connection_lost when the
    // session ended first). Nothing is dropped silently: the caller decides.
    void publish(std::string topic, Array args, Object kwargs, PublishOptions options, DoneHandler done);
    CallId call(std::string uri, Array args, Object kwargs, CallHandler handler);
    CallId call(std::string uri, Array args, Object kwargs, CallOptions options, CallHandler handler);
    // Asks the router to cancel a pending call (mode "skip", "kill" or
    // "killnowait"); the call's handler gets the outcome. False when the
    // call is no longer pending on the current session.
    bool cancel(const CallId& call, const std::string& mode = "kill");
    void on_state(std::function<void(ClientState)> handler);

    void start();
    // Leaves (GOODBYE, bounded wait), closes; pending calls fail with
    // wamp.error.canceled. done is posted once stopped.
    void stop(std::function<void()> done);

    ClientState state() const;
    // Procedures provided (remembered), and how many of them the router has
    // confirmed on the current session: equal once every one is registered.
    std::size_t provided_count() const;
    std::size_t registered_count() const;
    std::uint64_t dropped_publications() const;
    // The router's limit for one message from us (0 while not connected).
    std::size_t max_send_size() const;

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace pgwamp::wamp
