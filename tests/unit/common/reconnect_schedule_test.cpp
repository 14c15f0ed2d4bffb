#include <gtest/gtest.h>

#include "common/reconnect_schedule.hpp"

namespace pgwamp {
namespace {

using namespace std::chrono_literals;
using Clock = ReconnectSchedule::Clock;

// A fixed origin: the schedule only ever compares and adds time points.
const Clock::time_point t0 = Clock::time_point{} + 1000s;

BackoffOptions exact(std::chrono::milliseconds initial, std::chrono::milliseconds max, std::size_t max_attempts = 0) {
    BackoffOptions o;
    o.initial_delay = initial;
    o.max_delay = max;
    o.jitter = 0.0;
    o.max_attempts = max_attempts;
    return o;
}

// Fails attempts at t, t+1s, ... so the backoff has grown past its first steps.
Clock::time_point fail_times(ReconnectSchedule& s, int n) {
    auto t = t0;
    for (int i = 0; i < n; ++i, t += 1s) {
        s.attempt_started(t);
        s.failed(t + 10ms);
    }
    return t;
}

TEST(ReconnectSchedule, NothingScheduledUntilSomethingFails) {
    ReconnectSchedule s(exact(100ms, 1000ms));
    EXPECT_EQ(s.next_attempt(), std::nullopt);
    s.attempt_started(t0);
    EXPECT_EQ(s.next_attempt(), std::nullopt);
    EXPECT_FALSE(s.exhausted());
    EXPECT_EQ(s.failures(), 0u);
}

TEST(ReconnectSchedule, FailuresScheduleTheBackoffFromTheFailure) {
    ReconnectSchedule s(exact(100ms, 1000ms));
    s.attempt_started(t0);
    s.failed(t0 + 30ms);
    EXPECT_EQ(s.next_attempt(), t0 + 30ms);  // the first retry at once
    s.attempt_started(t0 + 30ms);
    EXPECT_EQ(s.next_attempt(), std::nullopt) << "an attempt under way is not scheduled again";
    s.failed(t0 + 50ms);
    EXPECT_EQ(s.next_attempt(), t0 + 150ms);
    s.attempt_started(t0 + 150ms);
    s.failed(t0 + 160ms);
    EXPECT_EQ(s.next_attempt(), t0 + 360ms);
    EXPECT_EQ(s.failures(), 3u);
}

TEST(ReconnectSchedule, GivesUpAfterMaxAttempts) {
    ReconnectSchedule s(exact(10ms, 100ms, 2));
    s.attempt_started(t0);
    s.failed(t0);
    s.attempt_started(t0);
    s.failed(t0);
    EXPECT_TRUE(s.next_attempt().has_value());
    EXPECT_FALSE(s.exhausted());
    s.attempt_started(t0 + 10ms);
    s.failed(t0 + 20ms);
    EXPECT_TRUE(s.exhausted());
    EXPECT_EQ(s.next_attempt(), std::nullopt);
    EXPECT_EQ(s.failures(), 3u);
}

TEST(ReconnectSchedule, SuccessStartsOver) {
    ReconnectSchedule s(exact(100ms, 1000ms, 3));
    const auto t = fail_times(s, 3);
    s.attempt_started(t);
    s.succeeded();
    EXPECT_EQ(s.next_attempt(), std::nullopt);
    EXPECT_EQ(s.failures(), 0u);
    EXPECT_FALSE(s.exhausted());
    s.failed(t + 5s);  // the connection is lost later: retried at once again
    EXPECT_EQ(s.next_attempt(), t + 5s);
}

TEST(ReconnectSchedule, DemandCapsTheWaitAtTheHurryInterval) {
    ReconnectSchedule s(exact(10s, 10s), 250ms);
    s.attempt_started(t0);
    s.failed(t0 + 20ms);  // at once
    s.attempt_started(t0 + 20ms);
    s.failed(t0 + 40ms);
    EXPECT_EQ(s.next_attempt(), t0 + 40ms + 10s);
    s.demand(t0 + 100ms);
    EXPECT_EQ(s.next_attempt(), t0 + 20ms + 250ms) << "last attempt + hurry interval";
}

TEST(ReconnectSchedule, DemandLongAfterTheLastAttemptMeansNow) {
    ReconnectSchedule s(exact(10s, 10s), 250ms);
    fail_times(s, 2);  // last attempt at t0 + 1s, next at t0 + 1s + 10ms + 10s
    s.demand(t0 + 4s);
    EXPECT_EQ(s.next_attempt(), t0 + 4s);
}

TEST(ReconnectSchedule, DemandNeverPostponesASoonerAttempt) {
    ReconnectSchedule s(exact(10s, 10s), 250ms);
    s.attempt_started(t0);
    s.failed(t0 + 10ms);  // first retry at once: t0 + 10ms
    s.demand(t0 + 10ms);
    EXPECT_EQ(s.next_attempt(), t0 + 10ms);
}

TEST(ReconnectSchedule, DemandDuringAnAttemptHurriesTheRetryAfterItsFailureOnly) {
    ReconnectSchedule s(exact(10s, 10s), 250ms);
    const auto t = fail_times(s, 1);  // backoff has used its "at once"
    s.attempt_started(t);
    s.demand(t + 10ms);
    EXPECT_EQ(s.next_attempt(), std::nullopt);
    s.failed(t + 50ms);
    EXPECT_EQ(s.next_attempt(), t + 250ms);
    // Nobody asked again: the backoff is back in charge.
    s.attempt_started(t + 250ms);
    s.failed(t + 300ms);
    EXPECT_EQ(s.next_attempt(), t + 300ms + 10s);
}

TEST(ReconnectSchedule, DemandDoesNotReviveAnExhaustedSchedule) {
    ReconnectSchedule s(exact(10ms, 10ms, 1), 250ms);
    fail_times(s, 2);
    ASSERT_TRUE(s.exhausted());
    s.demand(t0 + 5s);
    EXPECT_EQ(s.next_attempt(), std::nullopt);
    EXPECT_TRUE(s.exhausted());
}

TEST(ReconnectSchedule, SameSeedSameSchedule) {
    BackoffOptions o;
    o.jitter = 0.5;
    ReconnectSchedule a(o, 250ms, 7), b(o, 250ms, 7);
    for (int i = 0; i < 10; ++i) {
        a.attempt_started(t0 + i * 1s);
        b.attempt_started(t0 + i * 1s);
        a.failed(t0 + i * 1s);
        b.failed(t0 + i * 1s);
        ASSERT_EQ(a.next_attempt(), b.next_attempt()) << i;
    }
}

}  // namespace
}  // namespace pgwamp
