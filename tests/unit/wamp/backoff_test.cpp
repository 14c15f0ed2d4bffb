#include <gtest/gtest.h>

#include "wamp/backoff.hpp"

using namespace pgwamp::wamp;
using namespace std::chrono_literals;

TEST(Backoff, FirstRetryIsQuickThenGrowsToTheCap) {
    Backoff b({100ms, 5000ms}, 42);
    auto first = b.next();
    EXPECT_GE(first, 50ms);
    EXPECT_LE(first, 100ms);
    std::chrono::milliseconds last{};
    for (int i = 0; i < 20; ++i) last = b.next();
    EXPECT_GE(last, 2500ms);
    EXPECT_LE(last, 5000ms);
}

TEST(Backoff, EachDelayStaysWithinItsJitterWindow) {
    Backoff b({100ms, 1600ms}, 7);
    std::int64_t ceiling = 100;
    for (int i = 0; i < 10; ++i) {
        auto d = b.next().count();
        EXPECT_GE(d, ceiling / 2) << i;
        EXPECT_LE(d, ceiling) << i;
        ceiling = std::min<std::int64_t>(ceiling * 2, 1600);
    }
}

TEST(Backoff, JitterSpreadsDifferentSeeds) {
    // Two processes reconnecting to the same router should not retry in lockstep.
    int differing = 0;
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        Backoff a({100ms, 5000ms}, seed), b({100ms, 5000ms}, seed + 1000);
        for (int i = 0; i < 5; ++i) {
            a.next();
            b.next();
        }
        if (a.next() != b.next()) ++differing;
    }
    EXPECT_GE(differing, 15);
}

TEST(Backoff, ResetStartsOverAndNeverOverflows) {
    Backoff b({100ms, 5000ms}, 1);
    for (int i = 0; i < 1000; ++i) EXPECT_LE(b.next(), 5000ms);
    EXPECT_EQ(b.attempt(), 1000u);
    b.reset();
    EXPECT_EQ(b.attempt(), 0u);
    EXPECT_LE(b.next(), 100ms);
}

TEST(Backoff, NonsenseOptionsAreClamped) {
    Backoff b({0ms, 0ms}, 1);
    auto d = b.next();
    EXPECT_GE(d, 1ms);
    EXPECT_LE(d, 1ms);
}

TEST(Backoff, FactorAndJitterFromTheConfigShapeEachWindow) {
    BackoffOptions options{100ms, 10000ms};
    options.factor = 3.0;
    options.jitter = 0.1;
    Backoff b(options, 11);
    std::int64_t ceiling = 100;
    for (int i = 0; i < 6; ++i) {
        auto d = b.next().count();
        EXPECT_GE(d, ceiling * 9 / 10) << i;
        EXPECT_LE(d, ceiling) << i;
        ceiling = std::min<std::int64_t>(ceiling * 3, 10000);
    }
}

TEST(Backoff, MaxAttemptsExhaustsAndResetRestoresHope) {
    BackoffOptions options{100ms, 1000ms};
    options.max_attempts = 3;
    Backoff b(options, 5);
    for (int i = 0; i < 3; ++i) {
        EXPECT_FALSE(b.exhausted()) << i;
        b.next();
    }
    EXPECT_TRUE(b.exhausted());
    b.reset();
    EXPECT_FALSE(b.exhausted());

    Backoff forever({100ms, 1000ms}, 5);  // max_attempts 0: never gives up
    for (int i = 0; i < 1000; ++i) forever.next();
    EXPECT_FALSE(forever.exhausted());
}
