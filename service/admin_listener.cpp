#include "service/admin_listener.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include "service/admin_host_check.hpp"

namespace pgwamp::service {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {
constexpr std::uint32_t header_limit = 8 * 1024;
}  // namespace

struct AdminListener::State : std::enable_shared_from_this<AdminListener::State> {
    State(asio::io_context& io, config::AdminConfig c, std::map<std::string, Route> r, RequestObserver o)
        : acceptor(io), config(std::move(c)), routes(std::move(r)), observer(std::move(o)) {}

    tcp::acceptor acceptor;
    config::AdminConfig config;
    std::map<std::string, Route> routes;
    RequestObserver observer;
    std::size_t open = 0;
    bool stopped = false;

    void accept();
    AdminResponse answer(const http::request<http::empty_body>& request, std::string_view path) const;
};

namespace {

// One connection: read one request within the deadline, answer, close.
class Exchange : public std::enable_shared_from_this<Exchange> {
public:
    Exchange(tcp::socket socket, std::shared_ptr<AdminListener::State> owner)
        : stream_(std::move(socket)), owner_(std::move(owner)) {
        ++owner_->open;
        parser_.header_limit(header_limit);
    }
    ~Exchange() { --owner_->open; }

    void run() {
        // One deadline for the whole request, not per read: a client that
        // trickles a byte at a time still gets cut when it expires.
        stream_.expires_after(owner_->config.request_timeout);
        http::async_read(stream_, buffer_, parser_,
                         [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

private:
    void on_read(beast::error_code ec) {
        if (ec == beast::error::timeout || ec == http::error::end_of_stream || ec == asio::error::operation_aborted ||
            ec == asio::error::connection_reset)
            return close();
        if (ec == http::error::header_limit) return respond(431, "", "request header fields too large\n");
        if (ec) return respond(400, "", "bad request: " + ec.message() + "\n");
        const auto& request = parser_.get();
        // Boost 1.74's beast::string_view is boost::string_view: no conversion to std's.
        const std::string_view target(request.target().data(), request.target().size());
        const std::string_view path = target.substr(0, target.find('?'));
        const auto host = request[http::field::host];
        if (!admin_host_allowed(std::string_view(host.data(), host.size()), owner_->config.allowed_hosts))
            return respond(421, std::string(path), "misdirected request: Host is not this listener's (admin.allowed_hosts)\n");
        AdminResponse r = owner_->answer(request, path);
        if (request.method() == http::verb::head) r.body.clear();
        respond(r.status, std::string(path), std::move(r.body), std::move(r.content_type));
    }

    void respond(int status, std::string path, std::string body, std::string content_type = "text/plain") {
        response_.result(static_cast<unsigned>(status));
        response_.version(11);
        response_.set(http::field::server, "pgwamp");
        response_.set(http::field::content_type, content_type);
        response_.set(http::field::cache_control, "no-store");
        if (status == 405) response_.set(http::field::allow, "GET, HEAD");
        response_.keep_alive(false);
        response_.body() = std::move(body);
        response_.prepare_payload();
        if (owner_->observer) owner_->observer(path, status);
        stream_.expires_after(owner_->config.request_timeout);
        http::async_write(stream_, response_,
                          [self = shared_from_this()](beast::error_code, std::size_t) { self->close(); });
    }

    void close() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream_.close();
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_{header_limit + 1024};
    http::request_parser<http::empty_body> parser_;
    http::response<http::string_body> response_;
    std::shared_ptr<AdminListener::State> owner_;
};

}  // namespace

AdminResponse AdminListener::State::answer(const http::request<http::empty_body>& request,
                                           std::string_view path) const {
    const auto route = routes.find(std::string(path));
    if (route == routes.end()) return {404, "text/plain", "not found; try /live, /ready or /metrics\n"};
    if (request.method() != http::verb::get && request.method() != http::verb::head)
        return {405, "text/plain", "method not allowed\n"};
    try {
        return route->second();
    } catch (const std::exception& e) {
        spdlog::error("event=admin_route_failed path={} reason=\"{}\"", path, e.what());
        return {500, "text/plain", "internal error\n"};
    }
}

void AdminListener::State::accept() {
    acceptor.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
        if (self->stopped || ec == asio::error::operation_aborted) return;
        if (ec) {
            // EMFILE and the like: log, and keep accepting (a brief pause would
            // be kinder, but the loop must not spin: the next accept waits).
            spdlog::warn("event=admin_accept_failed reason=\"{}\"", ec.message());
        } else if (self->open >= self->config.max_connections) {
            beast::error_code ignored;
            socket.close(ignored);  // over the limit: refused without reading
        } else {
            std::make_shared<Exchange>(std::move(socket), self)->run();
        }
        self->accept();
    });
}

AdminListener::AdminListener(asio::io_context& io, config::AdminConfig config, std::map<std::string, Route> routes,
                             RequestObserver observer)
    : state_(std::make_shared<State>(io, std::move(config), std::move(routes), std::move(observer))) {}

AdminListener::~AdminListener() { stop(); }

void AdminListener::start() {
    const tcp::endpoint endpoint(asio::ip::make_address(state_->config.host), state_->config.port);
    auto& acceptor = state_->acceptor;
    acceptor.open(endpoint.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(asio::socket_base::max_listen_connections);
    state_->accept();
    spdlog::info("event=admin_listening listen={}", state_->config.listen);
}

void AdminListener::stop() {
    state_->stopped = true;
    beast::error_code ignored;
    state_->acceptor.close(ignored);
}

std::uint16_t AdminListener::port() const {
    beast::error_code ec;
    const auto endpoint = state_->acceptor.local_endpoint(ec);
    return ec ? 0 : endpoint.port();
}

std::size_t AdminListener::open_connections() const { return state_->open; }

}  // namespace pgwamp::service
