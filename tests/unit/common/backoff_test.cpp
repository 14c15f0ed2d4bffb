#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "common/backoff.hpp"

namespace pgwamp {
namespace {

using ms = std::chrono::milliseconds;
using namespace std::chrono_literals;

BackoffOptions exact(ms initial, ms max, double factor = 2.0) {
    BackoffOptions o;
    o.initial_delay = initial;
    o.max_delay = max;
    o.factor = factor;
    o.jitter = 0.0;
    return o;
}

std::vector<ms> take(Backoff& b, int n) {
    std::vector<ms> out;
    for (int i = 0; i < n; ++i) out.push_back(b.next().value());
    return out;
}

TEST(Backoff, FirstRetryAtOnce) {
    Backoff b(BackoffOptions{}, 1);
    EXPECT_EQ(b.next(), ms(0));
}

TEST(Backoff, GrowsByFactorFromInitialDelay) {
    Backoff b(exact(100ms, 100'000ms, 3.0), 1);
    EXPECT_EQ(take(b, 5), (std::vector<ms>{0ms, 100ms, 300ms, 900ms, 2700ms}));
}

TEST(Backoff, StopsAtTheCapAndStaysThere) {
    Backoff b(exact(100ms, 1000ms), 1);
    EXPECT_EQ(take(b, 7), (std::vector<ms>{0ms, 100ms, 200ms, 400ms, 800ms, 1000ms, 1000ms}));
    for (int i = 0; i < 10'000; ++i) ASSERT_EQ(b.next(), 1000ms) << i;  // no overflow, however long
}

TEST(Backoff, JitterOnlyShortensWithinItsBand) {
    BackoffOptions o = exact(100ms, 1600ms);
    o.jitter = 0.5;
    std::set<ms::rep> seen_first;
    for (std::uint64_t seed = 0; seed < 200; ++seed) {
        Backoff b(o, seed);
        EXPECT_EQ(b.next(), 0ms);
        ms::rep d = 100;
        for (int n = 1; n < 8; ++n) {
            const auto wait = b.next().value().count();
            EXPECT_GE(wait, d / 2) << "seed " << seed << " retry " << n;
            EXPECT_LE(wait, d) << "seed " << seed << " retry " << n;
            if (n == 1) seen_first.insert(wait);
            d = std::min<ms::rep>(d * 2, 1600);
        }
    }
    EXPECT_GT(seen_first.size(), 20u) << "jitter does not spread the first wait";
}

TEST(Backoff, ZeroJitterIsExactAndTenPercentStaysWithinIt) {
    BackoffOptions o = exact(1000ms, 1000ms);
    o.jitter = 0.1;
    Backoff b(o, 3);
    b.next();
    for (int i = 0; i < 100; ++i) {
        const auto wait = b.next().value();
        EXPECT_GE(wait, 900ms);
        EXPECT_LE(wait, 1000ms);
    }
}

TEST(Backoff, ExhaustsAfterMaxAttemptsAndResetRestoresIt) {
    BackoffOptions o = exact(10ms, 100ms);
    o.max_attempts = 3;
    Backoff b(o, 1);
    EXPECT_FALSE(b.exhausted());
    EXPECT_EQ(b.next(), 0ms);
    EXPECT_EQ(b.next(), 10ms);
    EXPECT_EQ(b.next(), 20ms);
    EXPECT_TRUE(b.exhausted());
    EXPECT_EQ(b.next(), std::nullopt);
    EXPECT_EQ(b.next(), std::nullopt);
    EXPECT_EQ(b.attempts(), 3u);

    b.reset();
    EXPECT_FALSE(b.exhausted());
    EXPECT_EQ(b.attempts(), 0u);
    EXPECT_EQ(b.next(), 0ms);
    EXPECT_EQ(b.next(), 10ms);
}

TEST(Backoff, MaxAttemptsZeroNeverGivesUp) {
    Backoff b(exact(1ms, 5ms), 1);
    for (int i = 0; i < 100'000; ++i) ASSERT_TRUE(b.next().has_value()) << i;
    EXPECT_FALSE(b.exhausted());
}

TEST(Backoff, SameSeedSameDelaysOtherSeedOtherDelays) {
    BackoffOptions o;
    o.jitter = 0.5;
    Backoff a(o, 42), b(o, 42), c(o, 43);
    const auto first = take(a, 20);
    EXPECT_EQ(first, take(b, 20));
    EXPECT_NE(first, take(c, 20));
}

TEST(Backoff, NonsenseOptionsAreClamped) {
    BackoffOptions o;
    o.initial_delay = 500ms;
    o.max_delay = 10ms;  // below initial: raised to it
    o.factor = 0.5;      // shrinking: treated as 1
    o.jitter = 7.0;      // beyond 1: 1, a wait anywhere in [0, d]
    Backoff b(o, 9);
    EXPECT_EQ(b.options().max_delay, 500ms);
    EXPECT_EQ(b.options().factor, 1.0);
    EXPECT_EQ(b.options().jitter, 1.0);
    b.next();
    for (int i = 0; i < 50; ++i) EXPECT_LE(b.next().value(), 500ms);

    Backoff negative(exact(-5ms, -1ms), 1);
    EXPECT_EQ(take(negative, 3), (std::vector<ms>{0ms, 0ms, 0ms}));
}

TEST(Backoff, DefaultsAreTheConfigDefaults) {
    // docs/config.md "Backoff": 100 ms, x2, cap 10 s, jitter 0.1, never give up.
    BackoffOptions o;
    EXPECT_EQ(o.initial_delay, 100ms);
    EXPECT_EQ(o.max_delay, 10'000ms);
    EXPECT_EQ(o.factor, 2.0);
    EXPECT_EQ(o.jitter, 0.1);
    EXPECT_EQ(o.max_attempts, 0u);
}

}  // namespace
}  // namespace pgwamp
