#include "service/login_throttle.hpp"

#include "service/bounded_map.hpp"

namespace pgwamp::service {

namespace {

std::chrono::milliseconds until(LoginThrottle::Clock::time_point later, LoginThrottle::Clock::time_point now) {
    return std::chrono::ceil<std::chrono::milliseconds>(later - now);
}

}  // namespace

LoginThrottle::Decision LoginThrottle::admit(const std::string& name, const std::string& peer,
                                             Clock::time_point now) {
    if (auto n = names_.find(name); n != names_.end() && n->second.locked_until > now)
        return {Verdict::name_locked, until(n->second.locked_until, now)};

    if (auto wait = peers_.admit(peer, now)) return {Verdict::peer_limited, *wait};
    return {};
}

void LoginThrottle::record(const std::string& name, bool succeeded, Clock::time_point now) {
    auto n = names_.find(name);
    if (succeeded) {
        if (n != names_.end()) names_.erase(n);  // nothing left to remember
        return;
    }
    if (n == names_.end()) {
        // A name whose failures are older than a lock period is forgotten.
        make_room(
            names_, limits_.max_tracked,
            [&](const NameState& s) { return s.locked_until <= now && s.last_seen + limits_.name_lock <= now; },
            [](const NameState& s) { return s.last_seen; });
        n = names_.emplace(name, NameState{}).first;
    }
    auto& state = n->second;
    state.last_seen = now;
    if (++state.failures >= limits_.name_failures) {
        state.failures = 0;
        state.locked_until = now + limits_.name_lock;
    }
}

}  // namespace pgwamp::service
