#include "common/reconnect_schedule.hpp"

#include <algorithm>

namespace pgwamp {

ReconnectSchedule::ReconnectSchedule(BackoffOptions options, std::chrono::milliseconds hurry_interval,
                                     std::uint64_t seed)
    : backoff_(options, seed), hurry_interval_(std::max(hurry_interval, std::chrono::milliseconds{0})) {}

void ReconnectSchedule::attempt_started(Clock::time_point now) {
    last_attempt_ = now;
    next_.reset();
}

void ReconnectSchedule::failed(Clock::time_point now) {
    ++failures_;
    const auto delay = backoff_.next();
    if (!delay) {
        exhausted_ = true;
        next_.reset();
        demanded_ = false;
        return;
    }
    next_ = now + *delay;
    if (demanded_) {
        demanded_ = false;
        next_ = std::min(*next_, hurried(now));
    }
}

void ReconnectSchedule::succeeded() {
    backoff_.reset();
    next_.reset();
    demanded_ = false;
    exhausted_ = false;
    failures_ = 0;
}

void ReconnectSchedule::demand(Clock::time_point now) {
    if (exhausted_) return;
    if (next_) {
        next_ = std::min(*next_, hurried(now));
    } else {
        demanded_ = true;  // connected (harmless: success clears it) or an attempt is running
    }
}

ReconnectSchedule::Clock::time_point ReconnectSchedule::hurried(Clock::time_point now) const {
    if (!last_attempt_) return now;
    return std::max(now, *last_attempt_ + hurry_interval_);
}

}  // namespace pgwamp
