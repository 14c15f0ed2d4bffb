// The per-connection prepared statement cache: names, LRU eviction within its
// bound, and that only a Parse the server accepted makes a name usable.

#include <gtest/gtest.h>

#include <array>

#include "db/statement_cache.hpp"

namespace pgwamp::db {
namespace {

using Kind = StatementCache::Kind;
constexpr std::array<Oid, 1> int4{23};
constexpr std::array<Oid, 1> text{25};

// Prepares `sql` and has the server accept it; returns its name.
std::string prepare(StatementCache& c, const std::string& sql) {
    auto u = c.use(sql, int4, true);
    EXPECT_EQ(u.kind, Kind::prepare) << sql;
    c.parsed(u.name, true);
    return u.name;
}

TEST(StatementCache, PreparesOnFirstUseAndExecutesByNameAfterTheParseSucceeded) {
    StatementCache c(4);
    auto first = c.use("SELECT $1", int4, true);
    ASSERT_EQ(first.kind, Kind::prepare);
    EXPECT_FALSE(first.name.empty());
    EXPECT_TRUE(first.close_first.empty());
    c.parsed(first.name, true);
    auto second = c.use("SELECT $1", int4, true);
    EXPECT_EQ(second.kind, Kind::prepared);
    EXPECT_EQ(second.name, first.name);
}

TEST(StatementCache, WhileTheParseIsPendingOtherUsesGoUnnamed) {
    StatementCache c(4);
    auto first = c.use("SELECT $1", int4, true);
    ASSERT_EQ(first.kind, Kind::prepare);
    EXPECT_EQ(c.use("SELECT $1", int4, true).kind, Kind::unnamed);
    c.parsed(first.name, true);
    EXPECT_EQ(c.use("SELECT $1", int4, true).kind, Kind::prepared);
}

TEST(StatementCache, AFailedOrSkippedParseIsNeverRecorded) {
    StatementCache c(4);
    auto first = c.use("SELEC $1", int4, true);
    c.parsed(first.name, false);  // syntax error, or skipped in an aborted segment
    EXPECT_EQ(c.size(), 0u);
    auto again = c.use("SELEC $1", int4, true);
    EXPECT_EQ(again.kind, Kind::prepare);  // tried again, never executed by a name that does not exist
    EXPECT_NE(again.name, first.name);
}

TEST(StatementCache, ParameterTypesArePartOfTheKey) {
    StatementCache c(4);
    std::string a = prepare(c, "SELECT $1");
    auto u = c.use("SELECT $1", text, true);
    EXPECT_EQ(u.kind, Kind::prepare);
    EXPECT_NE(u.name, a);
}

TEST(StatementCache, EvictsTheLeastRecentlyUsedAndClosesItBeforeTheNewParse) {
    StatementCache c(2);
    std::string a = prepare(c, "SELECT 1");
    std::string b = prepare(c, "SELECT 2");
    EXPECT_EQ(c.use("SELECT 1", int4, true).kind, Kind::prepared);  // a is now the most recent
    auto u = c.use("SELECT 3", int4, true);
    ASSERT_EQ(u.kind, Kind::prepare);
    EXPECT_EQ(u.close_first, b);
    EXPECT_EQ(c.server_count(), 2u);
    c.closed(b, true);
    c.parsed(u.name, true);
    EXPECT_EQ(c.use("SELECT 1", int4, true).kind, Kind::prepared);
    EXPECT_EQ(c.use("SELECT 2", int4, true).kind, Kind::prepare);  // b was evicted: prepared afresh
}

TEST(StatementCache, NeverMoreOnTheServerThanTheBound) {
    StatementCache c(3);
    for (int i = 0; i < 50; ++i) {
        auto u = c.use("SELECT " + std::to_string(i), int4, true);
        if (!u.close_first.empty()) c.closed(u.close_first, true);
        if (u.kind == Kind::prepare) c.parsed(u.name, true);
        EXPECT_LE(c.server_count(), 3u);
    }
    EXPECT_EQ(c.size(), 3u);
}

TEST(StatementCache, InsideATransactionAFullCacheSendsUnnamedAndEvictsNothing) {
    StatementCache c(1);
    std::string a = prepare(c, "SELECT 1");
    auto u = c.use("SELECT 2", int4, false);
    EXPECT_EQ(u.kind, Kind::unnamed);
    EXPECT_EQ(c.use("SELECT 1", int4, false).kind, Kind::prepared);
}

TEST(StatementCache, PendingParsesAreNotEvicted) {
    StatementCache c(1);
    auto pending = c.use("SELECT 1", int4, true);
    ASSERT_EQ(pending.kind, Kind::prepare);
    // Its name may not exist on the server yet: it cannot be closed.
    EXPECT_EQ(c.use("SELECT 2", int4, true).kind, Kind::unnamed);
}

TEST(StatementCache, AFailedCloseIsQueuedAndCountedUntilClosed) {
    StatementCache c(2);
    std::string a = prepare(c, "SELECT 1");
    prepare(c, "SELECT 2");
    auto u = c.use("SELECT 3", int4, true);
    ASSERT_EQ(u.close_first, a);
    c.closed(a, false);      // the DEALLOCATE failed...
    c.parsed(u.name, false);  // ...so the Parse behind it was skipped
    EXPECT_EQ(c.server_count(), 2u);
    EXPECT_TRUE(c.has_closes());
    auto closes = c.take_closes();
    ASSERT_EQ(closes.size(), 1u);
    EXPECT_EQ(closes[0], a);
    EXPECT_EQ(c.server_count(), 2u);  // still counted while in flight
    c.closed(a, true);
    EXPECT_EQ(c.server_count(), 1u);
}

TEST(StatementCache, AStalePlanIsForgottenAndClosedLater) {
    StatementCache c(4);
    std::string a = prepare(c, "SELECT * FROM t");
    c.invalidate(a);
    EXPECT_TRUE(c.has_closes());
    EXPECT_EQ(c.server_count(), 1u);  // still on the server until closed
    auto u = c.use("SELECT * FROM t", int4, true);
    EXPECT_EQ(u.kind, Kind::prepare);
    EXPECT_NE(u.name, a);
}

TEST(StatementCache, ClearForgetsEverythingForANewConnection) {
    StatementCache c(4);
    std::string a = prepare(c, "SELECT 1");
    c.invalidate(prepare(c, "SELECT 2"));
    c.clear();
    EXPECT_EQ(c.server_count(), 0u);
    EXPECT_FALSE(c.has_closes());
    EXPECT_EQ(c.use("SELECT 1", int4, true).kind, Kind::prepare);
    c.parsed(a, true);  // an answer from the old connection changes nothing
    EXPECT_EQ(c.use("SELECT 1", int4, true).kind, Kind::unnamed);  // the new Parse is still pending
}

TEST(StatementCache, SizeZeroSendsEverythingUnnamed) {
    StatementCache c(0);
    EXPECT_EQ(c.use("SELECT 1", int4, true).kind, Kind::unnamed);
    EXPECT_EQ(c.size(), 0u);
}

}  // namespace
}  // namespace pgwamp::db
