// pgwamp's procedures through the whole product: a browser-like client on
// Crossbar's WebSocket path, the shipped Crossbar config with pgwamp as its
// guest worker, and a real PostgreSQL with the demo schema. One stack serves
// every test here; tests only assert on changes they cause themselves.

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "tests/integration/service/stack_suite.hpp"
#include "pg/sqlstate.hpp"

namespace pgwamp::test::service {
namespace {

// Procedures the shipped config does not have, added for these tests only.
void add_test_procedures(nlohmann::json& config) {
    auto& procedures = config["procedures"];
    procedures["com.example.test.delete_note"] = {
        {"mode", "operation"},
        {"sql", "DELETE FROM notes WHERE id = $1"},
        {"args", nlohmann::json::array({{{"name", "id"}, {"type", "int"}}})},
    };
    // pg_sleep with a deadline much shorter than the sleep.
    procedures["com.example.test.sleep_short_deadline"] = {
        {"sql", "SELECT 'deadline_probe' AS tag, pg_sleep($1)"},
        {"args", nlohmann::json::array({{{"name", "seconds"}, {"type", "number"}}})},
        {"timeout_ms", 300},
    };
    // pg_sleep under the default 30 s deadline, for caller-side cancellation.
    procedures["com.example.test.sleep"] = {
        {"sql", "SELECT 'cancel_probe' AS tag, pg_sleep($1)"},
        {"args", nlohmann::json::array({{{"name", "seconds"}, {"type", "number"}}})},
    };
    procedures["com.example.test.series"] = {
        {"sql", "SELECT n FROM generate_series(1, $1) AS n"},
        {"args", nlohmann::json::array({{{"name", "count"}, {"type", "int"}}})},
        {"rows", "tuples"},
        {"max_rows", 5},
    };
    procedures["com.example.test.text_of_size"] = {
        {"sql", "SELECT repeat('x', $1) AS text"},
        {"args", nlohmann::json::array({{{"name", "size"}, {"type", "int"}}})},
        {"single", "value"},
    };
    // Writes, then outlives its deadline: the write must be rolled back.
    procedures["com.example.test.insert_then_sleep"] = {
        {"mode", "interaction"},
        {"args", nlohmann::json::array({{{"name", "body"}, {"type", "string"}},
                                        {{"name", "seconds"}, {"type", "number"}}})},
        {"sql", nlohmann::json::array(
                    {{{"sql", "INSERT INTO notes (body) VALUES ($1)"}, {"args", nlohmann::json::array({"body"})}},
                     {{"sql", "SELECT 'txn_probe' AS tag, pg_sleep($1)"},
                      {"args", nlohmann::json::array({"seconds"})}}})},
        {"timeout_ms", 300},
    };
    // The same under the default deadline, for cancellation by the caller.
    auto long_one = procedures["com.example.test.insert_then_sleep"];
    long_one.erase("timeout_ms");
    procedures["com.example.test.insert_then_sleep_long"] = long_one;
}

class ServiceCalls : public StackSuite<ServiceCalls> {
protected:
    static void SetUpTestSuite() { start_stack({.edit_config = add_test_procedures}); }
    void SetUp() override { join_caller(); }

