// Two pgwamp processes on one database with the same notifications config:
// each NOTIFY must become exactly one event (only the channel's leader, the
// holder of its advisory lock, publishes), and when the leader goes away the
// other process takes over and again publishes each NOTIFY once.

#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <map>
#include <optional>
#include <string>

#include "tests/integration/service/stack_suite.hpp"

namespace pgwamp::test::service {
namespace {

constexpr const char* demo_topic = "com.example.demo";

class ServiceLeader : public StackSuite<ServiceLeader> {
protected:
    // The shipped config as is: notify_publishers "one" and a 1 s retry are the defaults.
    static void SetUpTestSuite() {
        start_stack({.mode = Stack::PgwampMode::process, .pgwamp_count = 2});
    }
    void SetUp() override { join_caller({demo_topic}); }

    static bool log_has(int index, const std::string& text) {
        return stack_->pgwamp_log(index).find(text) != std::string::npos;
    }
    // The process's latest role for the demo channel, from its event=notify_role lines.
    static std::string role(int index) {
        const std::string log = stack_->pgwamp_log(index);
        const std::string key = "channel=\"demo\" role=";
        const auto at = log.rfind(key);
        if (at == std::string::npos) return "";
        const auto start = at + key.size();
        return log.substr(start, log.find(' ', start) - start);
    }

    // A publish while not joined is dropped, so both processes must be on
    // the router and have settled their role before a NOTIFY counts.
    static bool both_settled() {
        for (int i = 0; i < 2; ++i) {
            if (!log_has(i, "event=router_state state=joined")) return false;
            if (role(i) != "leader" && role(i) != "follower") return false;
        }
        return true;
    }
    static void expect_one_leader() {
        ASSERT_TRUE(poll_until(both_settled, 15s)) << "log 0:\n" << stack_->pgwamp_log(0) << "\nlog 1:\n"
                                                   << stack_->pgwamp_log(1);
        EXPECT_NE(role(0), role(1)) << "exactly one process must lead the channel";
    }
    static int leader_index() { return role(0) == "leader" ? 0 : 1; }

    void notify(const std::string& marker) {
        stack_->postgres().psql("NOTIFY demo, '{\"marker\": \"" + marker + "\"}'");
    }

    // Events seen so far carrying `marker`.
    int count(const std::string& marker) {
        int n = 0;
        for (const auto& event : caller_->events(demo_topic)) {
            if (!event.args.empty() && to_text(event.args[0]).find("\"" + marker + "\"") != std::string::npos) ++n;
        }
        return n;
    }

    // Sends one NOTIFY, waits for its event, then a little longer for a
    // duplicate that must not come.
    int events_for_one_notify(const std::string& marker) {
        notify(marker);
        caller_->run_until([&] { return count(marker) >= 1; }, 10s);
        caller_->run_until([] { return false; }, 500ms);
        return count(marker);
    }

    // Sends a NOTIFY every 200 ms until one arrives: the takeover is only
    // observable by its effect. Returns the marker that got through.
    std::optional<std::string> notify_until_delivered(const std::string& prefix, std::chrono::milliseconds limit) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        for (int i = 0; std::chrono::steady_clock::now() < deadline; ++i) {
            const std::string marker = prefix + std::to_string(i);
            notify(marker);
            if (caller_->run_until([&] { return count(marker) >= 1; }, 200ms)) return marker;
        }
        return std::nullopt;
    }

