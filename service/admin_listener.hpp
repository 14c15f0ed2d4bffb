#pragma once
// The admin HTTP listener (/live, /ready, /metrics for operators and
// Prometheus), on the service's own io_context with Boost.Beast. It answers
// GET (and HEAD) only, one request per connection. What keeps a bad client
// from hurting the service: the whole request must arrive within
// request_timeout (a slowloris is cut), headers are limited to 8 KiB (431),
// no request body is read, and at most max_connections are open at once
// (more are closed unanswered). Nothing here blocks the loop.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>

#include "config/config.hpp"

namespace pgwamp::service {

struct AdminResponse {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
};

class AdminListener {
public:
    using Route = std::function<AdminResponse()>;
    // After each answered request (path without query, status): for metrics.
    using RequestObserver = std::function<void(std::string_view path, int status)>;

    AdminListener(boost::asio::io_context& io, config::AdminConfig config, std::map<std::string, Route> routes,
                  RequestObserver observer);
    ~AdminListener();
    AdminListener(const AdminListener&) = delete;
    AdminListener& operator=(const AdminListener&) = delete;

    // Binds and listens; throws std::system_error when it cannot (port taken).
    void start();
    // Stops accepting; connections still open end at their timeout at the latest.
    void stop();
    std::uint16_t port() const;
    std::size_t open_connections() const;

    struct State;

private:
    std::shared_ptr<State> state_;
};

}  // namespace pgwamp::service
