#pragma once
// RawSocket (TCP or Unix socket) with MessagePack, fully asynchronous.
//
// Written instead of Autobahn|Cpp's rawsocket transport, which writes with a
// blocking asio::write (a slow router stalls our whole event loop), trusts the
// incoming length prefix, and can leave futures pending for ever when the
// socket closes. Here: writes go through a bounded SendQueue, every incoming
// length is checked against what we announced before anything is read, and
// any read/write error or EOF is reported once through the close handler.
//
// rss:// endpoints run the same protocol inside TLS: after the TCP connect a
// TLS handshake (peer and host-name verification, see tls_context.hpp), then
// every read and write goes through the ssl::stream instead of the socket.

#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <vector>

#include "wamp/rawsocket_framing.hpp"
#include "wamp/send_queue.hpp"
#include "wamp/transport.hpp"

namespace pgwamp::wamp {

class RawSocketTransport : public Transport, public std::enable_shared_from_this<RawSocketTransport> {
public:
    RawSocketTransport(boost::asio::io_context& io, Endpoint endpoint, TransportOptions options);

    void connect(std::function<void(std::error_code)> done) override;
    std::error_code send(std::string payload) override;
    void close() override;
    bool is_open() const override { return state_ == State::open; }
    std::size_t max_send_size() const override { return max_send_; }
    std::size_t queued_bytes() const override { return queue_.bytes(); }
    // What we announced in the handshake (options rounded up to a power of two).
    std::uint32_t max_receive_size() const { return max_receive_; }

private:
    enum class State { idle, connecting, open, closed };
    using Socket = boost::asio::generic::stream_protocol::socket;

    void try_tcp(boost::asio::ip::tcp::resolver::results_type results,
                 boost::asio::ip::tcp::resolver::results_type::const_iterator it);
    void tune_liveness();
    void start_tls();
    // Calls f with the stream that carries RawSocket: the TLS stream or the socket.
    template <class F>
    void with_stream(F&& f) {
        if (tls_) f(*tls_);
        else f(socket_);
    }
    void on_connected(std::error_code ec);
    void on_handshake_reply(std::error_code ec);
    void finish_connect(std::error_code ec);
    void read_more();
    void on_read(boost::system::error_code ec, std::size_t n);
    bool dispatch_frames();
    std::error_code enqueue(rawsocket::FrameType type, std::string_view payload);
    void write_next();
    void fail(std::error_code ec);

    boost::asio::io_context& io_;
    Endpoint endpoint_;
    TransportOptions options_;
    Socket socket_;
    // rss:// only; declared after socket_ so it goes first.
    std::shared_ptr<boost::asio::ssl::context> tls_context_;
    std::unique_ptr<boost::asio::ssl::stream<Socket&>> tls_;
    boost::asio::ip::tcp::resolver resolver_;
    boost::asio::steady_timer connect_timer_;
    State state_ = State::idle;
    std::function<void(std::error_code)> connect_done_;
    rawsocket::Bytes4 handshake_{};
    rawsocket::Bytes4 header_{};
    // Incoming octets: [read_begin_, read_end_) is received but not yet
    // dispatched (at most one partial frame once dispatch_frames returned).
    // One read takes whatever has arrived, so a burst of frames costs one
    // recv instead of two per frame (header, then payload).
    std::vector<char> read_buf_;
    std::size_t read_begin_ = 0;
    std::size_t read_end_ = 0;
    std::size_t read_need_ = 0;  // octets the partial frame needs in all (0: header incomplete)
    SendQueue queue_;
    bool writing_ = false;
    std::size_t writing_frames_ = 0;
    std::uint32_t max_receive_;
    std::uint32_t max_send_ = 0;
};

}  // namespace pgwamp::wamp
