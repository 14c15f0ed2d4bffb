#include <gtest/gtest.h>

#include "publish_schedule.hpp"
#include "value_json.hpp"

#include <chrono>
#include <stdexcept>

namespace pgwamp::bench {
namespace {

using namespace std::chrono_literals;
using Clock = PublishSchedule::Clock;

TEST(PublishSchedule, WarmupEventsComeFirstThenSequenceNumbersFromZero) {
    PublishPlan plan{.rate = 10, .duration_s = 0.3, .warmup_s = 0.2};  // 2 warm-up, 3 measured
    auto t0 = Clock::now();
    PublishSchedule s(plan, t0);
    EXPECT_EQ(s.total(), 5);
    EXPECT_EQ(s.due(3), t0 + 300ms);
    std::vector<nlohmann::json> sent;
    while (!s.done()) {
        sent.push_back(s.next_payload(42));
        s.sent(s.due(s.next()));
    }
    ASSERT_EQ(sent.size(), 5u);
    EXPECT_EQ(sent[0], (nlohmann::json{{"warmup", true}, {"t_us", 42}}));
    EXPECT_EQ(sent[1]["warmup"], true);
    EXPECT_EQ(sent[2], (nlohmann::json{{"seq", 0}, {"t_us", 42}}));
    EXPECT_EQ(sent[4]["seq"], 2);
    auto r = s.result(t0 + 1s);
    EXPECT_EQ(r["sent"], 3);
    EXPECT_EQ(r["warmup_sent"], 2);
    EXPECT_DOUBLE_EQ(r["rate"].get<double>(), 10.0);  // 3 measured sends over 2 periods of 100 ms
    EXPECT_DOUBLE_EQ(r["max_lag_ms"].get<double>(), 0.0);
}

TEST(PublishSchedule, ReportsHowFarBehindTheSenderFell) {
    PublishPlan plan{.rate = 100, .duration_s = 0.02, .warmup_s = 0};
    auto t0 = Clock::now();
    PublishSchedule s(plan, t0);
    s.sent(t0 + 3ms);   // due at 0
    s.sent(t0 + 12ms);  // due at 10 ms: 2 ms late
    EXPECT_TRUE(s.done());
    EXPECT_DOUBLE_EQ(s.result(t0 + 20ms)["max_lag_ms"].get<double>(), 3.0);
}

TEST(PublishSchedule, RejectsPlansOutOfRange) {
    EXPECT_THROW(check_publish_plan({.rate = 0, .duration_s = 1, .warmup_s = 0}), std::invalid_argument);
    EXPECT_THROW(check_publish_plan({.rate = 10, .duration_s = 0, .warmup_s = 0}), std::invalid_argument);
    EXPECT_THROW(check_publish_plan({.rate = 10, .duration_s = 1, .warmup_s = -1}), std::invalid_argument);
    EXPECT_NO_THROW(check_publish_plan({.rate = 10, .duration_s = 1, .warmup_s = 0}));
}

TEST(ValueJson, FromJsonIsTheInverseOfToJsonForPayloads) {
    nlohmann::json doc = {{"seq", 7}, {"t_us", 1795259285923885}, {"warmup", true}, {"x", {1.5, "a"}}};
    EXPECT_EQ(to_json(from_json(doc)), doc);
}

}  // namespace
}  // namespace pgwamp::bench
