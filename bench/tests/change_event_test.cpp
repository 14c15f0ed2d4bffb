#include "change_event.hpp"

#include <gtest/gtest.h>

namespace pgwamp::bench {
namespace {

TEST(ChangeEvent, EchoKwargsReadBackAsTheRowTheyCarry) {
    auto kwargs = change_event_kwargs({{"seq", 7}, {"t_us", 1'700'000'000'123'456}}, "public.bench_changes", 3, 42);
    EXPECT_EQ(kwargs["op"], "insert");
    EXPECT_EQ(kwargs["table"], "public.bench_changes");
    EXPECT_TRUE(kwargs["old"].is_null());
    EXPECT_EQ(kwargs["commit_time"], "2023-11-14T22:13:20.123456Z");
    EXPECT_EQ(kwargs["position"], "000000000000002A");
    auto e = parse_change_event(kwargs, 3);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->seq, 7);
    EXPECT_EQ(e->sent_us, 1'700'000'000'123'456);
    EXPECT_FALSE(e->warmup);
}

TEST(ChangeEvent, WarmupRowsHaveSequenceMinusOne) {
    auto e = parse_change_event(change_event_kwargs({{"warmup", true}, {"t_us", 5}}, "t", 1, 1), 1);
    ASSERT_TRUE(e);
    EXPECT_TRUE(e->warmup);
}

TEST(ChangeEvent, ValuesAsDecimalTextAreRead) {
    nlohmann::json kwargs{{"new", {{"run", "2"}, {"seq", "10"}, {"t_us", "99"}}}};
    auto e = parse_change_event(kwargs, 2);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->seq, 10);
    EXPECT_EQ(e->sent_us, 99);
}

TEST(ChangeEvent, AnotherRunOrShapeIsForeign) {
    nlohmann::json row{{"run", 1}, {"seq", 0}, {"t_us", 1}};
    EXPECT_FALSE(parse_change_event({{"new", row}}, 2));  // a late event of an earlier rate
    EXPECT_FALSE(parse_change_event({{"old", row}}, 1));
    EXPECT_FALSE(parse_change_event({{"new", {{"run", 1}, {"seq", "1x"}, {"t_us", 1}}}}, 1));
    EXPECT_FALSE(parse_change_event({{"new", {{"run", 1}, {"seq", ""}, {"t_us", 1}}}}, 1));
    EXPECT_FALSE(parse_change_event({{"new", {{"run", 1}, {"seq", 1.5}, {"t_us", 1}}}}, 1));
    EXPECT_FALSE(parse_change_event({{"new", {{"run", 1}, {"seq", -2}, {"t_us", 1}}}}, 1));
    EXPECT_FALSE(parse_change_event(nlohmann::json::array(), 1));
}

}  // namespace
}  // namespace pgwamp::bench
