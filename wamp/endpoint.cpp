#include "wamp/endpoint.hpp"

#include <charconv>

namespace pgwamp::wamp {

Endpoint Endpoint::tcp(std::string host, std::uint16_t port, bool tls) {
    Endpoint e;
    e.kind = Kind::tcp;
    e.tls = tls;
    e.host = std::move(host);
    e.port = port;
    return e;
}

Endpoint Endpoint::unix_socket(std::string path) {
    Endpoint e;
    e.kind = Kind::unix_socket;
    e.path = std::move(path);
    return e;
}

Endpoint Endpoint::websocket(std::string url) {
    Endpoint e;
    e.kind = Kind::websocket;
    e.tls = url.starts_with("wss://");
    e.url = std::move(url);
    return e;
}

std::optional<Endpoint> Endpoint::parse(std::string_view text, std::string* error) {
    auto fail = [&](std::string why) -> std::optional<Endpoint> {
        if (error) *error = "endpoint '" + std::string(text) + "': " + why;
        return std::nullopt;
    };
    if (text.starts_with("ws://") || text.starts_with("wss://")) {
        if (text.size() == text.find("://") + 3) return fail("missing host");
        return websocket(std::string(text));
    }
    if (text.starts_with("unix://")) {
        auto path = text.substr(7);
        if (path.empty() || path.front() != '/') return fail("expected unix:///absolute/path");
        return unix_socket(std::string(path));
    }
    if (text.starts_with("tcp://") || text.starts_with("rs://") || text.starts_with("rss://")) {
        auto rest = text.substr(text.find("://") + 3);
        auto colon = rest.rfind(':');
        if (colon == std::string_view::npos || colon == 0) return fail("expected tcp://host:port or rs://host:port");
        auto port_text = rest.substr(colon + 1);
        unsigned port = 0;
        auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
        if (ec != std::errc{} || ptr != port_text.data() + port_text.size() || port == 0 || port > 65535) {
            return fail("bad port '" + std::string(port_text) + "'");
        }
        return tcp(std::string(rest.substr(0, colon)), static_cast<std::uint16_t>(port), text.starts_with("rss://"));
    }
    return fail("unknown scheme (expected tcp://, rs://, rss://, unix://, ws:// or wss://)");
}

std::string Endpoint::to_string() const {
    switch (kind) {
        case Kind::tcp: return (tls ? "rss://" : "tcp://") + host + ":" + std::to_string(port);
        case Kind::unix_socket: return "unix://" + path;
        case Kind::websocket: return url;
    }
    return {};
}

}  // namespace pgwamp::wamp
