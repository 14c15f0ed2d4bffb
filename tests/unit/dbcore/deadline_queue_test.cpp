#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "db/deadline_queue.hpp"

namespace pgwamp::db {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(DeadlineQueue, FiresDueEntriesInDeadlineOrderAndSkipsRemovedOnes) {
    boost::asio::io_context io;
    auto q = DeadlineQueue::create(io.get_executor());
    std::vector<std::string> fired;
    auto c = q->add(30ms, [&] { fired.push_back("c"); });
    auto a = q->add(10ms, [&] { fired.push_back("a"); });  // earlier than the armed one
    auto b = q->add(20ms, [&] { fired.push_back("b"); });
    q->remove(b);
    EXPECT_FALSE(b);
    EXPECT_EQ(q->size(), 2u);
    io.run();
    EXPECT_EQ(fired, (std::vector<std::string>{"a", "c"}));
    EXPECT_EQ(q->size(), 0u);
    (void)a;
    (void)c;
}

TEST(DeadlineQueue, AnEarlierDeadlineIsNotHeldUpByALaterOne) {
    boost::asio::io_context io;
    auto q = DeadlineQueue::create(io.get_executor());
    bool late_fired = false;
    Clock::time_point early_at{};
    auto late = q->add(10s, [&] { late_fired = true; });
    auto start = Clock::now();
    q->add(20ms, [&] {
        early_at = Clock::now();
        q->remove(late);  // lets io.run() return: nothing else is due
        q->clear();
    });
    io.run();
    EXPECT_FALSE(late_fired);
    ASSERT_NE(early_at, Clock::time_point{});
    EXPECT_GE(early_at - start, 20ms);
    EXPECT_LT(early_at - start, 5s);  // not the late entry's 10 s
}

TEST(DeadlineQueue, ACallbackMayAddEntries) {
    boost::asio::io_context io;
    auto q = DeadlineQueue::create(io.get_executor());
    int chain = 0;
    std::function<void()> next = [&] {
        if (++chain < 3) q->add(1ms, next);
    };
    q->add(1ms, next);
    io.run();
    EXPECT_EQ(chain, 3);
}

TEST(DeadlineQueue, RemovingAFiredOrEmptyHandleIsHarmless) {
    boost::asio::io_context io;
    auto q = DeadlineQueue::create(io.get_executor());
    int fired = 0;
    auto h = q->add(1ms, [&] { ++fired; });
    io.run();
    EXPECT_EQ(fired, 1);
    q->remove(h);  // already fired
    DeadlineQueue::Handle none;
    q->remove(none);
    EXPECT_EQ(q->size(), 0u);
}

TEST(DeadlineQueue, ClearDropsEverythingAndLetsTheLoopEnd) {
    boost::asio::io_context io;
    auto q = DeadlineQueue::create(io.get_executor());
    bool fired = false;
    q->add(1h, [&] { fired = true; });
    q->clear();
    auto start = Clock::now();
    io.run();  // would block for an hour if the timer were still waiting
    EXPECT_FALSE(fired);
    EXPECT_LT(Clock::now() - start, 5s);
}

TEST(DeadlineQueue, DestroyedQueueNeverCallsBack) {
    boost::asio::io_context io;
    bool fired = false;
    {
        auto q = DeadlineQueue::create(io.get_executor());
        q->add(1ms, [&] { fired = true; });
    }
    io.run();
    EXPECT_FALSE(fired);
}

}  // namespace
}  // namespace pgwamp::db
