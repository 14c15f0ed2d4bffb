// Standby routing as plain data: lag from the primary's sampled positions,
// and where a read that needs a position goes.

#include <gtest/gtest.h>

#include "db/standby_routing.hpp"

namespace pgwamp::db {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const StandbyClock::time_point t0{seconds(1000)};

TEST(PrimaryWal, LagIsHowLongAgoThePrimaryFirstHadWhatTheStandbyLacks) {
    PrimaryWal wal(seconds(60));
    wal.sample(t0, 100);
    wal.sample(t0 + milliseconds(100), 200);
    wal.sample(t0 + milliseconds(200), 300);
    const auto now = t0 + milliseconds(250);
    EXPECT_EQ(wal.lag(300, now), milliseconds(0));
    EXPECT_EQ(wal.lag(250, now), milliseconds(50));   // lacks 300, first seen at +200
    EXPECT_EQ(wal.lag(150, now), milliseconds(150));  // lacks 200
    EXPECT_EQ(wal.lag(0, now), milliseconds(250));
}

TEST(PrimaryWal, AnIdlePrimarysLastWriteStillCounts) {
    PrimaryWal wal(seconds(2));
    wal.sample(t0, 100);
    for (int i = 1; i <= 100; ++i) wal.sample(t0 + milliseconds(100 * i), 100);  // no new WAL
    const auto now = t0 + seconds(10);
    EXPECT_EQ(wal.lag(50, now), seconds(10));  // the one sample, though older than `keep`
    EXPECT_EQ(wal.lag(100, now), milliseconds(0));
}

TEST(PrimaryWal, OldSamplesGoButTheLagStaysAboveWhatTheyCovered) {
    PrimaryWal wal(seconds(2), 8);
    for (int i = 0; i < 100; ++i) wal.sample(t0 + milliseconds(100 * i), 100 + static_cast<WalPosition>(i));
    const auto now = t0 + milliseconds(9900);
    EXPECT_GE(wal.lag(0, now), seconds(0));
    EXPECT_LE(wal.lag(0, now), seconds(2));  // capped by what is kept...
    EXPECT_GT(wal.lag(0, now), milliseconds(0));  // ...never zero for a standby that lacks it
    EXPECT_EQ(wal.latest(), WalPosition(199));
}

TEST(PrimaryWal, FirstSampledSinceIsAPollSentAfterTheMoment) {
    PrimaryWal wal(seconds(60));
    wal.sample(t0, 100);
    EXPECT_FALSE(wal.first_sampled_since(t0 + milliseconds(1)));
    wal.sample(t0 + milliseconds(50), 100);  // a later poll, nothing new: confirms 100
    EXPECT_EQ(wal.first_sampled_since(t0 + milliseconds(1)), WalPosition(100));
    wal.sample(t0 + milliseconds(100), 150);
    EXPECT_EQ(wal.first_sampled_since(t0 + milliseconds(60)), WalPosition(150));
    EXPECT_EQ(wal.first_sampled_since(t0), WalPosition(100));
}

TEST(ReadRoute, AStandbyThatReplayedTheTargetTakesTheRead) {
    std::vector<StandbyView> views = {{true, 100}, {true, 300}};
    std::size_t next = 0;
    auto r = choose_read_route(views, 200, next);
    EXPECT_EQ(r.kind, ReadRoute::Kind::standby);
    EXPECT_EQ(r.standby, 1u);
}

TEST(ReadRoute, UsableStandbysTakeTurns) {
    std::vector<StandbyView> views = {{true, 500}, {true, 500}, {false, 900}};
    std::size_t next = 0;
    std::vector<std::size_t> chosen;
    for (int i = 0; i < 4; ++i) chosen.push_back(choose_read_route(views, 100, next).standby);
    EXPECT_EQ(chosen, (std::vector<std::size_t>{0, 1, 0, 1}));
}

TEST(ReadRoute, NotYetReplayedWaitsAndNoUsableStandbyMeansThePrimary) {
    std::size_t next = 0;
    std::vector<StandbyView> behind = {{true, 100}, {false, 900}};
    EXPECT_EQ(choose_read_route(behind, 200, next).kind, ReadRoute::Kind::wait);
    std::vector<StandbyView> none = {{false, 900}, {false, 900}};
    EXPECT_EQ(choose_read_route(none, 200, next).kind, ReadRoute::Kind::primary);
    EXPECT_EQ(choose_read_route({}, 0, next).kind, ReadRoute::Kind::primary);
}

TEST(ReadRoute, AnUnusableStandbyNeverTakesAReadWhateverItReplayed) {
    std::size_t next = 0;
    std::vector<StandbyView> views = {{false, 1'000'000}};
    for (int i = 0; i < 3; ++i) EXPECT_EQ(choose_read_route(views, 0, next).kind, ReadRoute::Kind::primary);
}

}  // namespace
}  // namespace pgwamp::db
