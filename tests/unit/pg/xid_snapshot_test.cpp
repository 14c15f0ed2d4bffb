// The stitch's one decision: did the snapshot already see a streamed
// transaction? Synthetic snapshots: in progress, after xmax, wraparound.
#include "pg/xid_snapshot.hpp"

#include <gtest/gtest.h>

namespace pgwamp::db {
namespace {

TEST(XidSnapshot, ParsesWhatPgCurrentSnapshotPrints) {
    auto s = XidSnapshot::parse("100:105:100,102");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->xmin(), 100u);
    EXPECT_EQ(s->xmax(), 105u);
    EXPECT_EQ(s->in_progress(), (std::vector<std::uint64_t>{100, 102}));
    auto empty = XidSnapshot::parse("7:7:");
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->in_progress().empty());
}

TEST(XidSnapshot, RefusesWhatIsNotASnapshot) {
    for (const char* bad : {"", "1", "1:2", "x:2:", "5:2:", "1:5:7", "1:5:2,", "1:5:,2", "1:5:2,x", "-1:5:",
                            "1:99999999999999999999:"})
        EXPECT_FALSE(XidSnapshot::parse(bad)) << bad;
}

TEST(XidSnapshot, CommittedBeforeXminWasSeen) {
    auto s = *XidSnapshot::parse("100:105:100,102");
    EXPECT_TRUE(s.saw(99));
    EXPECT_TRUE(s.saw(3));
}

TEST(XidSnapshot, InProgressWasNotSeen) {
    auto s = *XidSnapshot::parse("100:105:100,102");
    EXPECT_FALSE(s.saw(100));
    EXPECT_FALSE(s.saw(102));
    // Between xmin and xmax and not running: it had committed.
    EXPECT_TRUE(s.saw(101));
    EXPECT_TRUE(s.saw(103));
    EXPECT_TRUE(s.saw(104));
}

TEST(XidSnapshot, AtOrAfterXmaxWasNotSeen) {
    auto s = *XidSnapshot::parse("100:105:100,102");
    EXPECT_FALSE(s.saw(105));
    EXPECT_FALSE(s.saw(5000));
}

TEST(XidSnapshot, WidensAcrossTheWraparoundOfThe32BitCounter) {
    // xmax just below an epoch boundary: small 32-bit xids are after it.
    const std::uint64_t epoch1 = std::uint64_t{1} << 32;
    XidSnapshot before_wrap(epoch1 + 0xFFFFFFF0u, epoch1 + 0xFFFFFFF5u, {epoch1 + 0xFFFFFFF2u});
    EXPECT_EQ(before_wrap.widen(3), 2 * epoch1 + 3);
    EXPECT_FALSE(before_wrap.saw(3));            // started after the snapshot
    EXPECT_TRUE(before_wrap.saw(0xFFFFFFF1u));   // committed before it
    EXPECT_FALSE(before_wrap.saw(0xFFFFFFF2u));  // in progress
    EXPECT_TRUE(before_wrap.saw(0xFFFFFF00u));   // long committed, same epoch
    // xmax just after the boundary: large 32-bit xids are from the epoch before.
    XidSnapshot after_wrap(2 * epoch1 + 1, 2 * epoch1 + 4, {2 * epoch1 + 2});
    EXPECT_EQ(after_wrap.widen(0xFFFFFFFEu), epoch1 + 0xFFFFFFFEu);
    EXPECT_TRUE(after_wrap.saw(0xFFFFFFFEu));
    EXPECT_FALSE(after_wrap.saw(2));
    EXPECT_TRUE(after_wrap.saw(3));
    EXPECT_FALSE(after_wrap.saw(4));
}

TEST(XidSnapshot, EpochZeroNeverWidensBelowZero) {
    XidSnapshot s(3, 10, {});
    EXPECT_EQ(s.widen(0xFFFFFFF0u), 0xFFFFFFF0u);  // cannot be from an epoch before the first
    EXPECT_FALSE(s.saw(0xFFFFFFF0u));
}

}  // namespace
}  // namespace pgwamp::db
