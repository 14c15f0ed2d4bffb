// Live queries through the whole product (real PostgreSQL, Crossbar,
// pgwamp): the rows a caller may see, then every change to them, exactly,
// whatever commits while the snapshot is read; resumes; who sees what.

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <atomic>
#include <iostream>
#include <random>
#include <set>
#include <thread>

#include "tests/integration/service/live_follower.hpp"
#include "tests/integration/service/stack_suite.hpp"

namespace pgwamp::test::service {
namespace {

constexpr const char* notes_live = "com.example.notes.live";
constexpr const char* since_live = "com.example.test.live_since";
constexpr const char* nokey_live = "com.example.test.live_nokey";
constexpr const char* ranked_live = "com.example.test.live_ranked";
constexpr std::size_t history = 3000;

void add_live_queries(nlohmann::json& config) {
    config["changes"]["history"] = history;
    config["changes"]["tables"]["public.live_nokey"] = {{"topic", "com.example.test.live_nokey_changes"}};
    config["live"]["max_calls_per_session"] = 4;
    config["live"]["max_calls_per_address"] = 6;  // every caller of this suite comes from 127.0.0.1
    auto& queries = config["live"]["queries"];
    // A predicate on the call's own argument, with the caller's.
    queries[since_live] = nlohmann::json::parse(R"({
        "table": "public.notes", "columns": ["id", "body", "owner", "public"],
        "args": [{"name": "min_id", "type": "int"}],
        "where": {"and": [{"id": {">=": {"arg": "min_id"}}},
                          {"or": [{"owner": {"=": {"caller": "authid"}}}, {"public": {"=": true}}]}]}})");
    queries[nokey_live] = nlohmann::json::parse(R"({"table": "public.live_nokey", "columns": ["a"]})");
    // `in` over an array argument, and a text comparison in byte order.
    queries[ranked_live] = nlohmann::json::parse(R"({
        "table": "public.notes", "columns": ["id", "body", "owner", "public"],
        "args": [{"name": "ids", "type": "array"}],
        "where": {"and": [{"id": {"in": {"arg": "ids"}}}, {"body": {">=": "m"}}]}})");
}

// Options of a call that asks for progressive results (and drops them).
wamp::CallOptions progressive_call() {
    wamp::CallOptions options;
    options.on_progress = [](Array, Object) {};
    return options;
}

// "id|body|owner|public" lines, as psql prints them, for a row of a follower.
std::string line_of(const Object& row) {
    std::string out;
    for (const char* column : {"id", "body", "owner", "public"}) {
        const Value* v = find_field(row, column);
        if (!out.empty()) out += "|";
        if (!v || v->is_null()) continue;
        if (v->is<bool>()) out += v->as<bool>() ? "t" : "f";
        else if (v->is<std::int64_t>()) out += std::to_string(v->as<std::int64_t>());
        else if (v->is<std::string>()) out += v->as<std::string>();
        else out += to_text(*v);
    }
    return out;
}

std::set<std::string> lines_of(const std::map<std::string, Object>& rows) {
    std::set<std::string> out;
    for (const auto& [key, row] : rows) out.insert(line_of(row));
    return out;
}

