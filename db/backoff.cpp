#include "db/backoff.hpp"

#include <algorithm>
#include <cmath>
#include <random>

namespace pgwamp::db {

Backoff::Backoff(BackoffOptions options, std::uint64_t seed) : options_(options), state_(seed) {
    if (state_ == 0) state_ = (std::uint64_t{std::random_device{}()} << 32) | std::random_device{}();
    if (state_ == 0) state_ = 0x9E3779B97F4A7C15ull;
}

double Backoff::uniform() {
    // xorshift64*: enough to de-synchronise reconnecting processes.
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    return static_cast<double>((state_ * 0x2545F4914F6CDD1Dull) >> 11) / 9007199254740992.0;
}

std::optional<std::chrono::milliseconds> Backoff::next() {
    if (options_.max_retries != 0 && attempts_ >= options_.max_retries) return std::nullopt;
    std::size_t n = attempts_++;
    if (n == 0) return std::chrono::milliseconds{0};  // the first retry runs at once
    double cap = static_cast<double>(options_.max_delay.count());
    double base = static_cast<double>(options_.initial_delay.count()) *
                  std::pow(options_.factor, static_cast<double>(std::min<std::size_t>(n - 1, 64)));
    base = std::min(base, cap);
    double spread = std::clamp(options_.jitter, 0.0, 1.0);
    double delay = base * (1.0 - spread + 2.0 * spread * uniform());
    delay = std::clamp(delay, 0.0, cap);
    return std::chrono::milliseconds{static_cast<std::int64_t>(delay)};
}

}  // namespace pgwamp::db
