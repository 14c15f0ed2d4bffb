// Nothing lost: two pgwamp processes share one replication slot (one
// consumes it, the other waits and takes over), and every change committed
// while the consumer is killed (-9), PostgreSQL restarts or the router
// restarts reaches the subscriber, exactly once after dropping duplicates by
// position. The table is the truth: what it holds after the fault is what
// must have arrived.

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <csignal>
#include <cstdio>
#include <future>
#include <map>
#include <set>

#include "tests/integration/service/live_follower.hpp"
#include "tests/integration/service/stack_suite.hpp"
#include "test_paths.hpp"

namespace pgwamp::test::service {
namespace {

constexpr const char* topic = "com.example.test.recovery";

void add_recovery_table(nlohmann::json& config) {
    config["changes"]["tables"]["public.recovery"] = {{"topic", topic}, {"operations", {"insert"}}};
    config["changes"]["history"] = 5000;
}

class ServiceChangesRecovery : public StackSuite<ServiceChangesRecovery> {
protected:
    static void SetUpTestSuite() {
        start_stack({.mode = Stack::PgwampMode::process,
                     .pgwamp_count = 2,
                     .edit_config = add_recovery_table,
                     .before_pgwamp = [](PostgresCluster& pg) {
                         pg.psql("CREATE TABLE recovery (id bigserial PRIMARY KEY, run int, seq int)");
                     }});
    }
    void SetUp() override {
        join_caller({topic});
        ASSERT_TRUE(poll_until([] { return consumer() >= 0 && other_waits(); }, 30s))
            << "log 0:\n" << stack_->pgwamp_log(0) << "\nlog 1:\n" << stack_->pgwamp_log(1);
        ++run_;
    }

    // The process whose latest stream state is `streaming`, or -1.
    static std::string stream_state(int index) {
        const std::string log = stack_->pgwamp_log(index);
        const std::string key = "event=changes_state state=";
        const auto at = log.rfind(key);
        if (at == std::string::npos) return "";
        const auto start = at + key.size();
        return log.substr(start, log.find(' ', start) - start);
    }
    static int consumer() {
        for (int i = 0; i < 2; ++i)
            if (stream_state(i) == "streaming") return i;
        return -1;
    }
    static bool other_waits() {
        const int c = consumer();
        return c >= 0 && stream_state(1 - c) == "waiting";
    }

    // Inserts rows seq 1..n of this test's run, one transaction each, from a
    // psql of its own; it may fail midway when the server is killed.
    std::future<void> burst(int n) {
        const std::string sql = "DO $$ BEGIN FOR i IN 1.." + std::to_string(n) +
                                " LOOP INSERT INTO recovery (run, seq) VALUES (" + std::to_string(run_) +
                                ", i); COMMIT; PERFORM pg_sleep(0.001); END LOOP; END $$";
        return std::async(std::launch::async, [sql] {
            try {
                stack_->postgres().psql(sql);
            } catch (const std::exception&) {
                // The server went away under it: the table says what was committed.
            }
        });
    }

    // Distinct seqs of this run received so far, and how many events carried them.
    std::map<std::int64_t, int> received() {
        std::map<std::int64_t, int> seqs;
        std::set<std::string> positions;
        for (const auto& e : caller_->events(topic)) consider(e.kwargs, seqs, positions);
        for (const auto& e : replayed_) consider(e, seqs, positions);
        return seqs;
    }
    void consider(const Object& kwargs, std::map<std::int64_t, int>& seqs, std::set<std::string>& positions) {
        const auto* position = find_kwarg(kwargs, "position");
        const auto* row = find_kwarg(kwargs, "new");
        if (!position || !row || !row->is<Object>()) return;
        if (!positions.insert(position->as<std::string>()).second) return;  // a duplicate: dropped
        const auto* run = find_kwarg(row->as<Object>(), "run");
        const auto* seq = find_kwarg(row->as<Object>(), "seq");
        if (run && seq && *run == Value(static_cast<std::int64_t>(run_))) ++seqs[seq->as<std::int64_t>()];
    }
    std::string last_position() {
        std::string last;
        for (const auto& e : caller_->events(topic))
            if (const auto* p = find_kwarg(e.kwargs, "position")) last = std::max(last, p->as<std::string>());
        return last;
    }

