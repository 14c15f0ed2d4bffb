#include "event_tracker.hpp"
#include "value_json.hpp"

#include <gtest/gtest.h>

using namespace pgwamp::bench;
using pgwamp::Array;
using pgwamp::Object;
using pgwamp::Value;

TEST(ParseEventPayload, ReadsTextObjectAndTextInsideAString) {
    auto e = parse_event_payload(std::string(R"({"seq": 3, "t_us": 1700000000000001})"));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->seq, 3);
    EXPECT_EQ(e->sent_us, 1700000000000001);

    auto parsed = parse_event_payload(nlohmann::json{{"seq", 4}, {"t_us", 9}});
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->seq, 4);

    // A publisher that forwards the payload as text: the JSON arrives inside a string.
    auto wrapped = parse_event_payload(nlohmann::json(R"({"seq":5,"t_us":1})"));
    ASSERT_TRUE(wrapped);
    EXPECT_EQ(wrapped->seq, 5);
}

TEST(ParseEventPayload, RejectsOtherShapes) {
    EXPECT_FALSE(parse_event_payload(std::string("not json")));
    EXPECT_FALSE(parse_event_payload(std::string(R"({"seq": 1})")));
    EXPECT_FALSE(parse_event_payload(std::string(R"({"seq": "1", "t_us": 2})")));
    EXPECT_FALSE(parse_event_payload(std::string(R"({"seq": 1.5, "t_us": 2})")));
    EXPECT_FALSE(parse_event_payload(std::string("[1, 2]")));
    EXPECT_FALSE(parse_event_payload(std::string("")));
}

TEST(EventTracker, CountsMissingDuplicatesOutOfOrderAndForeign) {
    EventTracker t(5);
    t.add(BenchEvent{0, 1000}, 1500);
    t.add(BenchEvent{2, 1000}, 1700);
    t.add(BenchEvent{1, 1000}, 1600);  // after 2: out of order
    t.add(BenchEvent{2, 1000}, 1800);  // again: duplicate
    t.add(BenchEvent{7, 1000}, 1800);  // outside [0, 5): foreign
    t.add(std::nullopt, 1800);         // unparseable: foreign
    EXPECT_FALSE(t.complete());
    auto s = t.summarize();
    EXPECT_EQ(s.expected, 5u);
    EXPECT_EQ(s.received, 3u);
    EXPECT_EQ(s.missing, 2u);
    EXPECT_EQ(s.duplicates, 1u);
    EXPECT_EQ(s.out_of_order, 1u);
    EXPECT_EQ(s.foreign, 2u);
    EXPECT_EQ(s.latency.count, 3u);
    EXPECT_DOUBLE_EQ(s.latency.max_us, 700.0);
    EXPECT_DOUBLE_EQ(s.first_to_last_s, 0.0002);  // arrivals of the distinct events: 1500 .. 1700 µs
}

TEST(EventTracker, WarmupEventsAreCountedApartAndLeftOutOfTheFigures) {
    auto warm = parse_event_payload(std::string(R"({"warmup": true, "t_us": 100})"));
    ASSERT_TRUE(warm);
    EXPECT_TRUE(warm->warmup);
    EventTracker t(1);
    t.add(warm, 90'000);  // 90 ms late: would dominate the latency if counted
    t.add(BenchEvent{0, 1000}, 1500);
    auto s = t.summarize();
    EXPECT_EQ(s.warmup, 1u);
    EXPECT_EQ(s.foreign, 0u);
    EXPECT_EQ(s.received, 1u);
    EXPECT_EQ(s.latency.count, 1u);
    EXPECT_DOUBLE_EQ(s.latency.max_us, 500.0);
}

TEST(EventTracker, CompleteWhenEverySequenceArrived) {
    EventTracker t(2);
    t.add(BenchEvent{1, 0}, 10);
    t.add(BenchEvent{0, 0}, 20);
    EXPECT_TRUE(t.complete());
    EXPECT_EQ(t.summarize().missing, 0u);
}

TEST(ValueJson, ConvertsNestedValues) {
    Value v(Object{{"seq", Value(std::int64_t{7})}, {"list", Value(Array{Value(true), Value(), Value(1.5)})},
                   {"s", Value("x")}});
    auto j = to_json(v);
    EXPECT_EQ(j["seq"], 7);
    EXPECT_EQ(j["list"], nlohmann::json::parse("[true, null, 1.5]"));
    EXPECT_EQ(j["s"], "x");
    auto e = parse_event_payload(to_json(Value(Object{{"seq", Value(1)}, {"t_us", Value(2)}})));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->sent_us, 2);
}
