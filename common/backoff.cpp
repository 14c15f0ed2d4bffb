#include "common/backoff.hpp"

#include <algorithm>
#include <cmath>
#include <random>

namespace pgwamp {

std::uint64_t random_seed() {
    std::random_device device;
    return (std::uint64_t{device()} << 32) | device();
}

Backoff::Backoff(BackoffOptions options, std::uint64_t seed) : options_(options), state_(seed) {
    using std::chrono::milliseconds;
    options_.initial_delay = std::max(options_.initial_delay, milliseconds{0});
    options_.max_delay = std::max(options_.max_delay, options_.initial_delay);
    options_.factor = std::isfinite(options_.factor) ? std::max(options_.factor, 1.0) : 1.0;
    options_.jitter = std::isfinite(options_.jitter) ? std::clamp(options_.jitter, 0.0, 1.0) : 0.0;
}

double Backoff::uniform() {
    // splitmix64: any seed (0 included) gives a full-period, well-mixed
    // sequence, identical on every platform (std distributions are not).
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return static_cast<double>(z >> 11) / 9007199254740992.0;  // 53 bits
}

std::optional<std::chrono::milliseconds> Backoff::next() {
    if (exhausted()) return std::nullopt;
    const std::size_t n = attempts_++;
    if (n == 0) return std::chrono::milliseconds{0};
    const auto cap = static_cast<double>(options_.max_delay.count());
    // Stop growing at the cap, so factor^n never overflows however long the outage.
    double d = static_cast<double>(options_.initial_delay.count());
    for (std::size_t i = 1; i < n && d < cap && options_.factor > 1.0; ++i) d *= options_.factor;
    d = std::min(d, cap);
    // Whole milliseconds within [d * (1 - jitter), d], uniformly.
    const auto high = static_cast<std::int64_t>(std::floor(d));
    const auto low = std::min(high, static_cast<std::int64_t>(std::ceil(d * (1.0 - options_.jitter) - 1e-9)));
    // (the 1e-9: 100 * 0.9 is 90.00000000000001 in doubles, and must stay 90)
    const auto span = static_cast<double>(high - low + 1);
    return std::chrono::milliseconds{std::min(high, low + static_cast<std::int64_t>(uniform() * span))};
}

}  // namespace pgwamp
