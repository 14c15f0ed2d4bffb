// Replay history: what a reconnecting client gets, and when it must reload.

#include <gtest/gtest.h>

#include "service/change_history.hpp"

namespace pgwamp::service {
namespace {

std::string pos(int commit, int seq = 0) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%016X/%08X", commit, seq);
    return buf;
}

Object event(int n) { return {{"n", std::int64_t{n}}}; }

std::vector<std::string> positions(const ChangeHistory::Replay& r) {
    std::vector<std::string> out;
    for (const auto* e : r.events) out.push_back(e->position);
    return out;
}

TEST(ChangeHistory, ReplaysWhatCameAfterAPosition) {
    ChangeHistory h(10);
    h.begin_at(pos(0x100));
    for (int i = 1; i <= 5; ++i) h.add(pos(0x100 + i), event(i));
    auto r = h.after(pos(0x102), 100);
    ASSERT_TRUE(r);
    EXPECT_EQ(positions(*r), (std::vector<std::string>{pos(0x103), pos(0x104), pos(0x105)}));
    EXPECT_FALSE(r->more);
    EXPECT_EQ(r->events[0]->event.at(0).second.as<std::int64_t>(), 3);
    // From the stream's start: everything kept.
    EXPECT_EQ(h.after(pos(0x100), 100)->events.size(), 5u);
    // Up to date: nothing, and that is not an error.
    EXPECT_TRUE(h.after(pos(0x105), 100)->events.empty());
}

TEST(ChangeHistory, BeforeTheStartIsTruncated) {
    ChangeHistory h(10);
    h.begin_at(pos(0x100));
    h.add(pos(0x101), event(1));
    EXPECT_FALSE(h.after(pos(0x0FF, 7), 100));
}

TEST(ChangeHistory, EvictionRaisesTheFloor) {
    ChangeHistory h(3);
    h.begin_at(pos(0x100));
    for (int i = 1; i <= 5; ++i) h.add(pos(0x100 + i), event(i));
    EXPECT_EQ(h.size(), 3u);
    EXPECT_EQ(h.floor(), pos(0x102));
    EXPECT_FALSE(h.after(pos(0x101), 100));  // 0x102 is gone: incomplete
    auto r = h.after(pos(0x102), 100);       // saw 0x102: gets 0x103..0x105
    ASSERT_TRUE(r);
    EXPECT_EQ(positions(*r), (std::vector<std::string>{pos(0x103), pos(0x104), pos(0x105)}));
}

TEST(ChangeHistory, RedeliveriesAreKeptOnce) {
    ChangeHistory h(10);
    h.begin_at(pos(0x100));
    h.add(pos(0x101, 0), event(1));
    h.add(pos(0x101, 1), event(2));
    h.add(pos(0x101, 0), event(1));  // the slot sent the transaction again
    h.add(pos(0x101, 1), event(2));
    h.add(pos(0x102, 0), event(3));
    EXPECT_EQ(h.size(), 3u);
}

TEST(ChangeHistory, LimitSaysThereIsMore) {
    ChangeHistory h(10);
    h.begin_at(pos(0x100));
    for (int i = 1; i <= 5; ++i) h.add(pos(0x100 + i), event(i));
    auto r = h.after(pos(0x100), 2);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->events.size(), 2u);
    EXPECT_TRUE(r->more);
    auto rest = h.after(r->events.back()->position, 2);
    EXPECT_EQ(positions(*rest), (std::vector<std::string>{pos(0x103), pos(0x104)}));
}

TEST(ChangeHistory, WithoutAStartTheFirstEventIsTheFloor) {
    // A process that only hears the topic (not the slot's consumer) knows
    // nothing before the first event it heard.
    ChangeHistory h(10);
    EXPECT_FALSE(h.after(pos(0x100), 10));
    h.add(pos(0x105), event(1));
    h.add(pos(0x106), event(2));
    EXPECT_FALSE(h.after(pos(0x104), 10));
    EXPECT_EQ(positions(*h.after(pos(0x105), 10)), (std::vector<std::string>{pos(0x106)}));
    h.reset();
    EXPECT_FALSE(h.after(pos(0x106), 10));
    EXPECT_FALSE(h.known());
}

TEST(ChangeHistory, BeginAtKeepsNewerHistory) {
    ChangeHistory h(10);
    h.begin_at(pos(0x100));
    h.add(pos(0x105), event(1));
    h.begin_at(pos(0x103));  // the stream restarted from the slot, behind what was acknowledged
    EXPECT_EQ(h.size(), 1u);
    EXPECT_EQ(h.floor(), pos(0x100));
    h.begin_at(pos(0x200));  // a restart past everything held: older history would have a gap
    EXPECT_EQ(h.size(), 0u);
    EXPECT_EQ(h.floor(), pos(0x200));
}

// A page that holds only other users' private events gets an empty, final
// answer, not {events: [], more: true} forever.
TEST(ChangeHistory, InvisibleEventsAreSkippedNotCounted) {
    ChangeHistory h(10);
    h.begin_at(pos(0x100));
    for (int i = 1; i <= 5; ++i) h.add(pos(0x100 + i), event(i), Audience::only("alice"), Audience::only("alice"));
    h.add(pos(0x106), event(6));
    auto bobs = [](const ChangeHistory::Entry& e) { return e.new_row.admits("bob"); };
    auto r = h.after(pos(0x100), 1, bobs);
    ASSERT_TRUE(r);
    EXPECT_EQ(positions(*r), (std::vector<std::string>{pos(0x106)}));
    EXPECT_FALSE(r->more);
    auto none = h.after(pos(0x100), 2, [](const ChangeHistory::Entry&) { return false; });
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->events.empty());
    EXPECT_FALSE(none->more);
    auto alices = h.after(pos(0x100), 2, [](const ChangeHistory::Entry& e) { return e.new_row.admits("alice"); });
    EXPECT_EQ(positions(*alices), (std::vector<std::string>{pos(0x101), pos(0x102)}));
    EXPECT_TRUE(alices->more);
}

}  // namespace
}  // namespace pgwamp::service
