#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <memory>
#include <vector>

#include "common/reconnector.hpp"

namespace pgwamp {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

BackoffOptions quick(std::size_t max_attempts = 0) {
    BackoffOptions o;
    o.initial_delay = 5ms;
    o.max_delay = 20ms;
    o.jitter = 0.0;
    o.max_attempts = max_attempts;
    return o;
}

// A connection that fails its first `failures` attempts, reporting each
// outcome later (posted), as a real connect does.
struct Fixture {
    asio::io_context io;
    std::vector<std::uint64_t> attempts;  // generations, in order
    std::vector<Clock::time_point> attempted_at;
    int failures = 0;
    std::unique_ptr<Reconnector> r;

    explicit Fixture(BackoffOptions o, std::chrono::milliseconds hurry = 250ms) {
        r = std::make_unique<Reconnector>(io.get_executor(), o, [this](std::uint64_t gen) { attempt(gen); },
                                          hurry, 1);
    }
    void attempt(std::uint64_t gen) {
        attempts.push_back(gen);
        attempted_at.push_back(Clock::now());
        const bool fail = static_cast<int>(attempts.size()) <= failures;
        asio::post(io, [this, gen, fail] { fail ? (void)r->on_failure(gen) : r->on_success(gen); });
    }
    // Runs until no handler is left (run_for returns then), with a guard so a
    // bug that keeps retrying cannot hang the test.
    void run(std::chrono::milliseconds guard = 5s) {
        io.restart();
        const auto began = Clock::now();
        io.run_for(guard);
        EXPECT_LT(Clock::now() - began, guard) << "still busy when the guard expired";
    }
};

TEST(Reconnector, RetriesUntilConnectedThenStops) {
    Fixture f(quick());
    f.failures = 3;
    f.r->start();
    EXPECT_EQ(f.attempts.size(), 1u) << "start() runs the first attempt at once";
    f.run();
    ASSERT_EQ(f.attempts.size(), 4u);
    for (std::size_t i = 1; i < f.attempts.size(); ++i) EXPECT_LT(f.attempts[i - 1], f.attempts[i]);
    EXPECT_TRUE(f.r->current(f.attempts[3])) << "connected: its generation stays current";
    EXPECT_FALSE(f.r->current(f.attempts[2])) << "a failure ends its generation";
    EXPECT_FALSE(f.r->exhausted());
    // Waits: at once, then 5 ms, then 10 ms (the backoff, anchored at each failure).
    EXPECT_GE(f.attempted_at[2] - f.attempted_at[1], 5ms);
    EXPECT_GE(f.attempted_at[3] - f.attempted_at[2], 10ms);
}

TEST(Reconnector, NeverAttemptsInsideOnFailure) {
    Fixture f(quick());
    f.failures = 100;
    f.r->start();
    f.io.run_one();  // the first attempt's (posted) failure: schedules an "at once" retry
    EXPECT_EQ(f.attempts.size(), 1u);
    f.io.run_one();  // the timer
    EXPECT_EQ(f.attempts.size(), 2u);
    f.r->cancel();
}

TEST(Reconnector, StaleAndRepeatedReportsAreIgnored) {
    Fixture f(quick());
    f.failures = 100;
    f.r->start();
    const auto first = f.attempts.at(0);
    f.io.run_one();  // its failure: the retry is scheduled
    EXPECT_EQ(f.r->on_failure(first), std::nullopt) << "the same failure reported twice schedules once";
    f.io.run_one();  // the retry
    ASSERT_EQ(f.attempts.size(), 2u);
    const auto second = f.attempts.at(1);
    f.r->on_success(first);  // a late success of an old attempt
    EXPECT_EQ(f.r->failures(), 1u);
    EXPECT_TRUE(f.r->current(second));
    f.r->cancel();
    EXPECT_FALSE(f.r->current(second));
    f.run(1s);
    EXPECT_EQ(f.attempts.size(), 2u) << "nothing runs after cancel()";
}

TEST(Reconnector, GivesUpAfterMaxAttempts) {
    Fixture f(quick(2));
    f.failures = 100;
    f.r->start();
    f.run();  // returns once nothing is scheduled any more
    EXPECT_EQ(f.attempts.size(), 3u) << "the first attempt and max_attempts retries";
    EXPECT_TRUE(f.r->exhausted());
    EXPECT_EQ(f.r->failures(), 3u);
    f.r->demand();
    f.run(200ms);
    EXPECT_EQ(f.attempts.size(), 3u) << "a demand does not revive it";

    f.failures = 0;
    f.r->start();  // start() starts over
    f.run();
    EXPECT_FALSE(f.r->exhausted());
    EXPECT_EQ(f.r->failures(), 0u);
}

TEST(Reconnector, DemandCutsALongWait) {
    BackoffOptions slow;
    slow.initial_delay = 60s;
    slow.max_delay = 60s;
    slow.jitter = 0.0;
    Fixture f(slow, 20ms);
    f.failures = 2;  // attempt 1 fails, 2 (at once) fails, then a 60 s wait
    f.r->start();
    while (f.attempts.size() < 2) f.io.run_one();
    f.io.run_one();  // attempt 2's failure: next in 60 s
    ASSERT_EQ(f.attempts.size(), 2u);
    const auto asked = Clock::now();
    f.r->demand();
    f.run();
    ASSERT_EQ(f.attempts.size(), 3u);
    EXPECT_LT(f.attempted_at[2] - asked, 5s) << "waited out the backoff instead";
    EXPECT_GE(f.attempted_at[2] - f.attempted_at[1], 20ms) << "not before the hurry interval";
}

TEST(Reconnector, DestroyedWhileWaitingRunsNothing) {
    Fixture f(quick());
    f.failures = 100;
    f.r->start();
    f.io.run_one();  // failure: a retry is scheduled
    f.r.reset();
    f.run(200ms);
    EXPECT_EQ(f.attempts.size(), 1u);
}

}  // namespace
}  // namespace pgwamp
