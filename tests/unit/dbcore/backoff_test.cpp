#include <gtest/gtest.h>

#include "db/backoff.hpp"

namespace pgwamp::db {
namespace {

using ms = std::chrono::milliseconds;

TEST(Backoff, FirstRetryAtOnceThenGrowsToTheCap) {
    BackoffOptions o;
    o.initial_delay = ms(100);
    o.factor = 2.0;
    o.max_delay = ms(1000);
    o.jitter = 0.0;
    Backoff b(o, 42);
    EXPECT_EQ(b.next(), ms(0));
    EXPECT_EQ(b.next(), ms(100));
    EXPECT_EQ(b.next(), ms(200));
    EXPECT_EQ(b.next(), ms(400));
    EXPECT_EQ(b.next(), ms(800));
    EXPECT_EQ(b.next(), ms(1000));
    for (int i = 0; i < 100; ++i) EXPECT_EQ(b.next(), ms(1000));  // no retry limit by default
    b.reset();
    EXPECT_EQ(b.next(), ms(0));
}

TEST(Backoff, JitterStaysWithinItsBandAndUnderTheCap) {
    BackoffOptions o;
    o.initial_delay = ms(1000);
    o.factor = 1.0;
    o.max_delay = ms(1100);
    o.jitter = 0.2;
    Backoff b(o, 7);
    b.next();
    bool varied = false;
    auto first = *b.next();
    for (int i = 0; i < 1000; ++i) {
        auto d = *b.next();
        EXPECT_GE(d, ms(800));
        EXPECT_LE(d, ms(1100));
        varied = varied || d != first;
    }
    EXPECT_TRUE(varied);
}

TEST(Backoff, StopsAfterMaxRetries) {
    BackoffOptions o;
    o.max_retries = 3;
    Backoff b(o, 1);
    EXPECT_TRUE(b.next());
    EXPECT_TRUE(b.next());
    EXPECT_TRUE(b.next());
    EXPECT_FALSE(b.next());
    EXPECT_EQ(b.attempts(), 3u);
}

TEST(Backoff, DefaultsMatchTheIssue) {
    BackoffOptions o;
    EXPECT_EQ(o.max_delay, ms(10000));
    EXPECT_EQ(o.max_retries, 0u);
    Backoff b(o);
    EXPECT_EQ(b.next(), ms(0));
}

}  // namespace
}  // namespace pgwamp::db
