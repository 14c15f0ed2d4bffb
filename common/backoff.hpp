#pragma once
// Delays between reconnection attempts (txpostgres' backoff iterator), the one
// formula for the router and the database. Pure: no clock, no timer; the
// caller (ReconnectSchedule, Reconnector) decides when "now" is.
//
// After the k-th consecutive failure (k = 1, 2, ...) next() answers the wait
// before retry n = k - 1:
//   n = 0:  0 ms, the first retry runs at once (a blip costs nothing);
//   n >= 1: d = min(max_delay, initial_delay * factor^(n-1)), shortened by a
//           random part of up to jitter * d, i.e. a wait in [d * (1 - jitter), d],
//           so a fleet of restarted peers does not reconnect in lock step and
//           never waits longer than max_delay.
// After max_attempts retries (0: never) next() answers nullopt: give up.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace pgwamp {

struct BackoffOptions {
    std::chrono::milliseconds initial_delay{100};
    std::chrono::milliseconds max_delay{10'000};  // raised to initial_delay if below it
    double factor = 2.0;                          // growth per retry, at least 1
    double jitter = 0.1;                          // fraction of d a wait may be shortened by, [0, 1]
    std::size_t max_attempts = 0;                 // retries before giving up; 0: never give up
};

// A seed from std::random_device, for processes that must not move in lock step.
std::uint64_t random_seed();

class Backoff {
public:
    // Nonsense options (negative delays, factor < 1, jitter outside [0, 1])
    // are clamped rather than trusted. The same seed gives the same delays.
    explicit Backoff(BackoffOptions options = {}, std::uint64_t seed = random_seed());

    // The wait before the next retry, after one more failure; nullopt once
    // max_attempts retries have been handed out (and on every later call).
    std::optional<std::chrono::milliseconds> next();
    // After a success: the next failure retries at once again.
    void reset() { attempts_ = 0; }
    // Retries handed out since the last reset.
    std::size_t attempts() const { return attempts_; }
    // True when next() would answer nullopt.
    bool exhausted() const { return options_.max_attempts != 0 && attempts_ >= options_.max_attempts; }
    const BackoffOptions& options() const { return options_; }

private:
    double uniform();  // [0, 1)

    BackoffOptions options_;
    std::size_t attempts_ = 0;
    std::uint64_t state_;
};

}  // namespace pgwamp
