#include "config/transport_url.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace pgwamp::config {

namespace {

using Result = std::variant<TransportConfig, std::string>;

bool valid_host_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

}  // namespace

Result parse_transport_url(std::string_view url) {
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos)
        return "expected a URL like \"rs://127.0.0.1:8081\", \"tcp://host:port\" or \"ws://host:port/path\"";
    const std::string_view scheme = url.substr(0, scheme_end);
    TransportConfig t;
    t.url = std::string(url);
    // rss:// (RawSocket over TLS) follows Crossbar's and Autobahn's spelling.
    if (scheme == "rs" || scheme == "tcp" || scheme == "rss") {
        t.kind = TransportKind::rawsocket;
    } else if (scheme == "ws" || scheme == "wss") {
        t.kind = TransportKind::websocket;
    } else {
        return "unsupported scheme (expected rs://, tcp://, rss://, ws:// or wss://)";
    }
    t.tls = scheme == "rss" || scheme == "wss";

    std::string_view rest = url.substr(scheme_end + 3);
    const auto authority_end = rest.find_first_of("/?#");
    std::string_view authority = rest.substr(0, authority_end);
    std::string_view tail = authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
    if (authority.find('@') != std::string_view::npos)
        return "credentials do not belong in the URL; use authid with secret_env or secret_file";

    std::string_view host, port;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return "unterminated '[' in the IPv6 host";
        host = authority.substr(1, close - 1);
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return "expected ':port' after the IPv6 host";
            port = after.substr(1);
        }
        if (host.empty() || !std::all_of(host.begin(), host.end(), [](char c) {
                return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
            }))
            return "invalid IPv6 host";
    } else {
        const auto colon = authority.rfind(':');
        host = authority.substr(0, colon);
        if (colon != std::string_view::npos) port = authority.substr(colon + 1);
        if (host.empty()) return "the URL has no host";
        if (!std::all_of(host.begin(), host.end(), valid_host_char)) return "invalid host name";
    }
    t.host = std::string(host);

    if (port.empty()) {
        if (t.kind != TransportKind::websocket) return "a RawSocket URL needs a port, e.g. rs://127.0.0.1:8081";
        t.port = t.tls ? 443 : 80;
    } else {
        unsigned value = 0;
        const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (ec != std::errc{} || end != port.data() + port.size() || value == 0 || value > 65535)
            return "the port must be a number from 1 to 65535";
        t.port = static_cast<std::uint16_t>(value);
    }

    if (t.kind == TransportKind::websocket) {
        if (tail.find('#') != std::string_view::npos) return "a WebSocket URL may not have a fragment";
        t.path = tail.empty() || tail.front() != '/' ? "/" + std::string(tail) : std::string(tail);
    } else if (!tail.empty() && tail != "/") {
        return "a RawSocket URL has no path, query or fragment";
    }
    return t;
}

}  // namespace pgwamp::config