std::set<std::string> split_lines(const std::string& text) {
    std::set<std::string> out;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        if (end > start) out.insert(text.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

class ServiceLive : public StackSuite<ServiceLive> {
protected:
    static void SetUpTestSuite() {
        start_stack({.edit_config = add_live_queries, .before_pgwamp = [](PostgresCluster& pg) {
                         pg.psql("CREATE TABLE live_nokey (a int)");
                         pg.psql("ALTER TABLE live_nokey REPLICA IDENTITY FULL");
                     }});
    }
    void SetUp() override {
        StackSuite::SetUp();
        alice_ = std::make_unique<Caller>(*stack_, demo_user(*stack_, "alice"));
        bob_ = std::make_unique<Caller>(*stack_, demo_user(*stack_, "bob"));
        ASSERT_TRUE(alice_->join());
        ASSERT_TRUE(bob_->join());
        // Live queries are registered once the stream consumes the slot.
        ASSERT_TRUE(alice_->run_until([&] { return registered(notes_live); }, 30s)) << stack_->pgwamp_log(0);
    }
    void TearDown() override {
        alice_.reset();
        bob_.reset();
    }

    bool registered(const std::string& uri) {
        auto probe = alice_->call(uri, {}, {}, {}, 5s);
        return probe.error_uri != "wamp.error.no_such_procedure";
    }

    // What the query returns as `user` now (row-level security applies).
    static std::set<std::string> select_as(const std::string& user, const std::string& where = "true") {
        // One simple query is one transaction: SET LOCAL lasts until its end.
        return split_lines(stack_->postgres().psql(
            "SET LOCAL ROLE pgwamp_user; SELECT set_config('pgwamp.authid', '" + user +
            "', true); SELECT id, body, owner, public FROM notes WHERE " + where));
    }
    static std::int64_t insert(const std::string& body, const std::string& owner, bool is_public) {
        const auto out = stack_->postgres().psql("INSERT INTO notes (body, owner, public) VALUES ('" + body + "', " +
                                                 (owner.empty() ? "NULL" : "'" + owner + "'") + ", " +
                                                 (is_public ? "true" : "false") + ") RETURNING id");
        return std::stoll(out);
    }
    // Drives both callers until `done`.
    bool run_both(const std::function<bool()>& done, std::chrono::milliseconds limit = 20s) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < deadline) {
            if (done()) return true;
            alice_->run_until([] { return false; }, 2ms);
            bob_->run_until([] { return false; }, 2ms);
        }
        return done();
    }
    static bool has_id(const LiveFollower& f, std::int64_t id) {
        return f.rows().contains(to_text(Object{{"id", id}}));
    }

    std::unique_ptr<Caller> alice_, bob_;
};

TEST_F(ServiceLive, SnapshotIsWhatTheCallerMaySeeThenReadyThenEachChange) {
    const auto mine = insert("alice-private", "alice", false);
    const auto bobs = insert("bob-private", "bob", false);
    insert("bob-public", "bob", true);
    LiveFollower live(*alice_, notes_live);
    live.start();
    ASSERT_TRUE(live.wait_ready()) << live.error_text();
    EXPECT_EQ(lines_of(live.rows()), select_as("alice", "owner = 'alice' OR public"));
    EXPECT_TRUE(has_id(live, mine));
    EXPECT_FALSE(has_id(live, bobs));
    EXPECT_EQ(live.kinds().back(), "ready");
    EXPECT_FALSE(live.handle().empty());
    EXPECT_EQ(live.position().size(), 25u) << live.position();

    const auto added = insert("added", "alice", false);
    ASSERT_TRUE(alice_->run_until([&] { return has_id(live, added); }, 20s));
    stack_->postgres().psql("UPDATE notes SET body = 'edited' WHERE id = " + std::to_string(added));
    ASSERT_TRUE(alice_->run_until(
        [&] { return has_id(live, added) && line_of(live.rows().at(to_text(Object{{"id", added}}))).find("edited") !=
                                                std::string::npos; },
        20s));
    stack_->postgres().psql("DELETE FROM notes WHERE id = " + std::to_string(added));
    ASSERT_TRUE(alice_->run_until([&] { return !has_id(live, added); }, 20s));
    EXPECT_EQ(lines_of(live.rows()), select_as("alice", "owner = 'alice' OR public"));
    live.cancel();
}

