// What the change stream does after each kind of failure (changes/stream_policy.hpp).
#include "changes/stream_policy.hpp"

#include <gtest/gtest.h>

#include "pg/sqlstate.hpp"

using namespace pgwamp::db;
namespace code = pgwamp::db::sqlstate;

namespace {

constexpr auto streaming = StreamState::streaming;
constexpr auto starting = StreamState::starting;

TEST(StreamPolicy, AFailedConnectionIsRetriedAfterTheBackoff) {
    EXPECT_EQ(decide(FailedAt::connect, "", starting), StreamDecision::retry);
    EXPECT_EQ(decide(FailedAt::connect, code::cannot_connect_now, starting), StreamDecision::retry);
}

TEST(StreamPolicy, SetupErrorsTheOperatorMustFixTurnTheStreamOff) {
    EXPECT_EQ(decide(FailedAt::setup, code::undefined_table, starting), StreamDecision::turn_off);
    EXPECT_EQ(decide(FailedAt::setup, code::insufficient_privilege, starting), StreamDecision::turn_off);
    EXPECT_EQ(decide(FailedAt::setup, code::object_not_in_prerequisite_state, starting), StreamDecision::turn_off);
}

TEST(StreamPolicy, OtherSetupErrorsAreRetried) {
    EXPECT_EQ(decide(FailedAt::setup, "", starting), StreamDecision::retry);  // connection lost
    EXPECT_EQ(decide(FailedAt::setup, code::admin_shutdown, starting), StreamDecision::retry);
    EXPECT_EQ(decide(FailedAt::setup, code::object_in_use, starting), StreamDecision::retry);
}

TEST(StreamPolicy, ASlotAnotherProcessJustCreatedIsUsed) {
    EXPECT_EQ(decide(FailedAt::create_slot, code::duplicate_object, starting), StreamDecision::proceed);
    // Any other failure to create it is retried, even one of class 42.
    EXPECT_EQ(decide(FailedAt::create_slot, code::insufficient_privilege, starting), StreamDecision::retry);
    EXPECT_EQ(decide(FailedAt::create_slot, "", starting), StreamDecision::retry);
}

TEST(StreamPolicy, ASlotInUseIsWaitedFor) {
    EXPECT_EQ(decide(FailedAt::stream, code::object_in_use, starting), StreamDecision::wait);
    EXPECT_EQ(decide(FailedAt::stream, code::object_in_use, streaming), StreamDecision::wait);
}

TEST(StreamPolicy, ASlotDroppedMeanwhileIsCreatedAgain) {
    EXPECT_EQ(decide(FailedAt::stream, code::undefined_object, streaming), StreamDecision::retry);
}

TEST(StreamPolicy, TheStreamTurnsOffOnTheSameRuleAsSetup) {
    EXPECT_EQ(decide(FailedAt::stream, code::undefined_table, streaming), StreamDecision::turn_off);
    EXPECT_EQ(decide(FailedAt::stream, code::object_not_in_prerequisite_state, starting), StreamDecision::turn_off);
}

TEST(StreamPolicy, ALostStreamIsRetried) {
    EXPECT_EQ(decide(FailedAt::stream, "", streaming), StreamDecision::retry);
    EXPECT_EQ(decide(FailedAt::stream, code::admin_shutdown, streaming), StreamDecision::retry);
}

TEST(StreamPolicy, TheConsumerRestartsOnlyARunningStream) {
    EXPECT_EQ(decide(FailedAt::consumer, "", streaming), StreamDecision::retry);
    for (auto s : {StreamState::stopped, StreamState::starting, StreamState::waiting, StreamState::off})
        EXPECT_EQ(decide(FailedAt::consumer, "", s), StreamDecision::ignore) << to_string(s);
}

TEST(StreamPolicy, NamesForLogs) {
    EXPECT_STREQ(to_string(StreamDecision::turn_off), "turn_off");
    EXPECT_STREQ(to_string(StreamState::waiting), "waiting");
}

}  // namespace
