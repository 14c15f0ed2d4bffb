#pragma once
// Local failures of the WAMP layer as std::error_code values. Kept apart from
// error.hpp (CallError) so the C++17 WebSocket file can use it too.

#include <system_error>

namespace pgwamp::wamp {

enum class Errc {
    send_queue_full = 1,   // the bounded send queue would overflow: the router reads too slowly
    message_too_large,     // a message exceeds the negotiated RawSocket/WebSocket maximum
    not_connected,         // the transport is not open (yet, or any more)
    not_joined,            // the operation needs a joined session
    connection_lost,       // the transport closed while the operation was pending
    handshake_failed,      // RawSocket handshake or WebSocket upgrade refused or malformed
    protocol_violation,    // the peer sent something WAMP does not allow
    join_aborted,          // the router answered HELLO with ABORT (bad realm, auth failed, ...)
    connect_timeout,       // TCP/Unix connect plus handshake did not finish in time
    stopped,               // Client::stop() was called
    bad_endpoint,          // an Endpoint string or value that cannot be used
};

const std::error_category& error_category();
std::error_code make_error_code(Errc e);

}  // namespace pgwamp::wamp

template <>
struct std::is_error_code_enum<pgwamp::wamp::Errc> : std::true_type {};