TEST_F(ServiceLive, RowsMoveInAndOutAndAnotherUsersPrivateRowNeverAppearsNotEvenAsAKey) {
    LiveFollower live(*alice_, notes_live);
    live.start();
    ASSERT_TRUE(live.wait_ready()) << live.error_text();
    const auto secret = insert("bob-secret", "bob", false);
    const auto flips = insert("bob-flips", "bob", false);
    // Made public: it moves in, as an insert; private again: out, as a delete.
    stack_->postgres().psql("UPDATE notes SET public = true WHERE id = " + std::to_string(flips));
    ASSERT_TRUE(alice_->run_until([&] { return has_id(live, flips); }, 20s));
    stack_->postgres().psql("UPDATE notes SET public = false WHERE id = " + std::to_string(flips));
    ASSERT_TRUE(alice_->run_until([&] { return !has_id(live, flips); }, 20s));
    // Changed while private (not alice's to know), then deleted while private.
    stack_->postgres().psql("UPDATE notes SET body = 'still secret' WHERE id = " + std::to_string(secret));
    stack_->postgres().psql("DELETE FROM notes WHERE id = " + std::to_string(secret));
    // A marker everyone sees, committed last: everything before it has arrived.
    const auto marker = insert("marker-move", "", true);
    ASSERT_TRUE(alice_->run_until([&] { return has_id(live, marker); }, 20s));
    for (const auto& key : live.seen_keys()) EXPECT_NE(to_text(key), to_text(Object{{"id", secret}}));
    for (const auto& row : live.seen_rows()) EXPECT_EQ(line_of(row).find("secret"), std::string::npos) << line_of(row);
    EXPECT_EQ(lines_of(live.rows()), select_as("alice", "owner = 'alice' OR public"));
    live.cancel();
}

TEST_F(ServiceLive, FilteredDeleteReachesOnlyThoseWhoSawTheRow) {
    LiveFollower alice(*alice_, notes_live), bob(*bob_, notes_live);
    alice.start();
    bob.start();
    ASSERT_TRUE(run_both([&] { return alice.ready() && bob.ready(); }));
    const auto mine = insert("alice-only", "alice", false);
    ASSERT_TRUE(run_both([&] { return has_id(alice, mine); }));
    stack_->postgres().psql("DELETE FROM notes WHERE id = " + std::to_string(mine));
    const auto marker = insert("marker-delete", "", true);
    ASSERT_TRUE(run_both([&] { return !has_id(alice, mine) && has_id(alice, marker) && has_id(bob, marker); }));
    for (const auto& key : bob.seen_keys()) EXPECT_NE(to_text(key), to_text(Object{{"id", mine}}));
    alice.cancel();
    bob.cancel();
}

TEST_F(ServiceLive, ResumesFromAPositionWithTheChangesAfterIt) {
    LiveFollower live(*alice_, notes_live);
    live.start();
    ASSERT_TRUE(live.wait_ready()) << live.error_text();
    live.cancel();
    ASSERT_TRUE(alice_->run_until([&] { return !live.running(); }, 10s));
    // Written while the caller was away.
    const auto away = insert("while-away", "alice", false);
    const auto marker = insert("marker-resume", "", true);
    const auto before = live.kinds().size();
    live.resume();
    ASSERT_TRUE(alice_->run_until([&] { return has_id(live, away) && has_id(live, marker); }, 20s))
        << live.error_text();
    // No snapshot on a resume: ready, then the changes.
    const std::vector<std::string> resumed(live.kinds().begin() + static_cast<std::ptrdiff_t>(before), live.kinds().end());
    ASSERT_FALSE(resumed.empty());
    EXPECT_EQ(resumed.front(), "ready");
    EXPECT_EQ(std::count(resumed.begin(), resumed.end(), "snapshot"), 0);
    EXPECT_EQ(lines_of(live.rows()), select_as("alice", "owner = 'alice' OR public"));
    live.cancel();
}

TEST_F(ServiceLive, MustRefetchWhenTheHandleIsUnknownOrAnotherCallersOrTheHistoryIsTooShort) {
    LiveFollower live(*alice_, notes_live);
    live.start();
    ASSERT_TRUE(live.wait_ready()) << live.error_text();
    live.cancel();
    const auto progressive = progressive_call();
    auto unknown = alice_->call(notes_live, {}, {{"handle", "no-such-handle"}, {"after", live.position()}}, progressive);
    EXPECT_EQ(unknown.error_uri, "pgwamp.error.must_refetch") << unknown.describe();
    // Bob holding alice's handle learns nothing from it.
    auto stolen = bob_->call(notes_live, {}, {{"handle", live.handle()}, {"after", live.position()}}, progressive);
    EXPECT_EQ(stolen.error_uri, "pgwamp.error.must_refetch") << stolen.describe();
    // More changes than the history keeps.
    stack_->postgres().psql("INSERT INTO notes (body, public) SELECT 'flood-' || n, true FROM generate_series(1, " +
                            std::to_string(history + 5) + ") n");
    const auto last = insert("marker-flood", "", true);
    LiveFollower watcher(*bob_, notes_live);
    watcher.start();
    ASSERT_TRUE(watcher.wait_ready()) << watcher.error_text();
    ASSERT_TRUE(bob_->run_until([&] { return has_id(watcher, last); }, 20s));
    live.resume();
    ASSERT_TRUE(alice_->run_until([&] { return !live.running(); }, 20s));
    EXPECT_EQ(live.error_uri(), "pgwamp.error.must_refetch") << live.error_text();
    watcher.cancel();
}

