#include "service/session_writes.hpp"

#include <algorithm>

namespace pgwamp::service {

SessionWrites::SessionWrites(std::size_t max_sessions) : max_(max_sessions ? max_sessions : 1) {}

void SessionWrites::wrote(std::uint64_t session, std::optional<WalPosition> position, WriteClock::time_point at) {
    auto it = sessions_.find(session);
    if (it == sessions_.end()) {
        if (sessions_.size() >= max_) {
            auto oldest = std::min_element(sessions_.begin(), sessions_.end(), [](const auto& a, const auto& b) {
                return a.second.last_write < b.second.last_write;
            });
            ReadNeed kept = need_of(floor_);
            merge(kept, oldest->second);
            floor_.position = kept.position;
            floor_.unknown_since = kept.unknown_since;
            sessions_.erase(oldest);
        }
        it = sessions_.emplace(session, Entry{}).first;
    }
    Entry& e = it->second;
    e.last_write = at;
    if (position) {
        e.position = std::max(e.position.value_or(0), *position);
    } else {
        e.unknown_since = at;
    }
}

void SessionWrites::merge(ReadNeed& into, const Entry& e) {
    if (e.position) into.position = std::max(into.position.value_or(0), *e.position);
    if (e.unknown_since) into.unknown_since = std::max(into.unknown_since.value_or(*e.unknown_since), *e.unknown_since);
}

ReadNeed SessionWrites::need(std::uint64_t session) const {
    ReadNeed out;
    merge(out, floor_);
    if (auto it = sessions_.find(session); it != sessions_.end()) merge(out, it->second);
    return out;
}

ReadNeed SessionWrites::need_of(const Entry& e) {
    ReadNeed out;
    merge(out, e);
    return out;
}

void SessionWrites::forget_replayed(WalPosition replayed, const PositionSince& position_since) {
    auto done = [&](Entry& e) {
        if (e.unknown_since) {
            // Known now: the first position the primary reported after that write.
            const auto known = position_since(*e.unknown_since);
            if (!known) return false;
            e.position = std::max(e.position.value_or(0), *known);
            e.unknown_since.reset();
        }
        return !e.position || db::has_replayed(replayed, *e.position);
    };
    for (auto it = sessions_.begin(); it != sessions_.end();) it = done(it->second) ? sessions_.erase(it) : std::next(it);
    if (done(floor_)) floor_.position.reset();
}

}  // namespace pgwamp::service
