// The stitch between a live query's snapshot and the stream: which held
// transactions the snapshot already saw (dropped) and which it did not
// (released, in order), over synthetic xids.
#include "service/live_stitch.hpp"

#include <gtest/gtest.h>

namespace pgwamp::service {
namespace {

std::vector<std::string> names(const Array& changes) {
    std::vector<std::string> out;
    for (const auto& c : changes) out.push_back(c.as<std::string>());
    return out;
}

// Snapshot 100:105:100,102 — 100 and 102 were running, 101, 103, 104 had committed.
db::XidSnapshot running_100_and_102() { return *db::XidSnapshot::parse("100:105:100,102"); }

TEST(LiveStitch, NotReadyUntilSnapshotRowsAndFence) {
    LiveStitch s(10);
    EXPECT_FALSE(s.ready());
    s.snapshot_taken(running_100_and_102());
    EXPECT_FALSE(s.ready());
    s.rows_read();
    EXPECT_FALSE(s.ready());
    s.fence_seen("0000000000000200/00000000");
    EXPECT_TRUE(s.ready());
}

TEST(LiveStitch, DropsWhatTheSnapshotSawAndKeepsTheRestInCommitOrder) {
    LiveStitch s(10);
    // Commit order in the WAL is not visibility order: 102 committed (WAL)
    // before 101 yet was still running for the snapshot, 101 was seen.
    ASSERT_TRUE(s.hold(99, "0000000000000100/00000000", Value("before-xmin")));
    ASSERT_TRUE(s.hold(102, "0000000000000110/00000000", Value("in-progress-102")));
    ASSERT_TRUE(s.hold(101, "0000000000000120/00000000", Value("committed-101")));
    ASSERT_TRUE(s.hold(100, "0000000000000130/00000000", Value("in-progress-100")));
    ASSERT_TRUE(s.hold(105, "0000000000000140/00000000", Value("at-xmax")));
    ASSERT_TRUE(s.hold(104, "0000000000000150/00000000", Value("committed-104")));
    s.snapshot_taken(running_100_and_102());
    s.rows_read();
    s.fence_seen("0000000000000145/00000000");
    ASSERT_TRUE(s.ready());
    auto r = s.release();
    EXPECT_EQ(names(r.changes), (std::vector<std::string>{"in-progress-102", "in-progress-100", "at-xmax"}));
    EXPECT_EQ(r.position, "0000000000000145/00000000");  // the fence: nothing released after it
    EXPECT_EQ(s.held(), 0u);
}

TEST(LiveStitch, ChangesAfterTheFenceMoveTheReadyPosition) {
    // The rows were still being read when the fence passed: what came after
    // it is released too, and the caller is current from the last of them.
    LiveStitch s(10);
    s.snapshot_taken(running_100_and_102());
    s.fence_seen("0000000000000200/00000000");
    ASSERT_TRUE(s.hold(107, "0000000000000210/00000001", Value("after-fence")));
    s.rows_read();
    auto r = s.release();
    EXPECT_EQ(names(r.changes), (std::vector<std::string>{"after-fence"}));
    EXPECT_EQ(r.position, "0000000000000210/00000001");
}

TEST(LiveStitch, WraparoundOfThe32BitXid) {
    const std::uint64_t epoch1 = std::uint64_t{1} << 32;
    LiveStitch s(10);
    s.snapshot_taken(db::XidSnapshot(epoch1 + 0xFFFFFFF0u, epoch1 + 0xFFFFFFF8u, {epoch1 + 0xFFFFFFF1u}));
    ASSERT_TRUE(s.hold(0xFFFFFFF2u, "0000000000000100/00000000", Value("seen")));
    ASSERT_TRUE(s.hold(0xFFFFFFF1u, "0000000000000110/00000000", Value("was-running")));
    ASSERT_TRUE(s.hold(2, "0000000000000120/00000000", Value("after-wrap")));
    s.rows_read();
    s.fence_seen("0000000000000130/00000000");
    EXPECT_EQ(names(s.release().changes), (std::vector<std::string>{"was-running", "after-wrap"}));
}

TEST(LiveStitch, OnceTheSnapshotIsKnownWhatItSawIsNotHeld) {
    LiveStitch s(2);
    s.snapshot_taken(running_100_and_102());
    EXPECT_TRUE(s.hold(99, "0000000000000001/00000000", Value("seen")));
    EXPECT_TRUE(s.hold(101, "0000000000000002/00000000", Value("seen too")));
    EXPECT_TRUE(s.hold(104, "0000000000000003/00000000", Value("and this")));
    EXPECT_EQ(s.held(), 0u);
    EXPECT_TRUE(s.hold(102, "0000000000000004/00000000", Value("not seen")));
    EXPECT_EQ(s.held(), 1u);
}

TEST(LiveStitch, RefusesToHoldMoreThanItsLimit) {
    LiveStitch s(2);
    EXPECT_TRUE(s.hold(1, "0000000000000001/00000000", Value("a")));
    EXPECT_TRUE(s.hold(2, "0000000000000002/00000000", Value("b")));
    EXPECT_FALSE(s.hold(3, "0000000000000003/00000000", Value("c")));
}

}  // namespace
}  // namespace pgwamp::service
