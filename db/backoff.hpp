#pragma once
// Reconnection delays (txpostgres' backoff iterator): at once, then growing
// exponentially to a cap, each spread by jitter. Pure logic, so the schedule
// is unit-tested without clocks.

#include <chrono>
#include <cstdint>
#include <optional>

#include "db/options.hpp"

namespace pgwamp::db {

class Backoff {
public:
    explicit Backoff(BackoffOptions options, std::uint64_t seed = 0);

    // Delay before the next attempt; nullopt once max_retries are used up.
    std::optional<std::chrono::milliseconds> next();
    void reset() { attempts_ = 0; }
    std::size_t attempts() const { return attempts_; }

private:
    double uniform();  // [0, 1)

    BackoffOptions options_;
    std::size_t attempts_ = 0;
    std::uint64_t state_;
};

}  // namespace pgwamp::db