TEST_F(ServiceLive, APredicateOnTheCallsArguments) {
    const auto below = insert("below", "alice", true);
    const auto at = insert("at", "alice", false);
    LiveFollower live(*alice_, since_live, {{"min_id", at}});
    live.start();
    ASSERT_TRUE(live.wait_ready()) << live.error_text();
    EXPECT_FALSE(has_id(live, below));
    EXPECT_TRUE(has_id(live, at));
    const auto later = insert("later", "alice", false);
    ASSERT_TRUE(alice_->run_until([&] { return has_id(live, later); }, 20s));
    EXPECT_EQ(lines_of(live.rows()),
              select_as("alice", "id >= " + std::to_string(at) + " AND (owner = 'alice' OR public)"));
    live.cancel();

    const auto a = insert("zeta", "", true), b = insert("alpha", "", true), c = insert("nu", "", true);
    LiveFollower ranked(*alice_, ranked_live, {{"ids", Array{Value(a), Value(b), Value(c)}}});
    ranked.start();
    ASSERT_TRUE(ranked.wait_ready()) << ranked.error_text();
    EXPECT_TRUE(has_id(ranked, a));
    EXPECT_FALSE(has_id(ranked, b));  // "alpha" < "m"
    EXPECT_TRUE(has_id(ranked, c));
    stack_->postgres().psql("UPDATE notes SET body = 'apple' WHERE id = " + std::to_string(a));
    ASSERT_TRUE(alice_->run_until([&] { return !has_id(ranked, a); }, 20s));
    ranked.cancel();
}

TEST_F(ServiceLive, BadArgumentsAndCallsAreRefusedClearly) {
    const auto progressive = progressive_call();
    auto missing = alice_->call(since_live, {}, {}, progressive);
    EXPECT_EQ(missing.error_uri, "wamp.error.invalid_argument") << missing.describe();
    auto wrong = alice_->call(since_live, {}, {{"min_id", "five"}}, progressive);
    EXPECT_EQ(wrong.error_uri, "wamp.error.invalid_argument") << wrong.describe();
    auto bad_in = alice_->call(ranked_live, {}, {{"ids", Array{Value("x")}}}, progressive);
    EXPECT_EQ(bad_in.error_uri, "wamp.error.invalid_argument") << bad_in.describe();
    auto not_progressive = alice_->call(notes_live);
    EXPECT_EQ(not_progressive.error_uri, "wamp.error.invalid_argument") << not_progressive.describe();
    auto half_resume = alice_->call(notes_live, {}, {{"handle", "x"}}, progressive);
    EXPECT_EQ(half_resume.error_uri, "wamp.error.invalid_argument") << half_resume.describe();
    auto bad_position = alice_->call(notes_live, {}, {{"handle", "x"}, {"after", "yesterday"}}, progressive);
    EXPECT_EQ(bad_position.error_uri, "wamp.error.invalid_argument") << bad_position.describe();
}

TEST_F(ServiceLive, AQueryOnATableWithoutPrimaryKeyIsRefusedAndSaysWhy) {
    auto call = alice_->call(nokey_live);
    EXPECT_EQ(call.error_uri, "wamp.error.no_such_procedure") << call.describe();
    auto status = alice_->call("com.example.changes.status");
    ASSERT_TRUE(status.ok()) << status.describe();
    const auto text = to_text(status.args.at(0));
    EXPECT_NE(text.find("live_nokey has no primary key"), std::string::npos) << text;
}

