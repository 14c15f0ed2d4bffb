// Reads on a streaming standby with read-your-writes, through real
// Crossbar, pgwamp, a primary and a standby that applies each commit 200 ms
// late (recovery_min_apply_delay): a read after the caller's own write, or
// after an event passed back as "pgwamp.after", never shows the row from
// before; a read-only procedure that writes fails; row-level security holds
// on the standby; a stopped standby sends its reads to the primary and
// takes them again when it is back.

#include <atomic>
#include <cstdlib>
#include <thread>

#include "tests/integration/service/admin_http.hpp"
#include "tests/integration/service/stack_suite.hpp"
#include "tests/support/ports.hpp"

namespace pgwamp::test::service {
namespace {

using namespace std::chrono_literals;

const std::string set_body = "com.example.test.set_body";
const std::string note_body = "com.example.test.note_body";
const std::string try_write = "com.example.test.try_write";
const std::string notes_seen = "com.example.test.notes_seen";
const std::string notes_topic = "com.example.notes.on_change";

std::unique_ptr<PostgresCluster> standby;  // made once the primary has the demo schema

int env_int(const char* name, int fallback) {
    const char* v = std::getenv(name);
    return v && *v ? std::atoi(v) : fallback;
}

int admin_port = 0;

void add_read_procedures(nlohmann::json& config) {
    admin_port = test::free_tcp_port();
    config["service"]["admin"] = {{"listen", "127.0.0.1:" + std::to_string(admin_port)}};
    config["database"]["replicas"] = {{{"name", "standby1"}, {"conninfo", standby->conninfo()}}};
    config["database"]["replica_routing"] = {{"max_wait_ms", 2000}, {"poll_interval_ms", 50}};
    auto& p = config["procedures"];
    p[set_body] = {{"mode", "operation"},
                   {"sql", "UPDATE notes SET body = $2 WHERE id = $1"},
                   {"args", {{{"name", "id"}, {"type", "int"}}, {{"name", "body"}, {"type", "string"}}}},
                   {"as_caller", true}};
    p[note_body] = {{"sql", "SELECT body, pg_is_in_recovery() AS on_standby FROM notes WHERE id = $1"},
                    {"args", {{{"name", "id"}, {"type", "int"}}}},
                    {"single", "row"},
                    {"as_caller", true},
                    {"read_only", true}};
    p[try_write] = {{"mode", "operation"},
                    {"sql", "UPDATE notes SET body = 'written by a read' WHERE id = $1"},
                    {"args", {{{"name", "id"}, {"type", "int"}}}},
                    {"as_caller", true},
                    {"read_only", true}};
    p[notes_seen] = {{"sql", "SELECT coalesce(string_agg(body, ',' ORDER BY body), '') AS bodies, "
                             "pg_is_in_recovery() AS on_standby FROM notes WHERE body LIKE 'rls-%'"},
                     {"single", "row"},
                     {"as_caller", true},
                     {"read_only", true}};
}

// A row of `note_body` / `notes_seen`.
struct Read {
    std::string body;
    bool on_standby = false;
};

std::optional<Read> read_row(const Outcome& o, const char* column = "body") {
    if (!o.ok() || o.args.empty() || !o.args[0].is<Object>()) return std::nullopt;
    const Object& row = o.args[0].as<Object>();
    const Value* body = find_kwarg(row, column);
    const Value* where = find_kwarg(row, "on_standby");
    if (!body || !where || !body->is<std::string>() || !where->is<bool>()) return std::nullopt;
    return Read{body->as<std::string>(), where->as<bool>()};
}

class ServiceStandby : public StackSuite<ServiceStandby> {
protected:
    static void SetUpTestSuite() {
        start_stack({.edit_config = add_read_procedures, .before_pgwamp = [](PostgresCluster& pg) {
                         standby = PostgresCluster::standby_of(pg, {.apply_delay = 200ms});
                     }});
    }
    static void TearDownTestSuite() {
        StackSuite::TearDownTestSuite();
        standby.reset();
    }

