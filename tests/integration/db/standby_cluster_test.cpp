// The test harness's streaming standbys (tests/support/postgres_cluster,
// PostgresCluster::standby_of), which the replica-read tests build on: a
// standby follows its primary, refuses writes, holds commits back by its
// apply delay, and stays a standby across stop/start. One primary (the
// binary's shared cluster) for both tests.

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>

#include "tests/support/postgres_cluster.hpp"

namespace pgwamp::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

PostgresCluster& primary() { return PostgresCluster::shared(); }

std::string error_of(const PostgresCluster& cluster, const std::string& sql) {
    try {
        cluster.psql(sql);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "no error";
}

TEST(StandbyCluster, FollowsThePrimaryRefusesWritesAndSurvivesARestart) {
    primary().psql("DROP TABLE IF EXISTS follows; CREATE TABLE follows (x int)");
    auto standby = PostgresCluster::standby_of(primary());
    EXPECT_TRUE(standby->is_standby());
    EXPECT_FALSE(primary().is_standby());
    EXPECT_NE(standby->port(), primary().port());
    EXPECT_EQ(standby->psql("SELECT pg_is_in_recovery()"), "t");
    EXPECT_EQ(primary().psql("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'"), "1");

    primary().psql("INSERT INTO follows VALUES (1)");
    primary().wait_replayed(*standby);
    EXPECT_EQ(standby->psql("SELECT x FROM follows"), "1");

    const std::string refused = error_of(*standby, "INSERT INTO follows VALUES (2)");
    EXPECT_NE(refused.find("SQLSTATE 25006"), std::string::npos) << refused;  // read_only_sql_transaction

    // Stopped, it misses a row; started again, still a standby, it catches up.
    standby->stop();
    EXPECT_FALSE(standby->running());
    primary().psql("INSERT INTO follows VALUES (3)");
    standby->start();
    EXPECT_EQ(standby->psql("SELECT pg_is_in_recovery()"), "t");
    primary().wait_replayed(*standby);
    EXPECT_EQ(standby->psql("SELECT string_agg(x::text, ',' ORDER BY x) FROM follows"), "1,3");

    // An immediate stop (a crash) too.
    standby->stop(PostgresCluster::Shutdown::immediate);
    standby->start();
    primary().psql("INSERT INTO follows VALUES (4)");
    primary().wait_replayed(*standby);
    EXPECT_EQ(standby->psql("SELECT count(*) FROM follows"), "3");
}

TEST(StandbyCluster, ApplyDelayHoldsACommitBackUntilItPasses) {
    constexpr auto delay = 200ms;
    primary().psql("DROP TABLE IF EXISTS delayed; CREATE TABLE delayed (x int)");
    auto standby = PostgresCluster::standby_of(primary(), {.apply_delay = delay});

    const auto before_commit = Clock::now();
    primary().psql("INSERT INTO delayed VALUES (1)");
    const std::string seen_at_once = standby->psql("SELECT count(*) FROM delayed");
    // The standby applies the commit `delay` after the primary made it, which
    // is after before_commit: an answer in less time cannot include the row.
    // (A machine too slow for that proves nothing either way.)
    if (Clock::now() - before_commit < delay) {
        EXPECT_EQ(seen_at_once, "0");
    }

    primary().wait_replayed(*standby);
    EXPECT_GE(Clock::now() - before_commit, delay - 10ms);  // the clocks may differ by a hair
    EXPECT_EQ(standby->psql("SELECT count(*) FROM delayed"), "1");
}

}  // namespace
}  // namespace pgwamp::test
