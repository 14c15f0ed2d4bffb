// Two pgwamp processes sharing every registration (register_invoke
// "roundrobin", the shipped default), each with a one-connection pool and a
// queue of two, so one stack shows both how calls spread and how a full
// queue refuses work.

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "tests/integration/service/stack_suite.hpp"

namespace pgwamp::test::service {
namespace {

// One connection and a queue of two per process, and the procedures that probe them.
void one_connection_queue_of_two(nlohmann::json& config) {
    config["database"]["pool"] = {{"min", 1}, {"max", 1}, {"queue", 2}};
    auto& procedures = config["procedures"];
    procedures["com.example.test.backend_pid"] = {
        {"sql", "SELECT pg_backend_pid() AS pid"},
        {"single", "value"},
    };
    // An interaction holds its connection for the whole transaction (no
    // pipelining beside it), so with one connection the third waits in the queue.
    procedures["com.example.test.sleep_txn"] = {
        {"mode", "interaction"},
        {"args", nlohmann::json::array({{{"name", "seconds"}, {"type", "number"}}})},
        {"sql", nlohmann::json::array({{{"sql", "SELECT 'overload_probe' AS tag, pg_sleep($1)"},
                                         {"args", nlohmann::json::array({"seconds"})}}})},
    };
}

class ServiceScale : public StackSuite<ServiceScale> {
protected:
    static void SetUpTestSuite() {
        start_stack({.mode = Stack::PgwampMode::process, .pgwamp_count = 2,
                     .edit_config = one_connection_queue_of_two});
    }
    void SetUp() override { join_caller(); }

    std::int64_t backend_pid() {
        const auto out = caller_->call("com.example.test.backend_pid");
        EXPECT_TRUE(out.ok()) << out.describe();
        return out.ok() && out.args.at(0).is<std::int64_t>() ? out.args[0].as<std::int64_t>() : -1;
    }
};

// Proof that both processes answer: each pool has exactly one connection
// (pool max 1), so a single process can only ever report one backend pid
// (barring a reconnect, which nothing here causes). Two distinct pids
// therefore mean two processes served calls. Independent of log formats and
// of how Crossbar orders its callees.
TEST_F(ServiceScale, RoundRobinReachesBothProcesses) {
    // The stack is ready once one process serves; the other may still be
    // registering, so first wait (bounded) until both have answered.
    std::set<std::int64_t> pids;
    const auto start = std::chrono::steady_clock::now();
    while (pids.size() < 2 && std::chrono::steady_clock::now() - start < 60s) {
        const auto pid = backend_pid();
        ASSERT_GT(pid, 0);
        pids.insert(pid);
    }
    ASSERT_EQ(pids.size(), 2u) << "only one pgwamp process answered";

    std::map<std::int64_t, int> per_pid;
    for (int i = 0; i < 40; ++i) ++per_pid[backend_pid()];
    ASSERT_EQ(per_pid.size(), 2u) << "40 calls did not stay on the same two connections";
    for (const auto& [pid, calls] : per_pid) {
        std::cout << "[ figure ] backend " << pid << " served " << calls << " of 40 calls\n";
        // roundrobin: 20 each; anything close to even proves the spreading.
        EXPECT_GE(calls, 10) << "roundrobin left one process nearly idle";
    }
    // And those backends are the pools' connections (pgwamp's, alive now).
    for (const auto& [pid, calls] : per_pid) {
        EXPECT_EQ(stack_->postgres().psql("SELECT count(*) FROM pg_stat_activity WHERE pid = " + std::to_string(pid)),
                  "1");
    }
}

TEST_F(ServiceScale, FullQueueAnswersOverloadedAndNothingHangs) {
    std::vector<std::shared_ptr<Outcome>> calls;
    for (int i = 0; i < 20; ++i) calls.push_back(caller_->start_call("com.example.test.sleep_txn", {0.5}));
    const bool all_answered = caller_->run_until([&] {
        for (const auto& c : calls) {
            if (!c->done) return false;
        }
        return true;
    }, 60s);

    int ok = 0;
    int overloaded = 0;
    long long slowest_refusal = 0;
    for (const auto& c : calls) {
        if (c->ok()) {
            ++ok;
        } else if (c->error_uri == "pgwamp.error.overloaded") {
            ++overloaded;
            slowest_refusal = std::max<long long>(slowest_refusal, c->elapsed.count());
        } else {
            ADD_FAILURE() << "unexpected answer: " << c->describe();
        }
    }
    ASSERT_TRUE(all_answered) << ok << " ok, " << overloaded << " overloaded, the rest hang";
    std::cout << "[ figure ] 20 concurrent calls on 2 x (1 connection + queue 2): " << ok << " ok, " << overloaded
              << " overloaded, slowest refusal " << slowest_refusal << " ms\n";
    // Roundrobin gives each process 10; each runs one and queues two before
    // refusing (more may succeed if a slow machine spreads the burst out).
    EXPECT_GE(ok, 6) << "refused before the queue was full";
    EXPECT_GE(overloaded, 1);
    EXPECT_EQ(ok + overloaded, 20);
    // A refusal is immediate, not after waiting for a slot.
    EXPECT_LT(slowest_refusal, 2000);

    // The service recovers once the burst is over.
    const auto after = caller_->call("com.example.test.sleep_txn", {0.01});
    EXPECT_TRUE(after.ok()) << after.describe();
}

TEST_F(ServiceScale, CanceledCallStillInTheQueueNeverRuns) {
    // Both processes' only connection is busy for 3 s (one sleep each, by
    // roundrobin), so the two writes after them wait in the pools' queues
    // until their callers cancel them (Crossbar INTERRUPTs pgwamp).
    const std::string marker = "queued then canceled";
    auto sleep_a = caller_->start_call("com.example.test.sleep_txn", {3});
    auto sleep_b = caller_->start_call("com.example.test.sleep_txn", {3});
    ASSERT_TRUE(poll_until([&] {
        caller_->run_until([] { return false; }, 20ms);
        return active_queries(stack_->postgres(), "SELECT 'overload_probe'") == 2;
    }, 5s)) << "the two sleeps did not start on both processes";
    auto write_a = caller_->start_call("com.example.notes.add", {marker});
    auto write_b = caller_->start_call("com.example.notes.add", {marker});
    caller_->run_until([] { return false; }, 300ms);  // both reached their pool's queue
    ASSERT_TRUE(caller_->cancel(*write_a));
    ASSERT_TRUE(caller_->cancel(*write_b));
    ASSERT_TRUE(caller_->run_until([&] { return write_a->done && write_b->done; }, 10s));
    EXPECT_EQ(write_a->error_uri, "wamp.error.canceled") << write_a->describe();
    EXPECT_EQ(write_b->error_uri, "wamp.error.canceled") << write_b->describe();
    EXPECT_FALSE(sleep_a->done || sleep_b->done) << "the sleeps ended before the writes were canceled";

    ASSERT_TRUE(caller_->run_until([&] { return sleep_a->done && sleep_b->done; }, 15s));
    EXPECT_TRUE(sleep_a->ok()) << sleep_a->describe();
    EXPECT_TRUE(sleep_b->ok()) << sleep_b->describe();
    // One more call through each process: anything still queued there would
    // have run before it (FIFO).
    for (int i = 0; i < 2; ++i) EXPECT_GT(backend_pid(), 0);
    EXPECT_EQ(stack_->postgres().psql("SELECT count(*) FROM notes WHERE body = '" + marker + "'"), "0")
        << "a call canceled while queued was run anyway";
}

}  // namespace
}  // namespace pgwamp::test::service