    // No NOTIFY anywhere in the run became two events.
    void expect_no_duplicates() {
        std::map<std::string, int> seen;
        for (const auto& event : caller_->events(demo_topic))
            if (!event.args.empty()) ++seen[to_text(event.args[0])];
        for (const auto& [payload, n] : seen) EXPECT_EQ(n, 1) << payload << " was published " << n << " times";
    }
};

TEST_F(ServiceLeader, OneEventPerNotify) {
    expect_one_leader();
    EXPECT_EQ(events_for_one_notify("steady"), 1);
}

// The leader's database session dies (the process lives and reconnects): the
// lock went with the session, so the channel is led again by whichever
// process takes the lock first, and never by both.
TEST_F(ServiceLeader, LeadershipIsReestablishedAfterTheLeadersSessionDies) {
    expect_one_leader();
    const int leader = leader_index();
    const std::string killed = stack_->postgres().psql(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = 'advisory' AND granted "
        "AND objsubid = 1 AND (classid::bigint << 32 | objid::bigint) = hashtext('pgwamp.notify:demo')::bigint");
    ASSERT_EQ(killed, "1");
    ASSERT_TRUE(poll_until([&] { return log_has(leader, "reason=connection_lost"); }, 10s))
        << stack_->pgwamp_log(leader);
    ASSERT_TRUE(notify_until_delivered("relead", 10s)) << "nobody leads after the session died";
    expect_one_leader();
    EXPECT_EQ(events_for_one_notify("relead_steady"), 1);
    expect_no_duplicates();
}

TEST_F(ServiceLeader, FollowerTakesOverWhenTheLeaderStops) {
    expect_one_leader();
    const int leader = leader_index();
    const int follower = 1 - leader;

    // SIGTERM: the leader ends its session on the way out, releasing the lock.
    const auto stopped_at = std::chrono::steady_clock::now();
    stack_->stop_pgwamp(leader, SIGTERM);
    ASSERT_EQ(stack_->wait_pgwamp(leader, 10s), 0) << stack_->pgwamp_log(leader);
    const auto delivered = notify_until_delivered("handover", 10s);
    ASSERT_TRUE(delivered) << "the follower never took over:\n" << stack_->pgwamp_log(follower);
    std::cout << "[ figure ] takeover after SIGTERM: "
              << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - stopped_at)
                     .count()
              << " ms\n";
    EXPECT_EQ(role(follower), "leader") << stack_->pgwamp_log(follower);

    EXPECT_EQ(events_for_one_notify("after"), 1);
    expect_no_duplicates();
}

// The opt-out: with "notify_publishers": "every" each process LISTENs and
// publishes, so two processes publish each NOTIFY twice (as before leadership).
TEST(ServiceEveryProcessPublishes, TwoProcessesTwoEvents) {
    Stack::Options options;
    options.mode = Stack::PgwampMode::process;
    options.pgwamp_count = 2;
    options.edit_config = [](nlohmann::json& config) { config["service"]["notify_publishers"] = "every"; };
    Stack stack(options);
    Caller caller(stack);
    caller.subscribe(demo_topic);
    ASSERT_TRUE(caller.join());
    ASSERT_TRUE(poll_until([&] {
        for (int i = 0; i < 2; ++i)
            if (stack.pgwamp_log(i).find("event=router_state state=joined") == std::string::npos) return false;
        return true;
    }, 15s));
    // LISTEN is issued once each control connection is up: NOTIFY until one
    // comes back from both processes, then one more must come back twice.
    const auto& events = caller.events(demo_topic);
    const auto copies = [&](const std::string& payload) {
        return std::count_if(events.begin(), events.end(), [&](const wamp::Event& e) {
            return !e.args.empty() && e.args[0] == Value(payload);
        });
    };
    bool both = false;
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    for (int i = 0; !both && std::chrono::steady_clock::now() < deadline; ++i) {
        const std::string probe = "probe " + std::to_string(i);
        stack.postgres().psql("NOTIFY demo, '" + probe + "'");
        both = caller.run_until([&] { return copies(probe) >= 2; }, 300ms);
    }
    ASSERT_TRUE(both) << "the two processes did not both publish";
    stack.postgres().psql("NOTIFY demo, 'twice'");
    caller.run_until([&] { return copies("twice") >= 2; }, 10s);
    caller.run_until([] { return false; }, 500ms);
    EXPECT_EQ(copies("twice"), 2);
}

}  // namespace
}  // namespace pgwamp::test::service
