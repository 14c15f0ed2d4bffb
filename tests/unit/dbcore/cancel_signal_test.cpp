#include <gtest/gtest.h>

#include "db/cancel_signal.hpp"

namespace pgwamp::db {
namespace {

TEST(CancelSignal, ReachesEveryAttachedOperationOnceAndSkipsDetachedOnes) {
    CancelSignal s;
    int a = 0, b = 0, c = 0;
    s.attach([&] { ++a; });
    auto slot_b = s.attach([&] { ++b; });
    s.attach([&] { ++c; });
    s.detach(slot_b);
    EXPECT_EQ(s.attached(), 2u);
    s.cancel();
    s.cancel();
    EXPECT_EQ(a, 1);
    EXPECT_EQ(b, 0);
    EXPECT_EQ(c, 1);
    EXPECT_TRUE(s.canceled());
    EXPECT_EQ(s.attached(), 0u);
}

TEST(CancelSignal, CallbackMayDetachOthersWhileCanceling) {
    CancelSignal s;
    int calls = 0;
    CancelSignal::Slot second = 0;
    s.attach([&] {
        ++calls;
        s.detach(second);  // must not invalidate the iteration
    });
    second = s.attach([&] { ++calls; });
    s.cancel();
    EXPECT_EQ(calls, 2);  // both were attached when cancel() began
}

}  // namespace
}  // namespace pgwamp::db
