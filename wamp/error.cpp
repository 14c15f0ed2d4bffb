#include "wamp/error.hpp"

namespace pgwamp::wamp {
namespace {

class Category : public std::error_category {
public:
    const char* name() const noexcept override { return "pgwamp.wamp"; }
    std::string message(int ev) const override {
        switch (static_cast<Errc>(ev)) {
            case Errc::send_queue_full: return "send queue full";
            case Errc::message_too_large: return "message exceeds the negotiated maximum size";
            case Errc::not_connected: return "transport not connected";
            case Errc::not_joined: return "session not joined";
            case Errc::connection_lost: return "connection lost";
            case Errc::handshake_failed: return "transport handshake failed";
            case Errc::protocol_violation: return "WAMP protocol violation";
            case Errc::join_aborted: return "join aborted by the router";
            case Errc::connect_timeout: return "connect timed out";
            case Errc::stopped: return "client stopped";
            case Errc::bad_endpoint: return "bad endpoint";
        }
        return "unknown wamp error";
    }
};

std::string describe(const std::string& uri, const Array& args) {
    if (!args.empty() && args.front().is<std::string>()) {
        return uri + ": " + args.front().as<std::string>();
    }
    return uri;
}

}  // namespace

const std::error_category& error_category() {
    static const Category category;
    return category;
}

std::error_code make_error_code(Errc e) { return {static_cast<int>(e), error_category()}; }

CallError::CallError(std::string uri, Array args, Object kwargs)
    : std::runtime_error(describe(uri, args)),
      uri_(std::move(uri)),
      args_(std::move(args)),
      kwargs_(std::move(kwargs)) {}

const char* uri_for(std::error_code ec) {
    if (ec == Errc::send_queue_full) return error_uri::overloaded;
    if (ec == Errc::message_too_large) return uri::payload_size_exceeded;
    if (ec == Errc::connection_lost) return error_uri::connection_lost;
    if (ec == Errc::stopped) return uri::canceled;
    return error_uri::unavailable;
}

}  // namespace pgwamp::wamp
