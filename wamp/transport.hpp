#pragma once
// A message transport to the router: connects, carries whole MessagePack
// WAMP messages both ways, and reports its loss exactly once.
//
// Rules every implementation keeps (the session relies on them):
// - All methods are called on the io_context's thread; every callback runs there.
// - connect()'s completion is posted, never run inside connect().
// - send() only queues: it never blocks and never calls back. It refuses,
//   with an error and without side effects, a message larger than the peer
//   accepts (Errc::message_too_large), a message that would overflow the
//   bounded send queue (Errc::send_queue_full), or any message while not open.
// - After an open transport fails (read/write error, peer closed, oversize or
//   malformed frame), the close handler is called once with the reason.
// - After close(), no handler is called any more.

#include <cstddef>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include "wamp/endpoint.hpp"
#include "wamp/tls_options.hpp"

namespace boost::asio {
class io_context;
}

namespace pgwamp::wamp {

struct TransportOptions {
    // Largest message we accept. RawSocket rounds it up to a power of two
    // (512 octets .. 16 MiB) because that is all its handshake can say.
    std::size_t max_message_size = 16u << 20;
    // Bound on octets waiting to be written (see SendQueue).
    std::size_t send_queue_bytes = 16u << 20;
    // Connect plus transport handshake.
    std::chrono::milliseconds connect_timeout{10000};
    // Used when the endpoint asks for TLS.
    TlsOptions tls;
};

class Transport {
public:
    using MessageHandler = std::function<void(std::string_view payload)>;
    using CloseHandler = std::function<void(std::error_code reason)>;

    virtual ~Transport() = default;

    void set_handlers(MessageHandler on_message, CloseHandler on_close) {
        on_message_ = std::move(on_message);
        on_close_ = std::move(on_close);
    }

    virtual void connect(std::function<void(std::error_code)> done) = 0;
    virtual std::error_code send(std::string payload) = 0;
    virtual void close() = 0;
    virtual bool is_open() const = 0;
    // Largest message the peer accepts from us (0 before the transport is open).
    virtual std::size_t max_send_size() const = 0;
    // Octets queued but not yet written (for tests and metrics).
    virtual std::size_t queued_bytes() const = 0;

protected:
    // What both transports do with a message and with their end (C++17:
    // websocket_transport.cpp includes this).
    // Hands one message to the session's handler (a copy: the handler may
    // close us, which resets on_message_ while it runs). False when it threw:
    // the caller then fails the transport with Errc::protocol_violation.
    bool deliver(std::string_view payload);
    // After close(): no handler is called any more.
    void forget_handlers();
    // An open transport ended: the close handler hears why, once.
    void report_loss(std::error_code reason);

    MessageHandler on_message_;
    CloseHandler on_close_;
};

// Builds the transport the endpoint asks for.
std::shared_ptr<Transport> make_transport(boost::asio::io_context& io, const Endpoint& endpoint,
                                          const TransportOptions& options);

}  // namespace pgwamp::wamp
