#pragma once
// When to try a lost connection again: Backoff's delays anchored in time, plus
// the one rule Backoff cannot know: callers waiting for this connection
// (demand) cap the next wait at hurry_interval after the last attempt, so a
// database or router that is back gets used within about that long instead of
// after a 10 s backoff step. A demand shortens one wait only: the attempt it
// hurries fails like any other, and waits grow again unless callers are still
// asking.
//
// Pure logic: `now` is an argument, no clock is read, no timer is armed
// (Reconnector drives it on Asio), so it is unit-tested with plain time points.
//
//   attempt_started(t0)   the connection is being opened
//   failed(t1)            next_attempt() = t1 + backoff, or nullopt: given up
//   demand(t2)            next_attempt() <= max(t2, t0 + hurry_interval)
//   succeeded()           backoff reset, nothing scheduled

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "common/backoff.hpp"

namespace pgwamp {

class ReconnectSchedule {
public:
    using Clock = std::chrono::steady_clock;

    explicit ReconnectSchedule(BackoffOptions options,
                               std::chrono::milliseconds hurry_interval = std::chrono::milliseconds{250},
                               std::uint64_t seed = random_seed());

    // An attempt begins: remembered as the last one; nothing is scheduled while it runs.
    void attempt_started(Clock::time_point now);
    // The attempt failed (or a working connection was lost): the next one is
    // due after the backoff's delay, hurried if demanded; when the backoff has
    // no delay left, nothing is scheduled and exhausted() turns true.
    void failed(Clock::time_point now);
    // Connected: the backoff starts over and nothing is scheduled.
    void succeeded();
    // Callers are waiting for this connection: the next attempt comes no later
    // than the last attempt + hurry_interval (and not before now), whatever the
    // backoff says. Applies to the attempt scheduled now, or, while an attempt
    // runs, to the one its failure schedules. Does not revive an exhausted schedule.
    void demand(Clock::time_point now);

    // When the next attempt is due; nullopt: none scheduled (connected, an
    // attempt running, nothing started yet) or given up.
    std::optional<Clock::time_point> next_attempt() const { return next_; }
    bool exhausted() const { return exhausted_; }
    // Consecutive failures since the last success.
    std::size_t failures() const { return failures_; }
    std::chrono::milliseconds hurry_interval() const { return hurry_interval_; }

private:
    Clock::time_point hurried(Clock::time_point now) const;

    Backoff backoff_;
    std::chrono::milliseconds hurry_interval_;
    std::optional<Clock::time_point> last_attempt_;
    std::optional<Clock::time_point> next_;
    bool demanded_ = false;  // a demand waiting for the next failure to schedule an attempt
    bool exhausted_ = false;
    std::size_t failures_ = 0;
};

}  // namespace pgwamp
