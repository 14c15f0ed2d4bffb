#pragma once
// The fixture base of the service tests. Starting PostgreSQL, Crossbar and
// pgwamp takes seconds, so a suite starts one stack before its first test and
// shares it; each test may get a fresh, joined Caller. A suite says what it
// sets up in one line each:
//
//   class ServiceNotify : public StackSuite<ServiceNotify> {
//   protected:
//       static void SetUpTestSuite() { start_stack({.edit_config = add_text_channel}); }
//       void SetUp() override { join_caller({demo_topic}); }
//   };
//
// A stack that fails to start does not abort the binary: every test fails
// with the reason instead. The Suite parameter gives each suite its own stack.

#include <gtest/gtest.h>

#include <exception>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>

#include "tests/integration/service/service_support.hpp"

namespace pgwamp::test::service {

template <typename Suite>
class StackSuite : public ::testing::Test {
protected:
    // For the suite's SetUpTestSuite.
    static void start_stack(Stack::Options options) {
        try {
            stack_ = std::make_unique<Stack>(std::move(options));
        } catch (const std::exception& e) {
            setup_error_ = e.what();
        }
    }
    static void TearDownTestSuite() { stack_.reset(); }

    // Suites without a per-test caller keep this SetUp; the others call join_caller instead.
    void SetUp() override { ASSERT_NE(stack_, nullptr) << "stack did not start: " << setup_error_; }
    void TearDown() override { caller_.reset(); }

    // A Caller subscribed to `topics` (subscriptions are made before joining,
    // so none of their events is missed), joined, as caller_. Signed in as
    // the demo user: anonymous callers may not write notes.
    void join_caller(std::initializer_list<std::string> topics = {}) {
        ASSERT_NE(stack_, nullptr) << "stack did not start: " << setup_error_;
        caller_ = std::make_unique<Caller>(*stack_, demo_user(*stack_));
        for (const auto& topic : topics) caller_->subscribe(topic);
        ASSERT_TRUE(caller_->join()) << "caller did not join";
    }

    static inline std::unique_ptr<Stack> stack_;
    static inline std::string setup_error_ = "SetUpTestSuite did not call start_stack";
    std::unique_ptr<Caller> caller_;
};

}  // namespace pgwamp::test::service
