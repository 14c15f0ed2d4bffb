#pragma once
// Jittered exponential backoff for rejoining the router. Pure logic: the
// caller owns the timer, this only says how long to wait next.
//
// Attempt n (0-based) waits a random time in [d * (1 - jitter), d] where
// d = min(cap, initial * factor^n): the first retry comes quickly, later ones
// spread out so a fleet of pgwamp processes does not reconnect in lockstep
// when the router comes back.

#include <chrono>
#include <cstdint>
#include <random>

namespace pgwamp::wamp {

struct BackoffOptions {
    std::chrono::milliseconds initial{100};
    std::chrono::milliseconds cap{5000};
    double factor = 2.0;         // growth per attempt, clamped to [1, 10]
    double jitter = 0.5;         // fraction of d a wait may be shortened by, clamped to [0, 1]
    unsigned max_attempts = 0;   // consecutive failed attempts before giving up; 0: never
};

class Backoff {
public:
    explicit Backoff(BackoffOptions options = {}, std::uint64_t seed = std::random_device{}());

    // The delay before the next attempt; advances the attempt counter.
    std::chrono::milliseconds next();
    // After a successful join: the next failure retries quickly again.
    void reset() { attempt_ = 0; }
    unsigned attempt() const { return attempt_; }
    // True once max_attempts consecutive attempts have failed.
    bool exhausted() const { return options_.max_attempts != 0 && attempt_ >= options_.max_attempts; }

private:
    BackoffOptions options_;
    unsigned attempt_ = 0;
    std::mt19937_64 rng_;
};

}  // namespace pgwamp::wamp