TEST_F(ServiceLive, NeitherASessionNorAnAddressOpensLiveQueriesWithoutBound) {
    std::vector<std::unique_ptr<LiveFollower>> open;
    for (int i = 0; i < 4; ++i) {
        open.push_back(std::make_unique<LiveFollower>(*alice_, notes_live));
        open.back()->start();
        ASSERT_TRUE(open.back()->wait_ready()) << open.back()->error_text();
    }
    LiveFollower fifth(*alice_, notes_live);
    fifth.start();
    ASSERT_TRUE(alice_->run_until([&] { return !fifth.running(); }, 20s));
    EXPECT_EQ(fifth.error_uri(), "pgwamp.error.overloaded") << fifth.error_text();
    // Others are not held back by alice's, and a cancel frees a place.
    LiveFollower bobs(*bob_, notes_live);
    bobs.start();
    ASSERT_TRUE(bobs.wait_ready()) << bobs.error_text();
    open.front()->cancel();
    ASSERT_TRUE(alice_->run_until([&] { return !open.front()->running(); }, 20s));
    fifth.start();
    ASSERT_TRUE(fifth.wait_ready()) << fifth.error_text();
    // Alice 4, bob 1: one more from that address, then none, whichever session asks.
    LiveFollower bobs_second(*bob_, notes_live), bobs_third(*bob_, notes_live);
    bobs_second.start();
    ASSERT_TRUE(bobs_second.wait_ready()) << bobs_second.error_text();
    bobs_third.start();
    ASSERT_TRUE(bob_->run_until([&] { return !bobs_third.running(); }, 20s));
    EXPECT_EQ(bobs_third.error_uri(), "pgwamp.error.overloaded") << bobs_third.error_text();
    EXPECT_NE(bobs_third.error_text().find("max_calls_per_address"), std::string::npos) << bobs_third.error_text();
    fifth.cancel();
    bobs.cancel();
    bobs_second.cancel();
    for (auto& f : open) f->cancel();
    run_both([&] {
        return !fifth.running() && !bobs.running() && !bobs_second.running() &&
               std::none_of(open.begin(), open.end(), [](auto& f) { return f->running(); });
    });
}

// A caller that goes away without a word: the router interrupts its calls,
// and pgwamp forgets them (nothing held, no slot taken).
TEST_F(ServiceLive, ACallerThatLeavesEndsItsLiveQueries) {
    auto open_calls = [&] {
        auto status = alice_->call("com.example.changes.status");
        const Value* live = status.ok() && status.args.at(0).is<Object>() ? find_field(status.args.at(0).as<Object>(), "live")
                                                                          : nullptr;
        const Value* calls = live && live->is<Object>() ? find_field(live->as<Object>(), "calls") : nullptr;
        return calls && calls->is<std::int64_t>() ? calls->as<std::int64_t>() : -1;
    };
    const auto before = open_calls();
    ASSERT_GE(before, 0);
    {
        Caller leaving(*stack_, demo_user(*stack_, "carol"));
        ASSERT_TRUE(leaving.join());
        LiveFollower a(leaving, notes_live), b(leaving, notes_live);
        a.start();
        b.start();
        ASSERT_TRUE(a.wait_ready() && b.wait_ready()) << a.error_text() << b.error_text();
        EXPECT_EQ(open_calls(), before + 2);
    }  // the connection closes here
    EXPECT_TRUE(poll_until([&] { return open_calls() == before; }, 20s)) << open_calls();
}

#ifdef PGWAMP_TEST_UNDER_ASAN
constexpr bool under_asan = true;
#else
constexpr bool under_asan = false;
#endif

// ---- randomized consistency trials ---------------------------------------------

