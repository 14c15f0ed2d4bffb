// The slot's confirmed position: past a transaction only when it committed
// and every change in it was acknowledged, and only in commit order.

#include <gtest/gtest.h>

#include "changes/change_acks.hpp"

namespace pgwamp::db {
namespace {

TEST(ChangeAcks, MovesPastATransactionWhenAllItsChangesAreAcknowledged) {
    ChangeAcks acks;
    acks.reset(100);
    const auto t = acks.begin();
    acks.add_change(t);
    acks.add_change(t);
    acks.commit(t, 200);
    EXPECT_EQ(acks.confirmed(), 100u);
    EXPECT_EQ(acks.unacknowledged(), 2u);
    acks.acknowledge(t);
    EXPECT_EQ(acks.confirmed(), 100u);
    acks.acknowledge(t);
    EXPECT_EQ(acks.confirmed(), 200u);
    EXPECT_EQ(acks.unacknowledged(), 0u);
    EXPECT_TRUE(acks.idle());
}

TEST(ChangeAcks, NotBeforeTheCommitArrived) {
    ChangeAcks acks;
    acks.reset(0);
    const auto t = acks.begin();
    acks.add_change(t);
    acks.acknowledge(t);  // the rest of the transaction is still on the way
    EXPECT_EQ(acks.confirmed(), 0u);
    EXPECT_FALSE(acks.idle());
    acks.commit(t, 50);
    EXPECT_EQ(acks.confirmed(), 50u);
}

TEST(ChangeAcks, InCommitOrderOnly) {
    ChangeAcks acks;
    acks.reset(0);
    const auto first = acks.begin();
    acks.add_change(first);
    acks.commit(first, 10);
    const auto second = acks.begin();
    acks.add_change(second);
    acks.commit(second, 20);
    acks.acknowledge(second);  // the later one first: the earlier still holds the slot
    EXPECT_EQ(acks.confirmed(), 0u);
    acks.acknowledge(first);
    EXPECT_EQ(acks.confirmed(), 20u);
}

TEST(ChangeAcks, EmptyTransactionsAndIdleKeepalivesAdvance) {
    ChangeAcks acks;
    acks.reset(5);
    const auto t = acks.begin();
    acks.commit(t, 30);  // nothing in it for us (another table)
    EXPECT_EQ(acks.confirmed(), 30u);
    acks.confirm_idle(90);  // a keepalive on an idle slot
    EXPECT_EQ(acks.confirmed(), 90u);
    acks.confirm_idle(40);  // never backwards
    EXPECT_EQ(acks.confirmed(), 90u);
    const auto busy = acks.begin();
    acks.add_change(busy);
    acks.confirm_idle(500);  // something is pending: the server's position is not ours to confirm
    EXPECT_EQ(acks.confirmed(), 90u);
}

TEST(ChangeAcks, UnknownAndRepeatedAcknowledgementsAreIgnored) {
    ChangeAcks acks;
    acks.reset(0);
    const auto t = acks.begin();
    acks.add_change(t);
    acks.add_change(t);
    acks.commit(t, 10);
    acks.acknowledge(t + 7);
    acks.acknowledge(0);
    EXPECT_EQ(acks.unacknowledged(), 2u);
    acks.acknowledge(t);
    acks.acknowledge(t);
    acks.acknowledge(t);  // one too many: the transaction is gone already
    EXPECT_EQ(acks.confirmed(), 10u);
    EXPECT_EQ(acks.unacknowledged(), 0u);
}

TEST(ChangeAcks, ResetForgetsWhatWasPending) {
    ChangeAcks acks;
    acks.reset(0);
    const auto t = acks.begin();
    acks.add_change(t);
    acks.reset(7);  // a new stream from the slot
    EXPECT_TRUE(acks.idle());
    EXPECT_EQ(acks.unacknowledged(), 0u);
    acks.acknowledge(t);  // from the old stream
    EXPECT_EQ(acks.confirmed(), 7u);
}

}  // namespace
}  // namespace pgwamp::db