    Outcome call(const std::string& uri, Array args = {}, Object kwargs = {}) {
        return caller_->call(uri, std::move(args), std::move(kwargs));
    }
    std::int64_t note_count() {
        const auto out = call("com.example.notes.count");
        EXPECT_TRUE(out.ok()) << out.describe();
        if (!out.ok() || out.args.empty() || !out.args[0].is<std::int64_t>()) return -1;
        return out.args[0].as<std::int64_t>();
    }
    // After an error the service must still answer.
    void expect_still_serving() {
        const auto out = call("com.example.now.v1");
        EXPECT_TRUE(out.ok()) << "after the error: " << out.describe();
    }
    void expect_error(const Outcome& out, const std::string& uri) {
        ASSERT_TRUE(out.done) << "no answer";
        EXPECT_EQ(out.error_uri, uri) << out.describe();
        expect_still_serving();
    }
};

TEST_F(ServiceCalls, NowProceduresReturnTheDatabaseTime) {
    for (const std::string uri : {"com.example.now.v1", "com.example.now.v2", "com.example.now.v3",
                                  "com.example.now.v4"}) {
        const auto out = call(uri);
        // Taken right after the answer, on a connection of our own: the
        // service's now() must be the same clock, give or take a second.
        const double db_now = std::stod(stack_->postgres().psql("SELECT extract(epoch FROM now())"));
        ASSERT_TRUE(out.ok()) << uri << ": " << out.describe();
        ASSERT_EQ(out.args.size(), 1u) << uri << ": " << out.describe();
        ASSERT_TRUE(out.args[0].is<std::string>()) << uri << ": " << out.describe();
        const auto text = out.args[0].as<std::string>();
        const auto seconds = parse_iso8601(text);
        ASSERT_TRUE(seconds) << uri << " returned no ISO 8601 time: " << text;
        EXPECT_LT(std::fabs(*seconds - db_now), 1.0) << uri << " returned " << text;
    }
}

TEST_F(ServiceCalls, QueryTakesPositionalAndNamedArgumentsAndDefaults) {
    for (int i = 0; i < 25; ++i) {
        const auto added = call("com.example.notes.add", {"calls test note " + std::to_string(i)});
        ASSERT_TRUE(added.ok()) << added.describe();
        ASSERT_TRUE(added.args.at(0).is<Object>()) << added.describe();
        EXPECT_NE(find_kwarg(added.args[0].as<Object>(), "id"), nullptr) << added.describe();
    }

    const auto positional = call("com.example.notes.list", {2});
    ASSERT_TRUE(positional.ok()) << positional.describe();
    ASSERT_TRUE(positional.args.at(0).is<Array>());
    const auto& rows = positional.args[0].as<Array>();
    ASSERT_EQ(rows.size(), 2u);
    // rows: "maps" in SELECT order, newest first.
    const auto& first = rows[0].as<Object>();
    ASSERT_EQ(first.size(), 5u);
    EXPECT_EQ(first[0].first, "id");
    EXPECT_EQ(first[1].first, "body");
    EXPECT_EQ(first[2].first, "created_at");
    EXPECT_EQ(first[3].first, "owner");
    EXPECT_EQ(first[3].second, Value("tester"));  // the signed-in caller, set by the database
    EXPECT_EQ(first[4].first, "public");
    EXPECT_EQ(first[1].second, Value("calls test note 24"));
    EXPECT_GT(first[0].second.as<std::int64_t>(), rows[1].as<Object>()[0].second.as<std::int64_t>());

    const auto named = call("com.example.notes.list", {}, {{"limit", 3}});
    ASSERT_TRUE(named.ok()) << named.describe();
    EXPECT_EQ(named.args.at(0).as<Array>().size(), 3u);

    // A JavaScript caller's 3.0 is an int.
    const auto from_float = call("com.example.notes.list", {3.0});
    ASSERT_TRUE(from_float.ok()) << from_float.describe();
    EXPECT_EQ(from_float.args.at(0).as<Array>().size(), 3u);

    const auto defaulted = call("com.example.notes.list");
    ASSERT_TRUE(defaulted.ok()) << defaulted.describe();
    EXPECT_EQ(defaulted.args.at(0).as<Array>().size(), 20u) << "the default limit is 20";
}

TEST_F(ServiceCalls, OperationRunsAndReturnsNull) {
    const auto added = call("com.example.notes.add", {"to be deleted"});
    ASSERT_TRUE(added.ok()) << added.describe();
    const auto id = find_kwarg(added.args.at(0).as<Object>(), "id")->as<std::int64_t>();
    const auto before = note_count();

    const auto deleted = call("com.example.test.delete_note", {id});
    ASSERT_TRUE(deleted.ok()) << deleted.describe();
    ASSERT_EQ(deleted.args.size(), 1u);
    EXPECT_TRUE(deleted.args[0].is_null()) << deleted.describe();
    EXPECT_EQ(note_count(), before - 1);
    EXPECT_EQ(stack_->postgres().psql("SELECT count(*) FROM notes WHERE id = " + std::to_string(id)), "0");
}

TEST_F(ServiceCalls, InteractionCommitsBothOrNothing) {
    const auto before = note_count();
    const auto pair = call("com.example.notes.add_pair", {"pair first", "pair second"});
    ASSERT_TRUE(pair.ok()) << pair.describe();
    EXPECT_NE(find_kwarg(pair.args.at(0).as<Object>(), "id"), nullptr) << pair.describe();
    EXPECT_EQ(note_count(), before + 2);

    // The second INSERT violates NOT NULL: the first must be rolled back.
    const auto failed = call("com.example.notes.add_pair", {}, {{"first", "orphan marker"}, {"second", Null{}}});
    ASSERT_TRUE(failed.done);
    EXPECT_EQ(failed.error_uri, "pgwamp.error.sql") << failed.describe();
    const auto* sqlstate = find_kwarg(failed.kwargs, "sqlstate");
    ASSERT_NE(sqlstate, nullptr) << failed.describe();
    EXPECT_EQ(*sqlstate, Value(pgwamp::db::sqlstate::not_null_violation)) << "not_null_violation";
    EXPECT_EQ(note_count(), before + 2);
    EXPECT_EQ(stack_->postgres().psql("SELECT count(*) FROM notes WHERE body = 'orphan marker'"), "0");
    expect_still_serving();
}

TEST_F(ServiceCalls, WrongArgumentsAreInvalidArgument) {
    const auto before = note_count();
    expect_error(call("com.example.notes.add"), "wamp.error.invalid_argument");            // missing
    expect_error(call("com.example.notes.add", {42}), "wamp.error.invalid_argument");      // wrong type
    expect_error(call("com.example.notes.list", {"ten"}), "wamp.error.invalid_argument");  // wrong type
    expect_error(call("com.example.notes.list", {}, {{"lmit", 3}}), "wamp.error.invalid_argument");  // unknown
    expect_error(call("com.example.notes.list", {1, 2}), "wamp.error.invalid_argument");  // too many
    expect_error(call("com.example.notes.list", {1}, {{"limit", 2}}), "wamp.error.invalid_argument");  // twice
    expect_error(call("com.example.notes.list", {2.5}), "wamp.error.invalid_argument");  // not whole
    // The error says which argument is wrong.
    const auto missing = call("com.example.notes.add");
    ASSERT_FALSE(missing.args.empty()) << missing.describe();
    EXPECT_NE(to_text(missing.args[0]).find("body"), std::string::npos) << missing.describe();
    EXPECT_EQ(note_count(), before) << "a refused call wrote nothing";
}

// By default a caller learns what kind of error, not PostgreSQL's words
// (which may name tables, columns and values): those go to pgwamp's log.
TEST_F(ServiceCalls, SqlErrorCarriesSqlstateAndConditionButNotTheText) {
    const auto out = call("com.example.notes.list", {-1});
    ASSERT_TRUE(out.done);
    EXPECT_EQ(out.error_uri, "pgwamp.error.sql") << out.describe();
    const auto* sqlstate = find_kwarg(out.kwargs, "sqlstate");
    ASSERT_NE(sqlstate, nullptr) << out.describe();
    EXPECT_EQ(*sqlstate, Value(pgwamp::db::sqlstate::invalid_row_count_in_limit_clause));
    EXPECT_EQ(*find_kwarg(out.kwargs, "condition"), Value("invalid_row_count_in_limit_clause")) << out.describe();
    EXPECT_EQ(find_kwarg(out.kwargs, "message"), nullptr) << out.describe();
    EXPECT_EQ(out.args.at(0), Value("invalid_row_count_in_limit_clause (SQLSTATE 2201W)")) << out.describe();
    EXPECT_EQ(out.describe().find("LIMIT"), std::string::npos) << out.describe();
    expect_still_serving();
}

// A result bigger than callers can receive (the router's /app path takes
// 1 MiB) is pgwamp's own error, naming the limit and the way out; the same
// rows asked for progressively arrive in chunks under it.
TEST_F(ServiceCalls, AResultTooBigForCallersSaysWhichLimitAndWhatToDo) {
    auto& pg = stack_->postgres();
    pg.psql("INSERT INTO notes (body, public) SELECT 'big ' || i || repeat('x', 100000), true "
            "FROM generate_series(1, 12) AS i");
    const auto out = call("com.example.notes.list", {1000});
    EXPECT_EQ(out.error_uri, "pgwamp.error.result_too_large") << out.describe().substr(0, 300);
    const auto* limit = find_kwarg(out.kwargs, "limit");
    ASSERT_NE(limit, nullptr) << out.describe().substr(0, 300);
    EXPECT_EQ(*limit, Value(std::int64_t{1} << 20));
    EXPECT_NE(out.describe().find("receive_progress"), std::string::npos) << out.describe().substr(0, 300);

    std::size_t chunks = 0;
    wamp::CallOptions progressive;
    progressive.on_progress = [&](Array, Object) { ++chunks; };
    const auto streamed = caller_->call("com.example.notes.list", {1000}, {}, progressive);
    EXPECT_TRUE(streamed.ok()) << streamed.describe().substr(0, 300);
    EXPECT_GE(chunks, 2u);
    pg.psql("DELETE FROM notes WHERE body LIKE 'big %'");
    expect_still_serving();
}

TEST_F(ServiceCalls, UnknownProcedureIsNoSuchProcedure) {
    expect_error(call("com.example.notes.nope"), "wamp.error.no_such_procedure");
}

TEST_F(ServiceCalls, DeadlineGivesTimeoutPromptlyAndStopsTheSql) {
    const auto quick = call("com.example.test.sleep_short_deadline", {0.01});
    ASSERT_TRUE(quick.ok()) << "a sleep within the deadline works: " << quick.describe();

    const auto out = call("com.example.test.sleep_short_deadline", {5});
    ASSERT_TRUE(out.done);
    EXPECT_EQ(out.error_uri, "pgwamp.error.timeout") << out.describe();
    // 300 ms deadline: generous bound, far from the 5 s the sleep would take.
    EXPECT_LT(out.elapsed, 2500ms);
    std::cout << "[ figure ] timeout_ms 300 answered in " << out.elapsed.count() << " ms\n";
    EXPECT_TRUE(poll_until([&] { return active_queries(stack_->postgres(), "SELECT 'deadline_probe'") == 0; }, 5s))
        << "the timed-out SQL is still running";
    expect_still_serving();
}

TEST_F(ServiceCalls, CallersTimeoutIsTheDeadlineInMilliseconds) {
    // {timeout: 300}, as AutobahnJS sends it: the router passes it on in the
    // INVOCATION and pgwamp makes it the call's deadline (Crossbar's own
    // timer would read 300 as seconds).
    wamp::CallOptions options;
    options.timeout = 300;
    const auto out = caller_->call("com.example.test.sleep", {10}, {}, options);
    ASSERT_TRUE(out.done);
    EXPECT_EQ(out.error_uri, "pgwamp.error.timeout") << out.describe();
    EXPECT_GE(out.elapsed, 250ms);
    EXPECT_LT(out.elapsed, 2000ms);
    std::cout << "[ figure ] caller timeout 300 answered in " << out.elapsed.count() << " ms\n";
    EXPECT_TRUE(poll_until([&] { return active_queries(stack_->postgres(), "SELECT 'cancel_probe'") == 0; }, 5s))
        << "the SQL of the timed-out call is still running";
    // The procedure's own deadline still applies when the caller's is longer.
    options.timeout = 60'000;
    const auto longer = caller_->call("com.example.test.sleep_short_deadline", {5}, {}, options);
    EXPECT_EQ(longer.error_uri, "pgwamp.error.timeout") << longer.describe();
    EXPECT_LT(longer.elapsed, 2500ms);
    expect_still_serving();
}

TEST_F(ServiceCalls, TextRoundTripsUnchanged) {
    const std::string body = "naïve café ✓ 日本語 🐘 \"quoted\" 'single' \\ back\\slash; DROP TABLE notes; --";
    const auto added = call("com.example.notes.add", {body});
    ASSERT_TRUE(added.ok()) << added.describe();
    const auto listed = call("com.example.notes.list", {1});
    ASSERT_TRUE(listed.ok()) << listed.describe();
    const auto& row = listed.args.at(0).as<Array>().at(0).as<Object>();
    EXPECT_EQ(*find_kwarg(row, "body"), Value(body)) << "arguments are bound, never spliced into SQL";
    EXPECT_EQ(stack_->postgres().psql("SELECT count(*) FROM pg_tables WHERE tablename = 'notes'"), "1");
}

TEST_F(ServiceCalls, NulInsideTextIsRefusedNotTruncated) {
    // PostgreSQL text cannot hold U+0000; a C-string bind would silently cut
    // the value at it. Either refusal is fine, a shortened note is not.
    const std::string body("before\0after", 12);
    const auto before = note_count();
    const auto out = call("com.example.notes.add", {body});
    ASSERT_TRUE(out.done);
    EXPECT_FALSE(out.ok()) << "stored: " << stack_->postgres().psql("SELECT body FROM notes ORDER BY id DESC LIMIT 1");
    EXPECT_TRUE(out.error_uri == "wamp.error.invalid_argument" || out.error_uri == "pgwamp.error.sql")
        << out.describe();
    EXPECT_EQ(note_count(), before);
    expect_still_serving();
}

TEST_F(ServiceCalls, MoreRowsThanMaxRowsIsAnErrorNotATruncation) {
    const auto within = call("com.example.test.series", {5});
    ASSERT_TRUE(within.ok()) << within.describe();
    const Value expected = Array{Array{1}, Array{2}, Array{3}, Array{4}, Array{5}};
    EXPECT_EQ(within.args.at(0), expected) << within.describe();
    expect_error(call("com.example.test.series", {6}), "pgwamp.error.result_rejected");
}

TEST_F(ServiceCalls, ResultLargerThanTheRouterTakesIsAnErrorNotAHang) {
    // The shipped Crossbar transports take messages up to 1 MiB.
    const auto fits = call("com.example.test.text_of_size", {500000});
    ASSERT_TRUE(fits.ok()) << fits.describe();
    EXPECT_EQ(fits.args.at(0).as<std::string>().size(), 500000u);
    const auto too_big = caller_->call("com.example.test.text_of_size", {2000000}, {}, {}, 30s);
    ASSERT_TRUE(too_big.done) << "a result too large for the router was never answered";
    EXPECT_EQ(too_big.error_uri, "pgwamp.error.result_too_large") << too_big.describe();
    expect_still_serving();
}

TEST_F(ServiceCalls, TimedOutInteractionLeavesNothingBehind) {
    const auto before = note_count();
    const auto out = call("com.example.test.insert_then_sleep", {"never committed", 5});
    ASSERT_TRUE(out.done);
    EXPECT_EQ(out.error_uri, "pgwamp.error.timeout") << out.describe();
    EXPECT_LT(out.elapsed, 2500ms);
    EXPECT_TRUE(poll_until([&] { return active_queries(stack_->postgres(), "SELECT 'txn_probe'") == 0; }, 5s));
    EXPECT_EQ(note_count(), before);
    EXPECT_EQ(stack_->postgres().psql("SELECT count(*) FROM notes WHERE body = 'never committed'"), "0");
    expect_still_serving();
}

TEST_F(ServiceCalls, CanceledInteractionLeavesNothingBehind) {
    const auto before = note_count();
    auto pending = caller_->start_call("com.example.test.insert_then_sleep_long", {"canceled write", 30});
    // The sleep running means the INSERT before it is done, inside the open transaction.
    ASSERT_TRUE(poll_until([&] {
        caller_->run_until([] { return false; }, 20ms);
        return pending->done || active_queries(stack_->postgres(), "SELECT 'txn_probe'") == 1;
    }, 5s)) << "the transaction's sleep never started";
    ASSERT_FALSE(pending->done) << "answered before the cancel: " << pending->describe();
    ASSERT_TRUE(caller_->cancel(*pending));  // CANCEL, mode kill: the router INTERRUPTs pgwamp
    ASSERT_TRUE(caller_->run_until([&] { return pending->done; }, 8s));
    EXPECT_EQ(pending->error_uri, "wamp.error.canceled") << pending->describe();
    EXPECT_TRUE(poll_until([&] { return active_queries(stack_->postgres(), "SELECT 'txn_probe'") == 0; }, 5s))
        << "the canceled transaction's SQL is still running";
    EXPECT_EQ(note_count(), before);
    EXPECT_EQ(stack_->postgres().psql("SELECT count(*) FROM notes WHERE body = 'canceled write'"), "0");
    // No transaction left open (idle in transaction) on pgwamp's connections.
    EXPECT_TRUE(poll_until([&] {
        return stack_->postgres().psql(
                   "SELECT count(*) FROM pg_stat_activity WHERE state LIKE 'idle in transaction%'") == "0";
    }, 5s));
    expect_still_serving();
}

TEST_F(ServiceCalls, ManyConcurrentCallsAllAnsweredCorrectly) {
    // 300 calls in flight at once, across every now variant and a query with
    // arguments: each answer must be the one for its own call.
    std::vector<std::pair<int, std::shared_ptr<Outcome>>> calls;
    for (int i = 0; i < 300; ++i) {
        if (i % 2 == 0) {
            const std::string uri = "com.example.now.v" + std::to_string(1 + (i / 2) % 4);
            calls.emplace_back(-1, caller_->start_call(uri));
        } else {
            calls.emplace_back(1 + i % 5, caller_->start_call("com.example.test.series", {1 + i % 5}));
        }
    }
    ASSERT_TRUE(caller_->run_until([&] {
        for (const auto& [_, c] : calls) {
            if (!c->done) return false;
        }
        return true;
    }, 60s)) << "some of the concurrent calls were never answered";
    for (const auto& [rows, c] : calls) {
        ASSERT_TRUE(c->ok()) << c->describe();
        if (rows < 0) {
            ASSERT_TRUE(c->args.at(0).is<std::string>()) << c->describe();
            EXPECT_TRUE(parse_iso8601(c->args[0].as<std::string>())) << c->describe();
        } else {
            ASSERT_EQ(c->args.at(0).as<Array>().size(), static_cast<std::size_t>(rows)) << c->describe();
        }
    }
}

}  // namespace
}  // namespace pgwamp::test::service