    std::set<std::int64_t> committed() {
        std::set<std::int64_t> out;
        const std::string text =
            stack_->postgres().psql("SELECT string_agg(seq::text, ',') FROM recovery WHERE run = " + std::to_string(run_));
        std::size_t at = 0;
        while (at < text.size()) {
            const auto comma = text.find(',', at);
            out.insert(std::stoll(text.substr(at, comma - at)));
            if (comma == std::string::npos) break;
            at = comma + 1;
        }
        return out;
    }

    // Every committed row arrived, each exactly once after dropping duplicates.
    void expect_everything_once(std::chrono::milliseconds limit = 60s) {
        std::set<std::int64_t> rows;
        ASSERT_TRUE(poll_until([&] { return !(rows = committed()).empty(); }, 30s));
        caller_->run_until([&] { return received().size() >= rows.size(); }, limit);
        const auto got = received();
        EXPECT_EQ(got.size(), rows.size()) << "log 0:\n" << stack_->pgwamp_log(0) << "\nlog 1:\n"
                                           << stack_->pgwamp_log(1);
        for (const auto seq : rows) {
            const auto found = got.find(seq);
            ASSERT_TRUE(found != got.end()) << "row " << seq << " of run " << run_ << " never arrived";
            EXPECT_EQ(found->second, 1) << "row " << seq;
        }
        for (const auto& [seq, n] : got) EXPECT_TRUE(rows.contains(seq)) << "event for an uncommitted row " << seq;
    }

    int events_for_run() { return static_cast<int>(received().size()); }