// Writers straight into PostgreSQL (psql's role: the owner and public flag
// flip freely), on threads of their own, in transactions of 1 to 3
// statements. pause() lets a trial check the followers at a quiet moment.
class Writers {
public:
    Writers(const std::string& conninfo, int count, unsigned seed) {
        for (int w = 0; w < count; ++w) threads_.emplace_back([this, conninfo, w, seed] { run(conninfo, w, seed); });
    }
    ~Writers() {
        stop_ = true;
        for (auto& t : threads_) t.join();
    }
    void pause(bool paused) {
        paused_ = paused;
        if (paused)
            while (busy_ > 0) std::this_thread::sleep_for(1ms);
    }
    std::uint64_t transactions() const { return transactions_; }
    std::string error() const {
        std::lock_guard lock(mutex_);
        return error_;
    }

private:
    void run(const std::string& conninfo, int w, unsigned seed) {
        PGconn* conn = PQconnectdb(conninfo.c_str());
        std::mt19937 random(seed * 31 + static_cast<unsigned>(w));
        const char* owners[] = {"'alice'", "'bob'", "'carol'", "NULL"};
        std::uint64_t n = 0;
        while (!stop_) {
            if (paused_) {
                std::this_thread::sleep_for(1ms);
                continue;
            }
            ++busy_;
            if (paused_) {  // paused between the check and the increment
                --busy_;
                continue;
            }
            std::string sql = "BEGIN;";
            const int statements = 1 + static_cast<int>(random() % 3);
            for (int s = 0; s < statements; ++s) {
                const auto pick = random() % 10;
                const std::string owner = owners[random() % 4];
                const std::string pub = random() % 2 ? "true" : "false";
                const std::string target =
                    "(SELECT max(id) FROM notes) - " + std::to_string(random() % 40);
                if (pick < 4)
                    sql += "INSERT INTO notes (body, owner, public) VALUES ('w" + std::to_string(w) + "-" +
                           std::to_string(++n) + "', " + owner + ", " + pub + ");";
                else if (pick < 8)
                    sql += "UPDATE notes SET owner = " + owner + ", public = " + pub + ", body = 'u" +
                           std::to_string(w) + "-" + std::to_string(++n) + "' WHERE id = " + target + ";";
                else
                    sql += "DELETE FROM notes WHERE id = " + target + ";";
            }
            sql += "COMMIT;";
            PGresult* r = PQexec(conn, sql.c_str());
            if (PQresultStatus(r) == PGRES_COMMAND_OK) {
                ++transactions_;
            } else {
                // Random writers to the same rows deadlock now and then: PostgreSQL rolls one back.
                const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
                if (!state || std::string(state) != "40P01") {
                    std::lock_guard lock(mutex_);
                    if (error_.empty()) error_ = PQerrorMessage(conn);
                }
                PQclear(PQexec(conn, "ROLLBACK"));
            }
            PQclear(r);
            --busy_;
            // Under the sanitizers pgwamp decodes several times slower: at full speed it never catches up.
            if (under_asan) std::this_thread::sleep_for(3ms);
        }
        PQfinish(conn);
    }

    std::vector<std::thread> threads_;
    std::atomic<bool> stop_{false}, paused_{false};
    std::atomic<int> busy_{0};
    std::atomic<std::uint64_t> transactions_{0};
    mutable std::mutex mutex_;
    std::string error_;
};


int trials() {
    const char* n = std::getenv("PGWAMP_LIVE_TRIALS");
    return n ? std::max(1, std::atoi(n)) : (under_asan ? 3 : 8);
}