    static std::int64_t note(const std::string& owner, const std::string& body, bool is_public = false) {
        return std::stoll(stack_->postgres().psql("INSERT INTO notes (body, owner, public) VALUES ('" + body + "', '" +
                                                  owner + "', " + (is_public ? "true" : "false") + ") RETURNING id"));
    }
};

TEST_F(ServiceStandby, ACallersReadAfterItsOwnWriteIsNeverStale) {
    // Each session writes its own note, then reads it back, over and over;
    // the standby applies every commit 200 ms late.
    const int sessions = 8;
    const int iterations = std::max(1, env_int("PGWAMP_STANDBY_ITERATIONS", 240) / sessions);
    std::atomic<int> reads{0}, stale{0}, failed{0}, on_standby{0};
    std::vector<std::thread> threads;
    std::vector<std::string> failures(sessions);
    for (int s = 0; s < sessions; ++s) {
        const std::string user = "rw" + std::to_string(s);
        const auto credentials = demo_user(*stack_, user);
        const std::int64_t id = note(user, "v0");
        threads.emplace_back([&, s, credentials, id] {
            Caller caller(*stack_, credentials);
            if (!caller.join()) {
                failures[s] = "did not join";
                ++failed;
                return;
            }
            for (int i = 1; i <= iterations; ++i) {
                const std::string body = "v" + std::to_string(i);
                auto w = caller.call(set_body, {id, body});
                if (!w.ok()) {
                    failures[s] = "write: " + w.describe();
                    ++failed;
                    return;
                }
                auto r = read_row(caller.call(note_body, {id}));
                ++reads;
                if (!r) {
                    ++failed;
                    continue;
                }
                if (r->body != body) ++stale;
                if (r->on_standby) ++on_standby;
            }
        });
    }
    for (auto& t : threads) t.join();
    for (const auto& f : failures) EXPECT_EQ(f, "");
    std::printf("read-your-writes: %d reads, %d stale, %d on the standby, %d failed\n", reads.load(), stale.load(),
                on_standby.load(), failed.load());
    EXPECT_EQ(failed.load(), 0);
    EXPECT_EQ(stale.load(), 0);
    EXPECT_EQ(reads.load(), sessions * iterations);
    // They waited for the standby rather than all going to the primary.
    EXPECT_GT(on_standby.load(), reads.load() / 2);
}

TEST_F(ServiceStandby, AReadAfterAnEventWithItsPositionIsNeverStaleWithoutItIsStale) {
    const auto credentials = demo_user(*stack_, "reader");
    Caller reader(*stack_, credentials);
    reader.subscribe(notes_topic);
    ASSERT_TRUE(reader.join());
    const std::int64_t id = note("writer", "e0", true);  // public: the reader gets its events
    stack_->postgres().wait_replayed(*standby);
    const int events = 15;
    int stale_with = 0, stale_without = 0, with_on_standby = 0;
    for (int k = 1; k <= events; ++k) {
        const std::size_t seen = reader.events(notes_topic).size();
        const std::string body = "e" + std::to_string(k);
        stack_->postgres().psql("UPDATE notes SET body = '" + body + "' WHERE id = " + std::to_string(id));
        // The event comes from the primary's logical stream, before the standby applies it.
        std::string position;
        ASSERT_TRUE(reader.run_until(
            [&] {
                const auto& all = reader.events(notes_topic);
                for (std::size_t i = seen; i < all.size(); ++i) {
                    const Value* op = find_kwarg(all[i].kwargs, "new");
                    const Value* pos = find_kwarg(all[i].kwargs, "position");
                    if (op && pos && to_text(*op).find(body) != std::string::npos) position = pos->as<std::string>();
                }
                return !position.empty();
            },
            10s));
        auto without = read_row(reader.call(note_body, {id}));
        ASSERT_TRUE(without);
        if (without->body != body) ++stale_without;
        auto with = read_row(reader.call(note_body, {id}, {{"pgwamp.after", position}}));
        ASSERT_TRUE(with);
        if (with->body != body) ++stale_with;
        if (with->on_standby) ++with_on_standby;
    }
    std::printf("event then read: %d/%d stale with the position, %d/%d without; %d on the standby\n", stale_with,
                events, stale_without, events, with_on_standby);
    EXPECT_EQ(stale_with, 0);
    EXPECT_GT(stale_without, 0);  // what the position is for: the test can see a stale read
    EXPECT_GT(with_on_standby, 0);
}

TEST_F(ServiceStandby, APositionThatIsNotOneIsRefused) {
    join_caller();
    for (const Value& bad : {Value("0/16B3748"), Value(std::int64_t(5)), Value("00000000016B3748/0000000Z")}) {
        auto o = caller_->call(note_body, {std::int64_t(1)}, {{"pgwamp.after", bad}});
        EXPECT_EQ(o.error_uri, "wamp.error.invalid_argument") << o.describe();
    }
}

TEST_F(ServiceStandby, APositionNoStandbyHasWaitsAtMostMaxWaitThenThePrimaryAnswers) {
    join_caller();
    const std::int64_t id = note("nobody", "far-ahead", true);
    stack_->postgres().wait_replayed(*standby);
    const auto started = std::chrono::steady_clock::now();
    auto r = read_row(caller_->call(note_body, {id}, {{"pgwamp.after", Value("0000000FFFFFFFFF/00000000")}}, {}, 20s));
    const auto waited = std::chrono::steady_clock::now() - started;
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "far-ahead");
    EXPECT_FALSE(r->on_standby);
    EXPECT_GE(waited, 1500ms);  // it waited for the standby (max_wait_ms 2000 here)...
    EXPECT_LT(waited, 10s);     // ...and no longer than that, give or take a loaded machine
}

TEST_F(ServiceStandby, AReadOnlyProcedureThatWritesFailsOnTheStandbyAndChangesNothing) {
    const auto credentials = demo_user(*stack_, "writer2");
    const std::int64_t id = note("writer2", "untouched");
    stack_->postgres().wait_replayed(*standby);
    Caller caller(*stack_, credentials);
    ASSERT_TRUE(caller.join());
    auto o = caller.call(try_write, {id});
    EXPECT_EQ(o.error_uri, "pgwamp.error.sql") << o.describe();
    const Value* state = find_kwarg(o.kwargs, "sqlstate");
    ASSERT_NE(state, nullptr) << o.describe();
    EXPECT_EQ(to_text(*state), "\"25006\"");
    EXPECT_EQ(stack_->postgres().psql("SELECT body FROM notes WHERE id = " + std::to_string(id)), "untouched");
}

TEST_F(ServiceStandby, RowLevelSecurityAppliesOnTheStandbyAsOnThePrimary) {
    note("ann", "rls-ann-private");
    note("ben", "rls-ben-private");
    note("ben", "rls-ben-public", true);
    stack_->postgres().wait_replayed(*standby);
    Caller ann(*stack_, demo_user(*stack_, "ann"));
    ASSERT_TRUE(ann.join());
    auto seen = read_row(ann.call(notes_seen), "bodies");
    ASSERT_TRUE(seen);
    EXPECT_TRUE(seen->on_standby);
    EXPECT_EQ(seen->body, "rls-ann-private,rls-ben-public");
    Caller visitor(*stack_);
    ASSERT_TRUE(visitor.join());
    auto anonymous = read_row(visitor.call(notes_seen), "bodies");
    ASSERT_TRUE(anonymous);
    EXPECT_EQ(anonymous->body, "rls-ben-public");
}

TEST_F(ServiceStandby, AStandbyLaggingPastMaxLagTakesNoReadsUntilItCatchesUp) {
    join_caller();
    const std::int64_t id = note("nobody", "lag-probe", true);
    stack_->postgres().wait_replayed(*standby);
    standby->psql("SELECT pg_wal_replay_pause()");
    stack_->postgres().psql("UPDATE notes SET body = 'lag-probe-2' WHERE id = " + std::to_string(id));
    const auto paused = std::chrono::steady_clock::now();
    // max_lag_ms is 1000: within about a second more the primary takes the reads.
    const bool moved = poll_until(
        [&] {
            auto r = read_row(caller_->call(note_body, {id}));
            return r && !r->on_standby && r->body == "lag-probe-2";
        },
        10s);
    const auto took = std::chrono::steady_clock::now() - paused;
    EXPECT_TRUE(moved);
    EXPECT_LT(took, 4s);
    auto health = caller_->call("com.example.health");
    ASSERT_TRUE(health.ok());
    EXPECT_NE(to_text(health.args.at(0)).find("\"state\":\"lagging\""), std::string::npos)
        << to_text(health.args.at(0));
    standby->psql("SELECT pg_wal_replay_resume()");
    EXPECT_TRUE(poll_until(
        [&] {
            auto r = read_row(caller_->call(note_body, {id}));
            return r && r->on_standby && r->body == "lag-probe-2";
        },
        20s))
        << "reads never came back to the standby";
}

// Last: it stops and restarts the standby.
TEST_F(ServiceStandby, AStoppedStandbysReadsGoToThePrimaryAndComeBackWithIt) {
    join_caller();
    const std::int64_t id = note("nobody", "rls-public-probe", true);
    stack_->postgres().wait_replayed(*standby);
    auto before = read_row(caller_->call(note_body, {id}));
    ASSERT_TRUE(before);
    EXPECT_TRUE(before->on_standby);

    standby->stop(PostgresCluster::Shutdown::immediate);
    const auto stopped = std::chrono::steady_clock::now();
    int reads = 0, failed = 0, late_on_standby = 0;
    while (std::chrono::steady_clock::now() - stopped < 2s) {
        const auto started = std::chrono::steady_clock::now();
        auto r = read_row(caller_->call(note_body, {id}, {}, {}, 5s));
        ++reads;
        if (!r) {
            ++failed;
        } else if (r->on_standby && started - stopped > 1s) {
            ++late_on_standby;
        }
        std::this_thread::sleep_for(20ms);
    }
    EXPECT_EQ(failed, 0) << "of " << reads;
    EXPECT_EQ(late_on_standby, 0);
    // On the primary too, a read-only procedure cannot write.
    auto write = caller_->call(try_write, {id});
    EXPECT_EQ(write.error_uri, "pgwamp.error.sql") << write.describe();
    EXPECT_EQ(stack_->postgres().psql("SELECT body FROM notes WHERE id = " + std::to_string(id)), "rls-public-probe");
    auto health = caller_->call("com.example.health");
    ASSERT_TRUE(health.ok());
    EXPECT_NE(to_text(health.args.at(0)).find("\"state\":\"down\""), std::string::npos) << to_text(health.args.at(0));
    // Anyone may call it: a standby's name, never where it is or how to log in.
    EXPECT_EQ(to_text(health.args.at(0)).find("127.0.0.1"), std::string::npos);
    EXPECT_EQ(to_text(health.args.at(0)).find("host"), std::string::npos);
    // Still ready: the primary serves; /ready says which standby is down, /metrics too.
    const auto ready = http_get(admin_port, "/ready");
    EXPECT_EQ(ready.status, 200) << ready.body;
    const auto body = nlohmann::json::parse(ready.body);
    ASSERT_TRUE(body.contains("standbys")) << ready.body;
    EXPECT_EQ(body["standbys"][0]["name"], "standby1");
    EXPECT_EQ(body["standbys"][0]["state"], "down");
    EXPECT_NE(http_get(admin_port, "/metrics").body.find("pgwamp_standby_up{standby=\"standby1\"} 0"), std::string::npos);

    standby->start();
    bool back = caller_->run_until(
        [&] {
            auto r = read_row(caller_->call(note_body, {id}, {}, {}, 5s));
            return r && r->on_standby;
        },
        60s);
    EXPECT_TRUE(back) << "reads never came back to the standby";
    const std::string metrics = http_get(admin_port, "/metrics").body;
    EXPECT_NE(metrics.find("pgwamp_standby_up{standby=\"standby1\"} 1"), std::string::npos) << metrics;
    EXPECT_NE(metrics.find("pgwamp_reads_total{server=\"standby1\"}"), std::string::npos);
    EXPECT_NE(metrics.find("pgwamp_standby_lag_seconds{standby=\"standby1\"}"), std::string::npos);
}

}  // namespace
}  // namespace pgwamp::test::service
