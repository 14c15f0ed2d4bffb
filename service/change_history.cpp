#include "service/change_history.hpp"

#include <regex>

#include <algorithm>

namespace pgwamp::service {

bool is_position(const std::string& s) {
    static const std::regex pattern("[0-9A-F]{16}/[0-9A-F]{8}");
    return std::regex_match(s, pattern);
}

void ChangeHistory::add(const std::string& position, Object event, Audience old_row, Audience new_row) {
    if (!entries_.empty() && position <= entries_.back().position) return;  // redelivered
    if (!known_) {
        // Nothing is known before this event: a replay from anything earlier
        // could miss events; from this event's predecessor it cannot, but
        // that position is unknown, so the floor is the event itself.
        floor_ = position;
        known_ = true;
    } else if (position <= floor_) {
        return;  // before the floor: already delivered before this process saw the topic
    }
    entries_.push_back({position, std::move(event), std::move(old_row), std::move(new_row)});
    if (entries_.size() > capacity_) {
        floor_ = entries_.front().position;  // everything after the evicted one is still here
        entries_.pop_front();
    }
}

void ChangeHistory::begin_at(const std::string& position) {
    if (known_ && position <= newest()) return;
    entries_.clear();
    floor_ = position;
    known_ = true;
}

void ChangeHistory::reset() {
    entries_.clear();
    floor_.clear();
    known_ = false;
}

std::optional<ChangeHistory::Replay> ChangeHistory::after(const std::string& after, std::size_t limit,
                                                          const Visible& visible) const {
    if (!known_ || after < floor_) return std::nullopt;
    Replay out;
    auto it = std::upper_bound(entries_.begin(), entries_.end(), after,
                               [](const std::string& p, const Entry& e) { return p < e.position; });
    for (; it != entries_.end(); ++it) {
        if (visible && !visible(*it)) continue;
        if (out.events.size() == limit) {
            out.more = true;
            break;
        }
        out.events.push_back(&*it);
    }
    return out;
}

}  // namespace pgwamp::service
