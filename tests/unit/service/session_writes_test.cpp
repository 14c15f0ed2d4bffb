// Read-your-writes bookkeeping: what each session's next read needs, what
// is forgotten once every standby has it, and the floor an eviction leaves.
// Also the "pgwamp.after" keyword argument.

#include <gtest/gtest.h>

#include "service/error_mapping.hpp"
#include "service/read_routing.hpp"
#include "service/session_writes.hpp"

namespace pgwamp::service {
namespace {

using std::chrono::milliseconds;
const WriteClock::time_point t0{std::chrono::seconds(100)};
const auto no_primary_sample = [](WriteClock::time_point) { return std::optional<WalPosition>(); };

TEST(SessionWrites, AReadNeedsItsOwnSessionsLatestWriteOnly) {
    SessionWrites w;
    w.wrote(1, 500, t0);
    w.wrote(1, 300, t0 + milliseconds(1));  // positions read out of order: the larger stays
    w.wrote(2, 900, t0);
    EXPECT_EQ(w.need(1).position, WalPosition(500));
    EXPECT_EQ(w.need(2).position, WalPosition(900));
    EXPECT_FALSE(w.need(3).position);
    EXPECT_FALSE(w.need(3).unknown_since);
}

TEST(SessionWrites, WhatEveryStandbyReplayedIsForgotten) {
    SessionWrites w;
    w.wrote(1, 500, t0);
    w.wrote(2, 900, t0);
    w.forget_replayed(600, no_primary_sample);
    EXPECT_EQ(w.size(), 1u);
    EXPECT_FALSE(w.need(1).position);
    EXPECT_EQ(w.need(2).position, WalPosition(900));
}

TEST(SessionWrites, AnUnknownPositionBecomesThePrimarysNextSample) {
    SessionWrites w;
    w.wrote(1, std::nullopt, t0);
    EXPECT_EQ(w.need(1).unknown_since, t0);
    w.forget_replayed(1'000'000, no_primary_sample);  // no sample after it yet: kept
    EXPECT_EQ(w.size(), 1u);
    w.forget_replayed(100, [](WriteClock::time_point since) {
        return since == t0 ? std::optional<WalPosition>(700) : std::nullopt;
    });
    EXPECT_FALSE(w.need(1).unknown_since);
    EXPECT_EQ(w.need(1).position, WalPosition(700));
}

TEST(SessionWrites, AnEvictedSessionsPositionStaysAsAFloorForEveryone) {
    SessionWrites w(2);
    w.wrote(1, 500, t0);
    w.wrote(2, 600, t0 + milliseconds(1));
    w.wrote(3, 100, t0 + milliseconds(2));  // evicts session 1, the oldest
    EXPECT_EQ(w.size(), 2u);
    EXPECT_EQ(w.need(1).position, WalPosition(500));  // never less than what it wrote
    EXPECT_EQ(w.need(3).position, WalPosition(500));  // slower for a moment, never stale
    w.forget_replayed(550, no_primary_sample);
    EXPECT_FALSE(w.need(1).position);
    EXPECT_EQ(w.need(2).position, WalPosition(600));
}

TEST(RequestedPosition, AnEventPositionOrNothing) {
    EXPECT_EQ(requested_position({{"pgwamp.after", Value("00000000016B3748/00000002")}}), WalPosition(0x16B3749));
    EXPECT_FALSE(requested_position({{"limit", Value(std::int64_t(3))}}));
    EXPECT_FALSE(requested_position({{"pgwamp.after", Value(Null{})}}));
    EXPECT_THROW(requested_position({{"pgwamp.after", Value("0/16B3748")}}), InvalidArgument);
    EXPECT_THROW(requested_position({{"pgwamp.after", Value(std::int64_t(7))}}), InvalidArgument);
    const Object rest = without_requested_position({{"limit", Value(std::int64_t(3))}, {"pgwamp.after", Value("x")}});
    ASSERT_EQ(rest.size(), 1u);
    EXPECT_EQ(rest[0].first, "limit");
}

}  // namespace
}  // namespace pgwamp::service
