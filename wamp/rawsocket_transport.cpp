#include "wamp/rawsocket_transport.hpp"

#include <algorithm>

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include "wamp/error.hpp"
#include "wamp/tls_context.hpp"

namespace pgwamp::wamp {

namespace asio = boost::asio;
using boost::system::error_code;

RawSocketTransport::RawSocketTransport(asio::io_context& io, Endpoint endpoint, TransportOptions options)
    : io_(io),
      endpoint_(std::move(endpoint)),
      options_(options),
      socket_(io),
      resolver_(io),
      connect_timer_(io),
      queue_(options.send_queue_bytes),
      max_receive_(rawsocket::length_from_exponent(rawsocket::length_exponent(
          static_cast<std::uint32_t>(std::min<std::size_t>(options.max_message_size, rawsocket::max_max_length))))) {}

void RawSocketTransport::connect(std::function<void(std::error_code)> done) {
    if (state_ != State::idle) {
        asio::post(io_, [done = std::move(done)] { done(Errc::not_connected); });
        return;
    }
    state_ = State::connecting;
    connect_done_ = std::move(done);
    connect_timer_.expires_after(options_.connect_timeout);
    connect_timer_.async_wait([weak = weak_from_this()](error_code ec) {
        auto self = weak.lock();
        if (!ec && self && self->state_ == State::connecting) self->finish_connect(Errc::connect_timeout);
    });
    auto self = shared_from_this();
    if (endpoint_.kind == Endpoint::Kind::unix_socket) {
        asio::local::stream_protocol::endpoint ep(endpoint_.path);
        socket_.async_connect(Socket::endpoint_type(ep), [self](error_code ec) { self->on_connected(ec); });
        return;
    }
    if (endpoint_.kind != Endpoint::Kind::tcp) {
        asio::post(io_, [self] { self->finish_connect(Errc::bad_endpoint); });
        return;
    }
    if (endpoint_.tls) {
        try {
            tls_context_ = make_tls_context(options_.tls);
        } catch (const std::exception& e) {
            spdlog::error("event=router_connect_failed endpoint={} error=\"{}\"", endpoint_.to_string(), e.what());
            asio::post(io_, [self] { self->finish_connect(Errc::bad_endpoint); });
            return;
        }
    }
    resolver_.async_resolve(endpoint_.host, std::to_string(endpoint_.port),
                            [self](error_code ec, asio::ip::tcp::resolver::results_type results) {
                                if (self->state_ != State::connecting) return;
                                if (ec) return self->finish_connect(ec);
                                self->try_tcp(results, results.begin());
                            });
}

// Tries each resolved address in turn ("localhost" may give ::1 first while
// the router listens on 127.0.0.1 only).
void RawSocketTransport::try_tcp(asio::ip::tcp::resolver::results_type results,
                                 asio::ip::tcp::resolver::results_type::const_iterator it) {
    if (it == results.end()) return finish_connect(std::error_code(error_code(asio::error::host_not_found)));
    auto self = shared_from_this();
    error_code ignored;
    socket_.close(ignored);
    socket_.async_connect(Socket::endpoint_type(it->endpoint()), [self, results, it](error_code ec) {
        if (self->state_ != State::connecting) return;
        if (ec && std::next(it) != results.end()) return self->try_tcp(results, std::next(it));
        if (!ec) {
            error_code ignore;
            self->socket_.set_option(asio::ip::tcp::no_delay(true), ignore);
            self->tune_liveness();
            if (self->endpoint_.tls) return self->start_tls();
        }
        self->on_connected(ec);
    });
}

void RawSocketTransport::start_tls() {
    tls_ = std::make_unique<asio::ssl::stream<Socket&>>(socket_, *tls_context_);
    const auto name = tls_expected_name(options_.tls, endpoint_.host);
    if (options_.tls.verify_peer) tls_->set_verify_callback(TlsVerifier(name, endpoint_.to_string()));
    if (!set_sni(tls_->native_handle(), name)) {
        spdlog::error("event=tls_server_name_failed name={} endpoint={}", name, endpoint_.to_string());
        return finish_connect(Errc::bad_endpoint);
    }
    auto self = shared_from_this();
    tls_->async_handshake(asio::ssl::stream_base::client, [self](error_code ec) {
        if (self->state_ != State::connecting) return;
        if (ec) spdlog::warn("event=tls_handshake_failed endpoint={} error=\"{}\"", self->endpoint_.to_string(), ec.message());
        self->on_connected(ec);
    });
}

// A router host that vanishes without closing (power loss, partition) leaves
// a half-open TCP connection that reads never report. Crossbar does not
// answer RawSocket PINGs (it would read our PING header as a length), so the
// kernel has to notice: keepalive probes after 10 s idle, every 5 s, dead
// after 3 misses; and unacknowledged writes give up after 30 s.
void RawSocketTransport::tune_liveness() {
    error_code ignore;
    socket_.set_option(asio::socket_base::keep_alive(true), ignore);
    int fd = socket_.native_handle();
    int idle = 10, interval = 5, count = 3;
    unsigned user_timeout_ms = 30000;
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
    ::setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout_ms, sizeof user_timeout_ms);
}