TEST_F(ServiceLive, RandomizedTrialsEndWithExactlyTheRowsEachCallerMaySee) {
    const unsigned seed = static_cast<unsigned>(std::random_device{}());
    std::cout << "live trials: seed " << seed << ", " << trials() << " trials\n";
    std::mt19937 random(seed);
    auto anonymous = std::make_unique<Caller>(*stack_);
    ASSERT_TRUE(anonymous->join());
    struct Follower {
        std::string user;
        std::unique_ptr<LiveFollower> live;
    };
    std::vector<Follower> followers;
    followers.push_back({"alice", std::make_unique<LiveFollower>(*alice_, notes_live, Object{}, false)});
    followers.push_back({"bob", std::make_unique<LiveFollower>(*bob_, notes_live, Object{}, false)});
    followers.push_back(
        {anonymous->client().authid(), std::make_unique<LiveFollower>(*anonymous, notes_live, Object{}, false)});
    for (auto& f : followers) f.live->start();
    auto drive = [&](const std::function<bool()>& done, std::chrono::milliseconds limit) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < deadline) {
            if (done()) return true;
            for (auto& f : followers) f.live->caller().run_until([] { return false; }, 1ms);
        }
        return done();
    };
    // Under the sanitizers pgwamp decodes several times slower: fewer writers, or it never catches up.
    Writers writers(stack_->postgres().conninfo(), under_asan ? 1 : 3, seed);
    const auto began = std::chrono::steady_clock::now();
    std::uint64_t snapshots = 0, resumes = 0, refetches = 0, checks = 0;
    std::chrono::steady_clock::duration writing{0};
    for (int trial = 0; trial < trials(); ++trial) {
        writers.pause(false);
        const auto window_began = std::chrono::steady_clock::now();
        // While the writers write: each follower keeps going, starts over,
        // or leaves and resumes, at a random moment.
        const auto window = std::chrono::milliseconds(100 + random() % 300);
        const auto until = std::chrono::steady_clock::now() + window;
        for (auto& f : followers) {
            const auto action = random() % 4;
            drive([] { return false; }, std::chrono::milliseconds(random() % 60));
            if (action == 1) {
                f.live->cancel();
                f.live->start();
                ++snapshots;
            } else if (action == 2 && f.live->ready()) {
                f.live->cancel();
                drive([&] { return !f.live->running(); }, 5s);
                f.live->resume();
                ++resumes;
            }
        }
        drive([&] { return std::chrono::steady_clock::now() >= until; }, window + 1s);
        writers.pause(true);
        writing += std::chrono::steady_clock::now() - window_began;
        ASSERT_EQ(writers.error(), "");
        // A marker everyone may see, after every write of this trial.
        const auto marker = insert("marker-" + std::to_string(trial), "", true);
        for (auto& f : followers) {
            bool arrived = drive([&] { return has_id(*f.live, marker) || !f.live->running(); }, 60s);
            if (arrived && !f.live->running()) {
                // Ended: must_refetch (the history was too short for the resume), or overloaded (more
                // changes than max_pending_changes while the snapshot was read): start over, as live.js does.
                // Or timeout: the stream fell more than 30 s behind the snapshot (a loaded sanitizer run).
                ASSERT_TRUE(f.live->error_uri() == "pgwamp.error.must_refetch" ||
                            f.live->error_uri() == "pgwamp.error.overloaded" ||
                            f.live->error_uri() == "pgwamp.error.timeout")
                    << f.live->error_text() << "\n" << stack_->router().log_tail(120);
                ++refetches;
                f.live->start();
                arrived = drive([&] { return has_id(*f.live, marker); }, 60s);
            }
            ASSERT_TRUE(arrived) << f.user << " never got the marker of trial " << trial << ": "
                                 << f.live->error_text() << "\n" << stack_->router().log_tail(120);
            const auto expected = select_as(f.user, "owner = '" + f.user + "' OR public");
            const auto got = lines_of(f.live->rows());
            std::vector<std::string> missing, extra;
            std::set_difference(expected.begin(), expected.end(), got.begin(), got.end(), std::back_inserter(missing));
            std::set_difference(got.begin(), got.end(), expected.begin(), expected.end(), std::back_inserter(extra));
            ASSERT_TRUE(missing.empty() && extra.empty())
                << "trial " << trial << " seed " << seed << " user " << f.user << ": " << missing.size()
                << " missing or stale (first: " << (missing.empty() ? "" : missing.front()) << "), " << extra.size()
                << " extra or stale (first: " << (extra.empty() ? "" : extra.front()) << ")";
            ++checks;
        }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    std::cout << "live trials: " << trials() << " trials, " << checks << " checks (0 missing, 0 extra, 0 stale), "
              << snapshots << " new snapshots, " << resumes << " resumes, " << refetches << " refetches, "
              << writers.transactions() << " transactions, "
              << static_cast<int>(writers.transactions() / std::chrono::duration<double>(writing).count())
              << "/s while writing, " << seconds << " s in all\n";
    // Most resumes find their changes still kept (the history holds 3000).
    EXPECT_LE(refetches * 2, resumes + 1);
    for (auto& f : followers) f.live->cancel();
}

}  // namespace
}  // namespace pgwamp::test::service
