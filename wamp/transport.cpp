#include "wamp/transport.hpp"

#include "wamp/rawsocket_transport.hpp"
#include "wamp/websocket_transport.hpp"

namespace pgwamp::wamp {

std::shared_ptr<Transport> make_transport(boost::asio::io_context& io, const Endpoint& endpoint,
                                          const TransportOptions& options) {
    if (endpoint.kind == Endpoint::Kind::websocket) {
        return make_websocket_transport(io, endpoint, options);
    }
    return std::make_shared<RawSocketTransport>(io, endpoint, options);
}

}  // namespace pgwamp::wamp
