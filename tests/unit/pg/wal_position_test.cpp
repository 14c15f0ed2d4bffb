// What a standby must have replayed: the insert position's page-header rule
// and the target of a row-change event's position.

#include <gtest/gtest.h>

#include "pg/wal_position.hpp"

namespace pgwamp::db {
namespace {

TEST(WalPosition, ReplayedAtOrPastTheTargetHasIt) {
    EXPECT_TRUE(has_replayed(0x1000, 0x1000));
    EXPECT_TRUE(has_replayed(0x1008, 0x1000));
    EXPECT_FALSE(has_replayed(0x0FF8, 0x1000));
    EXPECT_TRUE(has_replayed(0, 0));
}

TEST(WalPosition, AnInsertPositionJustPastAPageHeaderIsReachedAtThePageBoundary) {
    // The last record ended at the page's end: insert position = next page + 24.
    const WalPosition page = 3 * 8192;
    EXPECT_TRUE(has_replayed(page, page + 24));
    EXPECT_TRUE(has_replayed(page + 8, page + 24));
    EXPECT_FALSE(has_replayed(page - 8, page + 24));
    // Not a header position: no allowance.
    EXPECT_FALSE(has_replayed(page, page + 32));
    // A segment's first page has the long header (40).
    const WalPosition segment = 5ull << 24;
    EXPECT_TRUE(has_replayed(segment, segment + 40));
    EXPECT_FALSE(has_replayed(segment, segment + 24));
    EXPECT_FALSE(has_replayed(segment - 8, segment + 40));
}

TEST(WalPosition, AnEventPositionNeedsItsCommitRecordReplayed) {
    EXPECT_EQ(replay_target_of_event("00000000016B3748/00000002"), 0x16B3749u);
    EXPECT_EQ(replay_target_of_event("FFFFFFFF00000000/00000000"), 0xFFFFFFFF00000001u);
    EXPECT_EQ(replay_target_of_event("00000000016b3748/0000000a"), 0x16B3749u);
    for (const char* bad : {"", "0/16B3748", "00000000016B3748/0000000", "00000000016B3748-00000002",
                            "0000000G016B3748/00000002", "00000000016B3748/000000020"})
        EXPECT_FALSE(replay_target_of_event(bad)) << bad;
}

}  // namespace
}  // namespace pgwamp::db
