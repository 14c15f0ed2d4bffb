#include "service/refusal_delay.hpp"

#include <algorithm>

#include "service/bounded_map.hpp"

namespace pgwamp::service {

std::chrono::milliseconds RefusalDelay::refused(const std::string& peer, Clock::time_point now) {
    if (limits_.first.count() <= 0) return std::chrono::milliseconds(0);
    auto p = peers_.find(peer);
    if (p == peers_.end()) {
        make_room(
            peers_, limits_.max_tracked, [&](const Peer& q) { return q.last_refusal + limits_.forget_after <= now; },
            [](const Peer& q) { return q.last_refusal; });
        p = peers_.emplace(peer, Peer{}).first;
    }
    Peer& state = p->second;
    const bool fresh = state.last_delay.count() == 0 || state.last_refusal + limits_.forget_after <= now;
    state.last_delay = fresh ? limits_.first : std::min(state.last_delay * 2, std::max(limits_.max, limits_.first));
    state.last_refusal = now;
    return state.last_delay;
}

}  // namespace pgwamp::service
