// Built as C++17 (see websocket_transport.hpp): include nothing that needs C++20.
#include "wamp/websocket_transport.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>
#include <websocketpp/client.hpp>
#include <websocketpp/config/asio_client.hpp>
#include <websocketpp/config/asio_no_tls_client.hpp>

#include "wamp/errc.hpp"
#include "wamp/tls_context.hpp"

namespace pgwamp::wamp {

namespace asio = boost::asio;

namespace {
constexpr const char* subprotocol = "wamp.2.msgpack";
}


// One class for ws:// and wss://: websocketpp picks plain TCP or TLS by its
// config type (asio_client or asio_tls_client).
template <class Config>
class WebSocketTransport : public Transport, public std::enable_shared_from_this<WebSocketTransport<Config>> {
public:
    WebSocketTransport(boost::asio::io_context& io, Endpoint endpoint, TransportOptions options);
    ~WebSocketTransport() override;

    void connect(std::function<void(std::error_code)> done) override;
    std::error_code send(std::string payload) override;
    void close() override;
    bool is_open() const override { return state_ == State::open; }
    std::size_t max_send_size() const override { return state_ == State::open ? options_.max_message_size : 0; }
    std::size_t queued_bytes() const override;

private:
    enum class State { idle, connecting, open, closed };
    using WsClient = websocketpp::client<Config>;
    static constexpr bool tls = std::is_same_v<Config, websocketpp::config::asio_tls_client>;
    using std::enable_shared_from_this<WebSocketTransport<Config>>::shared_from_this;

    bool set_up_tls();

    void finish_connect(std::error_code ec);
    void fail(std::error_code ec);

