#include "service/peer_rate_limit.hpp"

#include <algorithm>
#include <cctype>

#include "service/bounded_map.hpp"

namespace pgwamp::service {

std::optional<std::chrono::milliseconds> PeerRateLimit::admit(const std::string& peer, Clock::time_point now) {
    auto p = peers_.find(peer);
    if (p == peers_.end()) {
        make_room(
            peers_, limits_.max_tracked, [&](const Window& w) { return w.start + limits_.window <= now; },
            [](const Window& w) { return w.start; });
        p = peers_.emplace(peer, Window{0, now}).first;
    }
    auto& window = p->second;
    if (window.start + limits_.window <= now) window = Window{0, now};
    if (window.attempts >= limits_.attempts)
        return std::chrono::ceil<std::chrono::milliseconds>(window.start + limits_.window - now);
    ++window.attempts;
    return std::nullopt;
}

std::string peer_address(const std::string& transport_peer) {
    const auto colon = transport_peer.rfind(':');
    const auto first = transport_peer.find(':');
    if (colon == std::string::npos || colon == first) return transport_peer;
    const std::string port = transport_peer.substr(colon + 1);
    if (port.empty() || !std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); }))
        return transport_peer;
    return transport_peer.substr(0, colon);
}

}  // namespace pgwamp::service
