#include "wamp/backoff.hpp"

#include <algorithm>

namespace pgwamp::wamp {

Backoff::Backoff(BackoffOptions options, std::uint64_t seed) : options_(options), rng_(seed) {
    if (options_.initial.count() < 1) options_.initial = std::chrono::milliseconds(1);
    if (options_.cap < options_.initial) options_.cap = options_.initial;
    options_.factor = std::clamp(options_.factor, 1.0, 10.0);
    options_.jitter = std::clamp(options_.jitter, 0.0, 1.0);
}

std::chrono::milliseconds Backoff::next() {
    // Growth stops at the cap, so the product never overflows.
    double grown = static_cast<double>(options_.initial.count());
    const auto cap = static_cast<double>(options_.cap.count());
    for (unsigned i = 0; i < attempt_ && grown < cap; ++i) grown *= options_.factor;
    const auto ceiling = static_cast<std::int64_t>(std::min(grown, cap));
    ++attempt_;
    const auto floor = static_cast<std::int64_t>(static_cast<double>(ceiling) * (1.0 - options_.jitter));
    std::uniform_int_distribution<std::int64_t> pick(std::clamp<std::int64_t>(floor, 1, ceiling), ceiling);
    return std::chrono::milliseconds(pick(rng_));
}

}  // namespace pgwamp::wamp