void RawSocketTransport::on_connected(std::error_code ec) {
    if (state_ != State::connecting) return;
    if (ec) return finish_connect(ec);
    handshake_ = rawsocket::make_handshake(max_receive_);
    auto self = shared_from_this();
    with_stream([&](auto& stream) {
        asio::async_write(stream, asio::buffer(handshake_), [self, &stream](error_code wec, std::size_t) {
            if (self->state_ != State::connecting) return;
            if (wec) return self->finish_connect(wec);
            asio::async_read(stream, asio::buffer(self->header_),
                             [self](error_code rec, std::size_t) { self->on_handshake_reply(rec); });
        });
    });
}

void RawSocketTransport::on_handshake_reply(std::error_code ec) {
    if (state_ != State::connecting) return;
    if (ec) return finish_connect(ec);
    auto reply = rawsocket::parse_handshake_reply(header_);
    if (reply.error) {
        spdlog::warn("event=router_handshake_refused endpoint={} reason=\"{}\"", endpoint_.to_string(),
                     rawsocket::refusal_text(reply.refusal_reason));
        return finish_connect(reply.error);
    }
    max_send_ = reply.max_send_length;
    finish_connect({});
}

void RawSocketTransport::finish_connect(std::error_code ec) {
    connect_timer_.cancel();
    auto done = std::move(connect_done_);
    connect_done_ = nullptr;
    if (ec) {
        state_ = State::closed;
        error_code ignored;
        socket_.close(ignored);
        resolver_.cancel();
    } else {
        state_ = State::open;
        read_more();
    }
    // Always from a fresh handler: we may be inside connect() (bad endpoint).
    if (done) asio::post(io_, [done = std::move(done), ec] { done(ec); });
}

namespace {
// What one read asks for at least; grows to the largest frame seen (bounded
// by max_receive_, checked before growing) and shrinks back when drained.
constexpr std::size_t read_chunk = 64 * 1024;
// Frames per gathered write; asio hands at most 64 buffers to one sendmsg.
constexpr std::size_t max_gather = 64;
}  // namespace

void RawSocketTransport::read_more() {
    if (read_begin_ == read_end_) {
        read_begin_ = read_end_ = 0;
        if (read_buf_.size() != read_chunk) {
            read_buf_.resize(read_chunk);
            read_buf_.shrink_to_fit();
        }
    } else if (read_begin_ > 0) {
        // Only a partial frame is left: move it to the front.
        std::copy(read_buf_.begin() + static_cast<std::ptrdiff_t>(read_begin_),
                  read_buf_.begin() + static_cast<std::ptrdiff_t>(read_end_), read_buf_.begin());
        read_end_ -= read_begin_;
        read_begin_ = 0;
    }
    if (read_buf_.size() < std::max(read_need_, read_end_ + 4)) read_buf_.resize(std::max(read_need_, read_chunk));
    auto self = shared_from_this();
    with_stream([&](auto& stream) {
        stream.async_read_some(asio::buffer(read_buf_.data() + read_end_, read_buf_.size() - read_end_),
                               [self](error_code ec, std::size_t n) { self->on_read(ec, n); });
    });
}

void RawSocketTransport::on_read(error_code ec, std::size_t n) {
    if (state_ != State::open) return;
    // Over TLS a router that just closes the TCP connection reads as stream_truncated.
    if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated)
        return fail(make_error_code(Errc::connection_lost));
    if (ec) return fail(ec);
    read_end_ += n;
    // The handlers may have closed us.
    if (dispatch_frames() && state_ == State::open) read_more();
}