    static inline int run_ = 0;
    std::vector<Object> replayed_;
};

TEST_F(ServiceChangesRecovery, TwoProcessesOneStream) {
    auto writer = burst(300);
    writer.get();
    expect_everything_once();
    // No duplicates at all without a fault: one consumer.
    std::set<std::string> positions;
    int events = 0;
    for (const auto& e : caller_->events(topic)) {
        ++events;
        positions.insert(find_kwarg(e.kwargs, "position")->as<std::string>());
    }
    EXPECT_EQ(static_cast<std::size_t>(events), positions.size());
}

TEST_F(ServiceChangesRecovery, ConsumerKilledDuringABurstLosesNothing) {
    const int victim = consumer();
    auto writer = burst(1500);
    ASSERT_TRUE(caller_->run_until([&] { return events_for_run() >= 200; }, 30s));
    stack_->stop_pgwamp(victim, SIGKILL);
    stack_->wait_pgwamp(victim, 10s);
    writer.get();
    expect_everything_once();
    EXPECT_EQ(stream_state(1 - victim), "streaming") << stack_->pgwamp_log(1 - victim);
    stack_->start_pgwamp(victim);  // back as the one that waits
    ASSERT_TRUE(poll_until([] { return other_waits(); }, 30s)) << stack_->pgwamp_log(victim);
}

TEST_F(ServiceChangesRecovery, PostgresRestartLosesNothing) {
    auto writer = burst(1500);
    ASSERT_TRUE(caller_->run_until([&] { return events_for_run() >= 200; }, 30s));
    stack_->postgres().stop(PostgresCluster::Shutdown::immediate);
    writer.get();
    stack_->postgres().start();
    // More after the restart, into the same run.
    stack_->postgres().psql("INSERT INTO recovery (run, seq) SELECT " + std::to_string(run_) +
                            ", 100000 + i FROM generate_series(1, 100) AS i");
    expect_everything_once();
}

TEST_F(ServiceChangesRecovery, RouterRestartLosesNothingWithReplay) {
    auto writer = burst(1500);
    ASSERT_TRUE(caller_->run_until([&] { return events_for_run() >= 200; }, 30s));
    const std::string seen = last_position();
    stack_->router().stop(false);
    stack_->router().start();
    writer.get();
    ASSERT_TRUE(caller_->run_until([&] { return caller_->client().state() == wamp::ClientState::joined; }, 30s));
    // The subscriber was away too: it catches up from the last position it saw.
    std::string after = seen;
    for (bool more = true; more;) {
        Outcome replay;
        ASSERT_TRUE(poll_until([&] {
            replay = caller_->call("com.example.replay", {topic, after, 1000});
            return replay.ok();
        }, 30s)) << replay.describe() << "\nlog 0:\n" << stack_->pgwamp_log(0) << "\nlog 1:\n" << stack_->pgwamp_log(1);
        const auto& result = replay.args.at(0).as<Object>();
        const auto& events = find_kwarg(result, "events")->as<Array>();
        for (const auto& e : events) {
            replayed_.push_back(e.as<Object>());
            after = std::max(after, find_kwarg(e.as<Object>(), "position")->as<std::string>());
        }
        more = find_kwarg(result, "more")->as<bool>();
    }
    expect_everything_once();
}

// Only the consumer serves live queries: when it stops, its calls end with
// must_refetch, and a new call is served by the process that takes over.
TEST_F(ServiceChangesRecovery, ALiveQueryEndsWithMustRefetchWhenItsProcessStopsConsuming) {
    LiveFollower live(*caller_, "com.example.notes.live");
    live.start();
    ASSERT_TRUE(live.wait_ready()) << live.error_text();
    const int victim = consumer();
    stack_->stop_pgwamp(victim, SIGTERM);
    ASSERT_TRUE(caller_->run_until([&] { return !live.running(); }, 20s));
    EXPECT_EQ(live.error_uri(), "pgwamp.error.must_refetch") << live.error_text();
    EXPECT_EQ(stack_->wait_pgwamp(victim, 15s), 0) << stack_->pgwamp_log(victim);
    // Starting over reaches the new consumer once it holds the slot (and registered the query).
    ASSERT_TRUE(poll_until([&] { return consumer() == 1 - victim; }, 30s)) << stack_->pgwamp_log(1 - victim);
    bool served = false;
    for (int attempt = 0; attempt < 60 && !served; ++attempt) {
        live.start();
        served = live.wait_ready(10s);
        if (!served) caller_->run_until([] { return false; }, 500ms);
    }
    ASSERT_TRUE(served) << live.error_text() << "\n" << stack_->pgwamp_log(1 - victim);
    const auto id = stack_->postgres().psql("INSERT INTO notes (body, public) VALUES ('after takeover', true) RETURNING id");
    ASSERT_TRUE(caller_->run_until([&] { return live.rows().contains(to_text(Object{{"id", std::int64_t{std::stoll(id)}}})); }, 20s));
    live.cancel();
    stack_->start_pgwamp(victim);  // back as the one that waits
    ASSERT_TRUE(poll_until([] { return other_waits(); }, 30s)) << stack_->pgwamp_log(victim);
}

// Last: it stops the processes. The slot is dropped only when nobody consumes it.
TEST_F(ServiceChangesRecovery, DropSlotRefusesWhileConsumedAndDropsWhenStopped) {
    ::setenv("PGWAMP_TICKET", stack_->router().ticket().c_str(), 1);  // the config names it; never logged
    auto drop = [] {
        const std::string cmd = std::string(PGWAMP_BINARY_DIR) + "/service/pgwamp --drop-slot --config " +
                                stack_->pgwamp_config_path() + " 2>&1";
        std::string out;
        FILE* p = ::popen(cmd.c_str(), "r");
        char buf[512];
        while (p && std::fgets(buf, sizeof buf, p)) out += buf;
        const int status = p ? ::pclose(p) : -1;
        return std::pair{WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
    };
    auto [busy_rc, busy_out] = drop();
    EXPECT_EQ(busy_rc, 4) << busy_out;
    EXPECT_NE(busy_out.find("stop the pgwamp that consumes it first"), std::string::npos) << busy_out;
    for (int i = 0; i < 2; ++i) stack_->stop_pgwamp(i, SIGTERM);
    for (int i = 0; i < 2; ++i) EXPECT_EQ(stack_->wait_pgwamp(i, 15s), 0) << stack_->pgwamp_log(i);
    auto [rc, out] = drop();
    EXPECT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("dropped replication slot pgwamp_changes"), std::string::npos) << out;
    EXPECT_EQ(stack_->postgres().psql("SELECT count(*) FROM pg_replication_slots"), "0");
    auto [again_rc, again_out] = drop();
    EXPECT_EQ(again_rc, 0) << again_out;
    EXPECT_NE(again_out.find("nothing to drop"), std::string::npos) << again_out;
    ::unsetenv("PGWAMP_TICKET");
}

}  // namespace
}  // namespace pgwamp::test::service
