#pragma once
// Parses router.url: "rs://host:port" or "tcp://host:port" (RawSocket over
// TCP), "rss://host:port" (RawSocket over TLS) and "ws://host[:port][/path]"
// or "wss://..." (WebSocket, plain or TLS). IPv6 hosts go in brackets.

#include <string>
#include <string_view>
#include <variant>

#include "config/config.hpp"

namespace pgwamp::config {

// The transport, or a reason it is not valid. The reason never repeats the
// URL (it could carry credentials someone pasted in by mistake).
std::variant<TransportConfig, std::string> parse_transport_url(std::string_view url);

}  // namespace pgwamp::config
