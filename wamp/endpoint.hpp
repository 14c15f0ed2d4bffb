#pragma once
// Where the router is. Three kinds: RawSocket over TCP, RawSocket over a Unix
// socket, and WebSocket. All carry MessagePack. TCP RawSocket and WebSocket
// may run over TLS (rss://, wss://; checked per ClientOptions::tls).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pgwamp::wamp {

struct Endpoint {
    enum class Kind { tcp, unix_socket, websocket };
    Kind kind = Kind::tcp;
    std::string host = "127.0.0.1";  // tcp
    std::uint16_t port = 8081;       // tcp
    std::string path;                // unix_socket: the socket file
    std::string url;                 // websocket: ws://host:port/path or wss://...
    bool tls = false;                // tcp: rss://; websocket: wss://

    static Endpoint tcp(std::string host, std::uint16_t port, bool tls = false);
    static Endpoint unix_socket(std::string path);
    static Endpoint websocket(std::string url);  // tls when the URL is wss://

    // Parses "tcp://host:port" (or "rs://host:port"), "rss://host:port"
    // (RawSocket over TLS), "unix:///abs/path.sock", "ws://host:port/path",
    // "wss://host:port/path".
    // Returns nullopt and fills *error with a readable reason when it cannot.
    static std::optional<Endpoint> parse(std::string_view text, std::string* error = nullptr);

    // For logs: never contains a secret.
    std::string to_string() const;
};

}  // namespace pgwamp::wamp
