#include "latency.hpp"

#include <gtest/gtest.h>

#include <numeric>

using namespace pgwamp::bench;

TEST(Percentile, NearestRankOnOneToHundred) {
    std::vector<std::uint64_t> v(100);
    std::iota(v.begin(), v.end(), 1);
    EXPECT_EQ(percentile(v, 0.50), 50u);
    EXPECT_EQ(percentile(v, 0.99), 99u);
    EXPECT_EQ(percentile(v, 0.999), 100u);
    EXPECT_EQ(percentile(v, 1.0), 100u);
    EXPECT_EQ(percentile(v, 0.0), 1u);
}

TEST(Percentile, EmptyAndSingleAndOutOfRange) {
    EXPECT_EQ(percentile({}, 0.5), 0u);
    EXPECT_EQ(percentile({7}, 0.5), 7u);
    EXPECT_EQ(percentile({7}, 0.999), 7u);
    EXPECT_EQ(percentile({1, 2, 3}, -1.0), 1u);
    EXPECT_EQ(percentile({1, 2, 3}, 2.0), 3u);
}

TEST(LatencyRecorder, SummarizesUnsortedSamplesInMicroseconds) {
    LatencyRecorder r;
    for (int us : {400, 100, 300, 200}) {
        r.add(std::chrono::microseconds(us));
    }
    r.add(std::chrono::nanoseconds(-5));  // a clock step never yields a negative latency
    auto s = r.summarize();
    EXPECT_EQ(s.count, 5u);
    EXPECT_DOUBLE_EQ(s.max_us, 400.0);
    EXPECT_DOUBLE_EQ(s.p50_us, 200.0);
    EXPECT_DOUBLE_EQ(s.mean_us, 200.0);
}

TEST(LatencyRecorder, EmptyIsAllZero) {
    LatencyRecorder r;
    auto s = r.summarize();
    EXPECT_EQ(s.count, 0u);
    EXPECT_EQ(s.p99_us, 0.0);
}
