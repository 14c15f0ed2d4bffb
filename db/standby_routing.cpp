#include "db/standby_routing.hpp"

#include <algorithm>

namespace pgwamp::db {

PrimaryWal::PrimaryWal(StandbyClock::duration keep, std::size_t capacity)
    : keep_(keep), capacity_(capacity ? capacity : 1) {}

void PrimaryWal::sample(StandbyClock::time_point at, WalPosition insert) {
    if (!samples_.empty() && insert <= samples_.back().position) {
        samples_.back().confirmed = std::max(samples_.back().confirmed, at);
        return;
    }
    samples_.push_back({at, at, insert});
    while (samples_.size() > capacity_ || (samples_.size() > 1 && at - samples_.front().at > keep_))
        samples_.pop_front();
}

StandbyClock::duration PrimaryWal::lag(WalPosition replayed, StandbyClock::time_point now) const {
    // Positions only grow: the first sample not replayed is the oldest one.
    const auto missing = std::find_if(samples_.begin(), samples_.end(),
                                      [replayed](const Sample& s) { return !has_replayed(replayed, s.position); });
    if (missing == samples_.end()) return StandbyClock::duration::zero();
    return std::max(StandbyClock::duration::zero(), now - missing->at);
}

std::optional<WalPosition> PrimaryWal::first_sampled_since(StandbyClock::time_point t) const {
    const auto it = std::find_if(samples_.begin(), samples_.end(), [t](const Sample& s) { return s.confirmed >= t; });
    if (it == samples_.end()) return std::nullopt;
    return it->position;
}

std::optional<WalPosition> PrimaryWal::latest() const {
    if (samples_.empty()) return std::nullopt;
    return samples_.back().position;
}

ReadRoute choose_read_route(const std::vector<StandbyView>& standbys, WalPosition required, std::size_t& next) {
    const std::size_t n = standbys.size();
    bool any_usable = false;
    for (std::size_t k = 0; k < n; ++k) {
        const std::size_t i = (next + k) % n;
        if (!standbys[i].usable) continue;
        any_usable = true;
        if (has_replayed(standbys[i].replayed, required)) {
            next = (i + 1) % n;
            return {ReadRoute::Kind::standby, i};
        }
    }
    return {any_usable ? ReadRoute::Kind::wait : ReadRoute::Kind::primary, 0};
}

}  // namespace pgwamp::db