// Hands every complete frame in the buffer to its handler, in order. False
// when we failed or were closed on the way.
bool RawSocketTransport::dispatch_frames() {
    read_need_ = 0;
    while (read_end_ - read_begin_ >= header_.size()) {
        std::copy_n(read_buf_.begin() + static_cast<std::ptrdiff_t>(read_begin_), header_.size(), header_.begin());
        rawsocket::FrameHeader header;
        if (auto err = rawsocket::decode_header(header_, max_receive_, header)) {
            // The length prefix is untrusted: refuse before allocating for it.
            spdlog::warn("event=router_frame_refused endpoint={} octets={} reason=\"{}\" limit={}",
                         endpoint_.to_string(),
                         (std::uint32_t{header_[1]} << 16) | (std::uint32_t{header_[2]} << 8) | header_[3],
                         err.message(), max_receive_);
            fail(err);
            return false;
        }
        std::size_t frame_size = header_.size() + header.length;
        if (read_end_ - read_begin_ < frame_size) {
            read_need_ = frame_size;
            break;
        }
        std::string_view payload(read_buf_.data() + read_begin_ + header_.size(), header.length);
        read_begin_ += frame_size;
        switch (header.type) {
            case rawsocket::FrameType::message:
                if (!deliver(payload)) {
                    fail(Errc::protocol_violation);
                    return false;
                }
                break;
            case rawsocket::FrameType::ping:
                // PONG echoes the PING payload. A full queue only loses the PONG.
                (void)enqueue(rawsocket::FrameType::pong, payload);
                break;
            case rawsocket::FrameType::pong: break;
        }
        if (state_ != State::open) return false;
    }
    return true;
}

std::error_code RawSocketTransport::send(std::string payload) {
    if (state_ != State::open) return Errc::not_connected;
    if (payload.size() > max_send_) return Errc::message_too_large;
    return enqueue(rawsocket::FrameType::message, payload);
}

std::error_code RawSocketTransport::enqueue(rawsocket::FrameType type, std::string_view payload) {
    auto header = rawsocket::encode_header(type, static_cast<std::uint32_t>(payload.size()));
    std::string frame;
    frame.reserve(header.size() + payload.size());
    frame.append(reinterpret_cast<const char*>(header.data()), header.size());
    frame.append(payload);
    if (auto ec = queue_.push(std::move(frame))) return ec;
    if (!writing_) write_next();
    return {};
}

// A frame queued while no write is under way goes out at once (a speculative
// send, before send() returns). The write's completion handler runs only on a
// later turn, so every frame queued meanwhile (the rest of a batch of call
// results, typically) goes out in one gathered write instead of one send each.
void RawSocketTransport::write_next() {
    writing_ = true;
    writing_frames_ = std::min(queue_.size(), max_gather);
    std::vector<asio::const_buffer> buffers;
    buffers.reserve(writing_frames_);
    for (std::size_t i = 0; i < writing_frames_; ++i) buffers.push_back(asio::buffer(queue_.at(i)));
    auto self = shared_from_this();
    with_stream([&](auto& stream) {
        asio::async_write(stream, buffers, [self](error_code ec, std::size_t) {
            self->writing_ = false;
            if (self->state_ != State::open) return;
            if (ec) return self->fail(ec);
            self->queue_.pop(self->writing_frames_);
            // Frames queued while this write was under way go out together now.
            if (!self->queue_.empty()) self->write_next();
        });
    });
}

void RawSocketTransport::fail(std::error_code ec) {
    if (state_ != State::open) return;
    state_ = State::closed;
    error_code ignored;
    socket_.close(ignored);
    // A pending write still points into the first frames; the queue goes with us.
    if (!writing_) queue_.clear();
    report_loss(ec);
}

void RawSocketTransport::close() {
    auto was = state_;
    state_ = State::closed;
    forget_handlers();
    error_code ignored;
    connect_timer_.cancel();
    resolver_.cancel();
    socket_.close(ignored);
    if (!writing_) queue_.clear();
    if (was == State::connecting) {
        auto done = std::move(connect_done_);
        connect_done_ = nullptr;
        if (done) asio::post(io_, [done = std::move(done)] { done(Errc::stopped); });
    }
}

}  // namespace pgwamp::wamp
