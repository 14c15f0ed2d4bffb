#pragma once
// TEMPORARY (lead's stub until the layers branch lands): pure reconnect schedule.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace pgwamp {

struct BackoffOptions {
    std::chrono::milliseconds initial_delay{100};
    std::chrono::milliseconds max_delay{10000};
    double factor = 2.0;
    double jitter = 0.2;
    std::size_t max_attempts = 0;
};

class ReconnectSchedule {
public:
    using Clock = std::chrono::steady_clock;
    ReconnectSchedule(BackoffOptions options, std::chrono::milliseconds hurry_interval = std::chrono::milliseconds(250),
                      std::uint64_t seed = 0)
        : options_(options), hurry_(hurry_interval), seed_(seed) {}
    void attempt_started(Clock::time_point now) {
        last_ = now;
        next_.reset();
    }
    void failed(Clock::time_point now) {
        ++failures_;
        if (options_.max_attempts && failures_ >= options_.max_attempts) return;
        auto d = failures_ == 1 ? std::chrono::milliseconds(0) : options_.initial_delay * (1 << std::min<std::size_t>(failures_ - 2, 10));
        if (d > options_.max_delay) d = options_.max_delay;
        next_ = now + d;
    }
    void succeeded() {
        failures_ = 0;
        next_.reset();
    }
    void demand(Clock::time_point) {
        if (next_ && last_ && *next_ > *last_ + hurry_) next_ = *last_ + hurry_;
    }
    std::optional<Clock::time_point> next_attempt() const { return next_; }
    bool exhausted() const { return options_.max_attempts && failures_ >= options_.max_attempts; }
    std::size_t failures() const { return failures_; }

private:
    BackoffOptions options_;
    std::chrono::milliseconds hurry_;
    std::uint64_t seed_;
    std::size_t failures_ = 0;
    std::optional<Clock::time_point> next_, last_;
};

}  // namespace pgwamp
