#include "wamp/backoff.hpp"

#include <algorithm>

namespace pgwamp::wamp {

Backoff::Backoff(BackoffOptions options, std::uint64_t seed) : options_(options), rng_(seed) {
    if (options_.initial.count() < 1) options_.initial = std::chrono::milliseconds(1);
    if (options_.cap < options_.initial) options_.cap = options_.initial;
}

std::chrono::milliseconds Backoff::next() {
    // Doubling stops at the cap, so the shift never overflows.
    std::int64_t ceiling = options_.initial.count();
    for (unsigned i = 0; i < attempt_ && ceiling < options_.cap.count(); ++i) ceiling *= 2;
    ceiling = std::min<std::int64_t>(ceiling, options_.cap.count());
    ++attempt_;
    std::uniform_int_distribution<std::int64_t> pick(std::max<std::int64_t>(ceiling / 2, 1), ceiling);
    return std::chrono::milliseconds(pick(rng_));
}

}  // namespace pgwamp::wamp
