#include <gtest/gtest.h>

#include "wamp/error.hpp"
#include "wamp/send_queue.hpp"

using namespace pgwamp::wamp;

TEST(SendQueue, RefusesPastTheBoundWithoutQueuing) {
    SendQueue q(10);
    EXPECT_FALSE(q.push("12345"));
    EXPECT_FALSE(q.push("12345"));
    EXPECT_EQ(q.bytes(), 10u);
    EXPECT_EQ(q.push("x"), Errc::send_queue_full);
    EXPECT_EQ(q.size(), 2u);
    EXPECT_EQ(q.bytes(), 10u);
}

TEST(SendQueue, PopFreesRoomInFifoOrder) {
    SendQueue q(10);
    ASSERT_FALSE(q.push("aaaaa"));
    ASSERT_FALSE(q.push("bbbbb"));
    EXPECT_EQ(q.front(), "aaaaa");
    q.pop();
    EXPECT_EQ(q.bytes(), 5u);
    EXPECT_FALSE(q.push("ccc"));
    EXPECT_EQ(q.front(), "bbbbb");
    q.pop();
    EXPECT_EQ(q.front(), "ccc");
    q.pop();
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(q.bytes(), 0u);
}

TEST(SendQueue, EmptyQueueTakesOneOversizedFrame) {
    // A message within the negotiated limit but above the queue bound must
    // still be sendable, or it could never go out at all.
    SendQueue q(4);
    EXPECT_FALSE(q.push("0123456789"));
    EXPECT_EQ(q.push("x"), Errc::send_queue_full);
    q.clear();
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(q.bytes(), 0u);
}
