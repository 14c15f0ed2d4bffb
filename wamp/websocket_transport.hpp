#pragma once
// WAMP over WebSocket (websocketpp, plain ws://), subprotocol wamp.2.msgpack,
// binary frames. Same contract as every Transport: bounded send queue
// (websocketpp's own buffer, checked before each send), loss reported once.
//
// WebSocket has no way to learn the router's message limit, so the limit for
// what we send is our own max_message_size; set it no higher than the
// router's (Crossbar: the transport's "max_message_size" option).

// websocketpp 0.8.2 does not compile as C++20 (template-ids on constructors),
// so it is confined to websocket_transport.cpp, built as C++17; this header
// only offers the factory.

#include "wamp/transport.hpp"

namespace pgwamp::wamp {

std::shared_ptr<Transport> make_websocket_transport(boost::asio::io_context& io, const Endpoint& endpoint,
                                                    const TransportOptions& options);

}  // namespace pgwamp::wamp
