// The wait before a refused sign-in is answered, per address, with a fake clock.

#include <gtest/gtest.h>

#include <string>

#include "service/refusal_delay.hpp"

namespace pgwamp::service {
namespace {

using namespace std::chrono_literals;

TEST(RefusalDelay, DoublesPerRefusalOfAnAddressUpToItsMax) {
    RefusalDelay delay({.first = 1000ms, .max = 5000ms, .forget_after = 60s, .max_tracked = 10});
    RefusalDelay::Clock::time_point now{};
    EXPECT_EQ(delay.refused("tcp4:10.0.0.1", now), 1000ms);
    EXPECT_EQ(delay.refused("tcp4:10.0.0.1", now), 2000ms);  // a flood: all at once
    EXPECT_EQ(delay.refused("tcp4:10.0.0.1", now), 4000ms);
    EXPECT_EQ(delay.refused("tcp4:10.0.0.1", now + 1s), 5000ms);
    EXPECT_EQ(delay.refused("tcp4:10.0.0.1", now + 2s), 5000ms);
    // Another address is not slowed by this one.
    EXPECT_EQ(delay.refused("tcp4:10.0.0.2", now + 2s), 1000ms);
}

TEST(RefusalDelay, AnAddressQuietForAWhileStartsAgain) {
    RefusalDelay delay({.first = 500ms, .max = 8000ms, .forget_after = 60s, .max_tracked = 10});
    RefusalDelay::Clock::time_point now{};
    delay.refused("tcp4:10.0.0.1", now);
    EXPECT_EQ(delay.refused("tcp4:10.0.0.1", now + 59s), 1000ms);
    EXPECT_EQ(delay.refused("tcp4:10.0.0.1", now + 59s + 60s), 500ms);
}

TEST(RefusalDelay, ZeroTurnsItOff) {
    RefusalDelay delay({.first = 0ms, .max = 8000ms, .forget_after = 60s, .max_tracked = 10});
    RefusalDelay::Clock::time_point now{};
    for (int i = 0; i < 5; ++i) EXPECT_EQ(delay.refused("tcp4:10.0.0.1", now), 0ms);
    EXPECT_EQ(delay.tracked(), 0u);
}

TEST(RefusalDelay, MemoryStaysBoundedUnderAnAddressSpray) {
    RefusalDelay delay({.first = 1000ms, .max = 8000ms, .forget_after = 60s, .max_tracked = 50});
    RefusalDelay::Clock::time_point now{};
    for (int i = 0; i < 1000; ++i) delay.refused("tcp4:10.1." + std::to_string(i / 250) + "." + std::to_string(i % 250), now);
    EXPECT_LE(delay.tracked(), 50u);
}

}  // namespace
}  // namespace pgwamp::service
