#include "service/login_throttle.hpp"

#include <algorithm>
#include <cctype>

namespace pgwamp::service {

namespace {

std::chrono::milliseconds until(LoginThrottle::Clock::time_point later, LoginThrottle::Clock::time_point now) {
    return std::chrono::ceil<std::chrono::milliseconds>(later - now);
}

}  // namespace

template <class Map, class Expired>
void LoginThrottle::make_room(Map& map, Expired expired) {
    if (map.size() < limits_.max_tracked) return;
    std::erase_if(map, [&](const auto& entry) { return expired(entry.second); });
    while (map.size() >= limits_.max_tracked) {
        // Still full of live entries: the one seen longest ago goes.
        auto oldest = map.begin();
        for (auto it = map.begin(); it != map.end(); ++it)
            if (expired.age(it->second) < expired.age(oldest->second)) oldest = it;
        map.erase(oldest);
    }
}

LoginThrottle::Decision LoginThrottle::admit(const std::string& name, const std::string& peer,
                                             Clock::time_point now) {
    if (auto n = names_.find(name); n != names_.end() && n->second.locked_until > now)
        return {Verdict::name_locked, until(n->second.locked_until, now)};

    auto p = peers_.find(peer);
    if (p == peers_.end()) {
        struct {
            Clock::time_point now;
            std::chrono::milliseconds window;
            bool operator()(const PeerState& s) const { return s.window_start + window <= now; }
            Clock::time_point age(const PeerState& s) const { return s.window_start; }
        } expired{now, limits_.peer_window};
        make_room(peers_, expired);
        p = peers_.emplace(peer, PeerState{0, now}).first;
    }
    auto& window = p->second;
    if (window.window_start + limits_.peer_window <= now) window = PeerState{0, now};
    if (window.attempts >= limits_.peer_attempts)
        return {Verdict::peer_limited, until(window.window_start + limits_.peer_window, now)};
    ++window.attempts;
    return {};
}

void LoginThrottle::record(const std::string& name, bool succeeded, Clock::time_point now) {
    auto n = names_.find(name);
    if (succeeded) {
        if (n != names_.end()) names_.erase(n);  // nothing left to remember
        return;
    }
    if (n == names_.end()) {
        struct {
            Clock::time_point now;
            std::chrono::milliseconds lock;
            // A name whose failures are older than a lock period is forgotten.
            bool operator()(const NameState& s) const { return s.locked_until <= now && s.last_seen + lock <= now; }
            Clock::time_point age(const NameState& s) const { return s.last_seen; }
        } expired{now, limits_.name_lock};
        make_room(names_, expired);
        n = names_.emplace(name, NameState{}).first;
    }
    auto& state = n->second;
    state.last_seen = now;
    if (++state.failures >= limits_.name_failures) {
        state.failures = 0;
        state.locked_until = now + limits_.name_lock;
    }
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
