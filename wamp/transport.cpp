#include "wamp/transport.hpp"

#include <spdlog/spdlog.h>

#include "wamp/rawsocket_transport.hpp"
#include "wamp/websocket_transport.hpp"

namespace pgwamp::wamp {

bool Transport::deliver(std::string_view payload) {
    if (!on_message_) return true;
    auto handler = on_message_;
    try {
        handler(payload);
        return true;
    } catch (const std::exception& e) {
        spdlog::error("event=handler_threw handler=message error=\"{}\"", e.what());
        return false;
    }
}

void Transport::forget_handlers() {
    on_close_ = nullptr;
    on_message_ = nullptr;
}

void Transport::report_loss(std::error_code reason) {
    auto handler = std::move(on_close_);
    forget_handlers();
    if (handler) handler(reason);
}

std::shared_ptr<Transport> make_transport(boost::asio::io_context& io, const Endpoint& endpoint,
                                          const TransportOptions& options) {
    if (endpoint.kind == Endpoint::Kind::websocket) {
        return make_websocket_transport(io, endpoint, options);
    }
    return std::make_shared<RawSocketTransport>(io, endpoint, options);
}

}  // namespace pgwamp::wamp
