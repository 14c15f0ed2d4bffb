#include <gtest/gtest.h>

#include "live_tally.hpp"
#include "publish_schedule.hpp"

#include <chrono>
#include <stdexcept>

namespace pgwamp::bench {
namespace {

using namespace std::chrono_literals;
using Clock = LiveCallTally::Clock;

Value row(const std::string& owner, std::int64_t run, std::int64_t seq, std::int64_t t_us) {
    return Object{{"id", seq + 100}, {"owner", owner}, {"run", run}, {"seq", seq}, {"t_us", t_us}, {"body", "bench"}};
}

Value insert(const std::string& owner, std::int64_t run, std::int64_t seq, std::int64_t t_us) {
    return Object{{"op", "insert"}, {"key", Object{{"id", seq + 100}}}, {"row", row(owner, run, seq, t_us)},
                  {"position", "0000000000000000/00000001"}};
}

// args [list]: a one-element Array (braces around an Array would copy it instead).
Array one(Array list) { return Array{Value(std::move(list))}; }

TEST(LiveCallTally, TimesTheFirstChunkAndReadyAndCountsRows) {
    auto t0 = Clock::now();
    LiveCallTally t(t0);
    EXPECT_EQ(t.on_progress(one({row("snap", 0, -1, 0), row("snap", 0, -1, 0)}), {{"kind", "snapshot"}}, t0 + 3ms),
              nullptr);
    t.on_progress(one({row("snap", 0, -1, 0)}), {{"kind", "snapshot"}}, t0 + 9ms);
    // A change that completes the snapshot, before ready. The list returned is args'.
    const Array args = one({insert("snap", 0, 5, 0)});
    const Array* early = t.on_progress(args, {{"kind", "changes"}}, t0 + 10ms);
    EXPECT_EQ(early, &args.front().as<Array>());
    ASSERT_NE(early, nullptr);
    EXPECT_EQ(early->size(), 1u);
    EXPECT_FALSE(t.ready());
    t.on_progress(one({}), {{"kind", "ready"}, {"handle", "h"}, {"position", "p"}}, t0 + 40ms);
    EXPECT_TRUE(t.ready());
    EXPECT_EQ(t.rows(), 3u);
    EXPECT_EQ(t.chunks(), 2u);
    EXPECT_EQ(t.changes_before_ready(), 1u);
    EXPECT_DOUBLE_EQ(*t.first_chunk_ms(), 3.0);
    EXPECT_DOUBLE_EQ(*t.ready_ms(), 40.0);
    EXPECT_EQ(t.position(), "p");
    EXPECT_TRUE(t.shape_error().empty()) << t.shape_error();
}

TEST(LiveCallTally, AnEmptySnapshotHasNoFirstChunkAndOddResultsAreSaid) {
    auto t0 = Clock::now();
    LiveCallTally t(t0);
    t.on_progress(one({}), {{"kind", "ready"}, {"handle", "h"}, {"position", "p"}}, t0 + 2ms);
    EXPECT_FALSE(t.first_chunk_ms());
    EXPECT_TRUE(t.shape_error().empty());
    t.on_progress(one({}), {{"kind", "ready"}, {"handle", "h"}}, t0 + 3ms);
    EXPECT_EQ(t.shape_error(), "ready twice");
    LiveCallTally u(t0);
    u.on_progress({}, {{"kind", "snapshot"}}, t0);
    EXPECT_NE(u.shape_error().find("not a list"), std::string::npos);
    LiveCallTally v(t0);
    v.on_progress(one({}), {}, t0);
    EXPECT_EQ(v.shape_error(), "a progressive result without kwargs.kind");
}

TEST(ChangeTally, EachSeqOnceAtItsOwnersQuery) {
    ChangeTally t(4, 7);
    t.add("o0", {insert("o0", 7, 0, 1000), insert("o0", 7, -1, 1000)}, 3000);  // one counted, one warm-up
    t.add("o1", {insert("o1", 7, 1, 1000)}, 2000);
    t.add("o1", {insert("o1", 7, 1, 1000)}, 2500);  // again: a duplicate
    t.add("o2", {insert("o3", 7, 3, 1000)}, 2500);  // another owner's row
    t.add("o2", {insert("o2", 6, 2, 1000)}, 2500);  // an earlier run's row
    Value deleted = Object{{"op", "delete"}, {"key", Object{{"id", 1}}}, {"row", Value()}, {"position", "x"}};
    t.add("o2", {deleted}, 2500);
    EXPECT_FALSE(t.complete());
    t.add("o2", {insert("o2", 7, 2, 1000)}, 4000);
    auto s = t.summarize();
    EXPECT_EQ(s.received, 3u);
    EXPECT_EQ(s.missing, 1u);  // seq 3 never reached o3
    EXPECT_EQ(s.duplicates, 1u);
    EXPECT_EQ(s.wrong_owner, 1u);
    EXPECT_EQ(s.foreign, 2u);
    EXPECT_EQ(s.warmup, 1u);
    EXPECT_EQ(s.latency.count, 3u);
    EXPECT_DOUBLE_EQ(s.latency.max_us, 3000.0);
    EXPECT_DOUBLE_EQ(s.first_to_last_s, (4000 - 3000) / 1e6);
    EXPECT_EQ(t.changes(), 8u);
}

TEST(ChangeTally, OrderIsPerQuery) {
    ChangeTally t(4, 1);
    t.add("o0", {insert("o0", 1, 2, 0)}, 1);
    t.add("o1", {insert("o1", 1, 1, 0)}, 2);  // another query: not out of order
    t.add("o0", {insert("o0", 1, 0, 0)}, 3);  // after 2 at the same query: out of order
    t.add("o1", {insert("o1", 1, 3, 0)}, 4);
    EXPECT_TRUE(t.complete());
    EXPECT_EQ(t.summarize().out_of_order, 1u);
}

TEST(MedianMax, OddEvenAndEmpty) {
    EXPECT_FALSE(median_max({}));
    auto odd = median_max({5, 1, 3});
    EXPECT_DOUBLE_EQ(odd->median, 3);
    EXPECT_DOUBLE_EQ(odd->max, 5);
    auto even = median_max({4, 1, 3, 10});
    EXPECT_DOUBLE_EQ(even->median, 3.5);
    EXPECT_DOUBLE_EQ(even->max, 10);
}

TEST(RoundRobinOwner, TheLoadersOwnersAreTheQueriesOwners) {
    EXPECT_EQ(round_robin_owner(0, 100), "o0");
    EXPECT_EQ(round_robin_owner(99, 100), "o99");
    EXPECT_EQ(round_robin_owner(100, 100), "o0");
    EXPECT_EQ(round_robin_owner(10'001, 10'000), "o1");
    EXPECT_THROW(round_robin_owner(1, 0), std::invalid_argument);
}

}  // namespace
}  // namespace pgwamp::bench