    boost::asio::io_context& io_;
    Endpoint endpoint_;
    TransportOptions options_;
    WsClient client_;
    typename WsClient::connection_ptr connection_;
    std::shared_ptr<boost::asio::ssl::context> tls_context_;
    boost::asio::steady_timer connect_timer_;
    State state_ = State::idle;
    std::function<void(std::error_code)> connect_done_;
};


template <class Config>
WebSocketTransport<Config>::WebSocketTransport(asio::io_context& io, Endpoint endpoint, TransportOptions options)
    : io_(io), endpoint_(std::move(endpoint)), options_(options), connect_timer_(io) {
    // websocketpp logs to stdout by default; our logs go through spdlog.
    client_.clear_access_channels(websocketpp::log::alevel::all);
    client_.clear_error_channels(websocketpp::log::elevel::all);
    client_.init_asio(&io_);
}

template <class Config>
WebSocketTransport<Config>::~WebSocketTransport() {
    state_ = State::closed;
    if (connection_) {
        websocketpp::lib::error_code ignored;
        connection_->terminate(ignored);
    }
}

template <class Config>
void WebSocketTransport<Config>::connect(std::function<void(std::error_code)> done) {
    if (state_ != State::idle) {
        asio::post(io_, [done = std::move(done)] { done(Errc::not_connected); });
        return;
    }
    state_ = State::connecting;
    connect_done_ = std::move(done);
    if (!set_up_tls()) {
        auto self = shared_from_this();
        asio::post(io_, [self] { self->finish_connect(Errc::bad_endpoint); });
        return;
    }
    websocketpp::lib::error_code ec;
    connection_ = client_.get_connection(endpoint_.url, ec);
    if (ec) {
        spdlog::error("event=router_url_invalid url={} error=\"{}\"", endpoint_.url, ec.message());
        auto self = shared_from_this();
        asio::post(io_, [self] { self->finish_connect(Errc::bad_endpoint); });
        return;
    }
    connection_->add_subprotocol(subprotocol);
    connection_->set_max_message_size(options_.max_message_size);
    std::weak_ptr<WebSocketTransport> weak = shared_from_this();
    connection_->set_open_handler([weak](websocketpp::connection_hdl) {
        auto self = weak.lock();
        if (!self || self->state_ != State::connecting) return;
        // websocketpp 0.8's client never fills get_subprotocol(): read the header.
        auto chosen = self->connection_->get_response_header("Sec-WebSocket-Protocol");
        if (chosen != subprotocol) {
            spdlog::warn("event=router_handshake_refused url={} subprotocol={} got=\"{}\"", self->endpoint_.url,
                         subprotocol, chosen);
            return self->finish_connect(Errc::handshake_failed);
        }
        self->finish_connect({});
    });
    connection_->set_fail_handler([weak](websocketpp::connection_hdl) {
        auto self = weak.lock();
        if (!self || self->state_ != State::connecting) return;
        auto fec = self->connection_->get_ec();
        spdlog::warn("event=router_connect_failed url={} error=\"{}\" http_status={}", self->endpoint_.url, fec.message(),
                     static_cast<int>(self->connection_->get_response_code()));
        self->finish_connect(fec ? std::error_code(fec.value(), std::generic_category())
                                : make_error_code(Errc::handshake_failed));
    });
    connection_->set_close_handler([weak](websocketpp::connection_hdl) {
        if (auto self = weak.lock()) self->fail(Errc::connection_lost);
    });
    connection_->set_message_handler([weak](websocketpp::connection_hdl, typename WsClient::message_ptr msg) {
        auto self = weak.lock();
        if (!self || self->state_ != State::open) return;
        if (msg->get_opcode() != websocketpp::frame::opcode::binary) {
            return self->fail(Errc::protocol_violation);  // msgpack travels in binary frames only
        }
        if (!self->deliver(msg->get_payload())) self->fail(Errc::protocol_violation);
    });
    connect_timer_.expires_after(options_.connect_timeout);
    connect_timer_.async_wait([weak](boost::system::error_code tec) {
        auto self = weak.lock();
        if (!tec && self && self->state_ == State::connecting) self->finish_connect(Errc::connect_timeout);
    });
    client_.connect(connection_);
}

template <class Config>
void WebSocketTransport<Config>::finish_connect(std::error_code ec) {
    connect_timer_.cancel();
    auto done = std::move(connect_done_);
    connect_done_ = nullptr;
    if (ec) {
        state_ = State::closed;
        if (connection_) {
            websocketpp::lib::error_code ignored;
            connection_->terminate(ignored);
        }
    } else {
        state_ = State::open;
    }
    if (done) asio::post(io_, [done = std::move(done), ec] { done(ec); });
}

template <class Config>
std::size_t WebSocketTransport<Config>::queued_bytes() const { return connection_ ? connection_->get_buffered_amount() : 0; }

template <class Config>
std::error_code WebSocketTransport<Config>::send(std::string payload) {
    if (state_ != State::open) return Errc::not_connected;
    if (payload.size() > options_.max_message_size) return Errc::message_too_large;
    auto queued = connection_->get_buffered_amount();
    if (queued > 0 && queued + payload.size() > options_.send_queue_bytes) return Errc::send_queue_full;
    auto ec = connection_->send(payload, websocketpp::frame::opcode::binary);
    if (ec) return Errc::not_connected;
    return {};
}

template <class Config>
void WebSocketTransport<Config>::fail(std::error_code ec) {
    if (state_ != State::open) return;
    state_ = State::closed;
    websocketpp::lib::error_code ignored;
    connection_->terminate(ignored);
    report_loss(ec);
}

template <class Config>
void WebSocketTransport<Config>::close() {
    auto was = state_;
    state_ = State::closed;
    forget_handlers();
    connect_timer_.cancel();
    if (connection_ && (was == State::open || was == State::connecting)) {
        websocketpp::lib::error_code ignored;
        if (was == State::open) {
            connection_->close(websocketpp::close::status::normal, "", ignored);
        } else {
            connection_->terminate(ignored);
        }
    }
    if (was == State::connecting) {
        auto done = std::move(connect_done_);
        connect_done_ = nullptr;
        if (done) asio::post(io_, [done = std::move(done)] { done(Errc::stopped); });
    }
}

// wss://: the context (trust store, client certificate) for this attempt and
// the check of the router's certificate, set on the endpoint before
// get_connection() (which hands them to the connection's socket). websocketpp
// itself sends the URL's host as SNI. False (logged) when the files cannot be used.
template <class Config>
bool WebSocketTransport<Config>::set_up_tls() {
    if constexpr (tls) {
        try {
            tls_context_ = make_tls_context(options_.tls);
        } catch (const std::exception& e) {
            spdlog::error("event=router_connect_failed url={} error=\"{}\"", endpoint_.url, e.what());
            return false;
        }
        auto context = tls_context_;
        client_.set_tls_init_handler([context](websocketpp::connection_hdl) { return context; });
        if (options_.tls.verify_peer) {
            const auto host = websocketpp::uri(endpoint_.url).get_host();
            TlsVerifier verifier(tls_expected_name(options_.tls, host), endpoint_.url);
            client_.set_socket_init_handler(
                [verifier](websocketpp::connection_hdl, boost::asio::ssl::stream<asio::ip::tcp::socket>& stream) {
                    stream.set_verify_callback(verifier);
                });
        }
    }
    return true;
}

std::shared_ptr<Transport> make_websocket_transport(boost::asio::io_context& io, const Endpoint& endpoint,
                                                    const TransportOptions& options) {
    if (endpoint.tls)
        return std::make_shared<WebSocketTransport<websocketpp::config::asio_tls_client>>(io, endpoint, options);
    return std::make_shared<WebSocketTransport<websocketpp::config::asio_client>>(io, endpoint, options);
}

}  // namespace pgwamp::wamp
