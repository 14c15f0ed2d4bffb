// Statements through the pool: results, errors, pipelining, the bounded
// queue, start failures, close, the statement log hook.

#include <set>

#include <boost/asio/ip/tcp.hpp>

#include "tests/integration/db/db_test_support.hpp"
#include "pg/sqlstate.hpp"

namespace pgwamp::db::testing {
namespace {

TEST_F(PoolTest, QueryReturnsCastRowsAndBindsParameters) {
    run([&]() -> awaitable<void> {
        Result r = co_await pool->async_query("SELECT $1::int + 1 AS n, $2::text AS s, NULL::int AS z",
                                              args(41, "it's \"quoted\""), use_awaitable);
        EXPECT_EQ(r.columns.size(), 3u);
        EXPECT_EQ(r.columns[0].name, "n");
        EXPECT_EQ(r.rows.size(), 1u);
        EXPECT_EQ(r.rows[0][0], Value(42));
        EXPECT_EQ(r.rows[0][1], Value("it's \"quoted\""));
        EXPECT_TRUE(r.rows[0][2].is_null());
    });
}

TEST_F(PoolTest, ConnectionsUseTheSessionSettingsCastingNeedsAndKeepTheCallersOptions) {
    auto o = options();
    o.conninfo += " options='-c application_name=pgwamp_test'";
    make_pool(o);
    run([&]() -> awaitable<void> {
        Result r = co_await pool->async_query(
            "SELECT current_setting('IntervalStyle'), current_setting('DateStyle'), current_setting('TimeZone'), "
            "current_setting('application_name')",
            {}, use_awaitable);
        EXPECT_EQ(r.rows.at(0).at(0), Value("iso_8601"));
        EXPECT_EQ(r.rows.at(0).at(1), Value("ISO, YMD"));
        EXPECT_EQ(r.rows.at(0).at(2), Value("UTC"));
        EXPECT_EQ(r.rows.at(0).at(3), Value("pgwamp_test"));
    });
}

TEST_F(PoolTest, ExecuteReturnsAffectedRows) {
    std::string s = fresh_schema();
    run([&]() -> awaitable<void> {
        co_await pool->async_execute("CREATE TABLE " + s + ".t (x int)", args(), use_awaitable);
        auto n = co_await pool->async_execute("INSERT INTO " + s + ".t SELECT generate_series(1, $1::int)", args(7),
                                              use_awaitable);
        EXPECT_EQ(n, 7u);
        auto d = co_await pool->async_execute("DELETE FROM " + s + ".t WHERE x > 5", args(), use_awaitable);
        EXPECT_EQ(d, 2u);
    });
}

TEST_F(PoolTest, CallbackTokenCompletesLaterNeverInline) {
    make_pool(options());
    bool returned = false;
    bool completed_before_return = false;
    bool done = false;
    run([&]() -> awaitable<void> {
        pool->async_query("SELECT 1", {}, [&](std::exception_ptr e, Result r) {
            completed_before_return = !returned;
            EXPECT_FALSE(e);
            EXPECT_EQ(r.rows.at(0).at(0), Value(1));
            done = true;
        });
        returned = true;
        // Even a call that fails at once (bad parameter) completes later.
        bool bad_done = false;
        pool->async_query("SELECT $1", args(std::string("a\0b", 3)), [&](std::exception_ptr e, Result) {
            EXPECT_EQ(code_of(e), Errc::bad_value);
            bad_done = true;
        });
        EXPECT_FALSE(bad_done);
        // SQL with a NUL byte would be cut short by libpq: refused instead.
        bool nul_done = false;
        pool->async_query(std::string("SELECT 1\0; SELECT 2", 19), {}, [&](std::exception_ptr e, Result) {
            EXPECT_EQ(code_of(e), Errc::bad_value);
            nul_done = true;
        });
        while (!nul_done) co_await sleep_for(1ms);
        while (!done || !bad_done) co_await sleep_for(1ms);
    });
    EXPECT_FALSE(completed_before_return);
}

TEST_F(PoolTest, BurstOf1000QueriesOnPoolOf4AllCorrect) {
    make_pool(options(4, 4));
    int ok = 0, wrong = 0, failed = 0;
    run([&]() -> awaitable<void> {
        for (int i = 0; i < 1000; ++i) {
            pool->async_query("SELECT $1::int * 2", args(i), [&, i](std::exception_ptr e, Result r) {
                if (e)
                    ++failed;
                else if (r.rows.size() == 1 && r.rows[0][0] == Value(std::int64_t{2} * i))
                    ++ok;
                else
                    ++wrong;
            });
        }
        while (ok + wrong + failed < 1000) co_await sleep_for(1ms);
        EXPECT_LE(pool->connection_count(), 4u);
    });
    EXPECT_EQ(ok, 1000);
    EXPECT_EQ(wrong, 0);
    EXPECT_EQ(failed, 0);
}

TEST_F(PoolTest, QuickAnswersKeepThePoolSmall) {
    // Busy but answering within grow_after: statements pipeline onto the
    // one connection instead of opening new ones.
    auto o = options(1, 4);
    o.grow_after = std::chrono::seconds(5);
    make_pool(o);
    int ok = 0;
    run([&]() -> awaitable<void> {
        for (int round = 0; round < 20; ++round) {
            int done = 0;
            for (int i = 0; i < 16; ++i)
                pool->async_query("SELECT $1::int", args(i), [&](std::exception_ptr e, Result) {
                    ++done;
                    if (!e) ++ok;
                });
            while (done < 16) co_await sleep_for(1ms);
        }
        EXPECT_EQ(pool->connection_count(), 1u);
    });
    EXPECT_EQ(ok, 20 * 16);
}

TEST_F(PoolTest, ASlowStatementOpensAnotherConnectionAndQuickOnesGoAroundIt) {
    auto o = options(1, 2);
    o.grow_after = std::chrono::milliseconds(50);
    make_pool(o);
    bool slow_done = false, quick_done = false, slow_done_first = false;
    run([&]() -> awaitable<void> {
        pool->async_query("SELECT pg_sleep(3)", args(), [&](std::exception_ptr e, Result) {
            EXPECT_FALSE(e);
            slow_done = true;
        });
        co_await sleep_for(300ms);  // well past grow_after: the one connection is stalled
        pool->async_query("SELECT 1", args(), [&](std::exception_ptr e, Result) {
            EXPECT_FALSE(e);
            quick_done = true;
            slow_done_first = slow_done;
        });
        while (!quick_done) co_await sleep_for(1ms);
        EXPECT_EQ(pool->connection_count(), 2u);
        while (!slow_done) co_await sleep_for(5ms);
    });
    EXPECT_TRUE(quick_done);
    EXPECT_FALSE(slow_done_first);  // it did not wait behind the sleep
}

TEST_F(PoolTest, ConnectionsBeyondMinCloseWhenIdleForIdleTimeout) {
    // One statement per connection, so three at once open three connections.
    auto o = options(1, 3);
    o.max_in_flight_per_connection = 1;
    o.idle_timeout = std::chrono::milliseconds(300);
    make_pool(o);
    run([&]() -> awaitable<void> {
        int done = 0;
        for (int i = 0; i < 3; ++i)
            pool->async_query("SELECT pg_sleep(0.2)", args(), [&](std::exception_ptr e, Result) {
                EXPECT_FALSE(e);
                ++done;
            });
        while (done < 3) co_await sleep_for(1ms);
        EXPECT_EQ(pool->connection_count(), 3u);
        co_await sleep_for(100ms);  // idle, but not for 300 ms yet
        EXPECT_EQ(pool->connection_count(), 3u);
        for (int i = 0; i < 300 && pool->connection_count() > 1; ++i) co_await sleep_for(10ms);
        EXPECT_EQ(pool->connection_count(), 1u);  // back to min
        auto r = co_await pool->async_query("SELECT 1", args(), use_awaitable);
        EXPECT_EQ(r.rows.size(), 1u);
    });
}

TEST_F(PoolTest, IdleTimeoutZeroKeepsConnections) {
    auto o = options(1, 3);
    o.max_in_flight_per_connection = 1;
    o.idle_timeout = std::chrono::milliseconds(0);
    make_pool(o);
    run([&]() -> awaitable<void> {
        int done = 0;
        for (int i = 0; i < 3; ++i)
            pool->async_query("SELECT pg_sleep(0.1)", args(), [&](std::exception_ptr, Result) { ++done; });
        while (done < 3) co_await sleep_for(1ms);
        co_await sleep_for(500ms);
        EXPECT_EQ(pool->connection_count(), 3u);
    });
}

TEST_F(PoolTest, ErrorInOnePipelinedStatementDoesNotAbortItsNeighbours) {
    auto o = options(1, 1);
    make_pool(o);
    std::vector<std::string> outcome(3);
    run([&]() -> awaitable<void> {
        int n = 0;
        const char* sql[] = {"SELECT 1", "SELECT 1/0", "SELECT 3"};
        for (int i = 0; i < 3; ++i) {
            pool->async_query(sql[i], {}, [&, i](std::exception_ptr e, Result r) {
                if (!e) {
                    outcome[i] = "ok";
                } else {
                    try {
                        std::rethrow_exception(e);
                    } catch (const Error& x) {
                        outcome[i] = x.diagnostics().sqlstate;
                        EXPECT_EQ(x.code(), make_error_code(Errc::sql_error));
                        EXPECT_FALSE(x.diagnostics().message.empty());
                    }
                }
                (void)r;
                ++n;
            });
        }
        while (n < 3) co_await sleep_for(1ms);
    });
    EXPECT_EQ(outcome[0], "ok");
    EXPECT_EQ(outcome[1], sqlstate::division_by_zero);  // division_by_zero
    EXPECT_EQ(outcome[2], "ok");
}

TEST_F(PoolTest, SqlErrorKeepsServerDiagnostics) {
    run([&]() -> awaitable<void> {
        try {
            co_await pool->async_query("SELECT * FROM no_such_table_here", args(), use_awaitable);
            ADD_FAILURE() << "no error";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), make_error_code(Errc::sql_error));
            EXPECT_EQ(e.diagnostics().sqlstate, sqlstate::undefined_table);
            EXPECT_NE(e.diagnostics().message.find("no_such_table_here"), std::string::npos);
        }
    });
}

TEST_F(PoolTest, UnsupportedCopyGivesAClearErrorAndThePoolCarriesOn) {
    run([&]() -> awaitable<void> {
        try {
            co_await pool->async_query("COPY (SELECT 1) TO STDOUT", args(), use_awaitable);
            ADD_FAILURE() << "COPY succeeded";
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find("COPY is not supported"), std::string::npos) << e.what();
        }
        Result r = co_await pool->async_query("SELECT 2", args(), use_awaitable);
        EXPECT_EQ(r.rows.at(0).at(0), Value(2));
    });
}

TEST_F(PoolTest, FullQueueGivesOverloadedAtOnce) {
    auto o = options(1, 1);
    o.max_in_flight_per_connection = 1;
    o.max_queue = 2;
    make_pool(o);
    std::vector<Errc> codes;
    run([&]() -> awaitable<void> {
        // One runs, two wait, the fourth has no room.
        for (int i = 0; i < 4; ++i)
            pool->async_query("SELECT pg_sleep(0.2)", {}, [&](std::exception_ptr e, Result) { codes.push_back(code_of(e)); });
        while (codes.size() < 4) co_await sleep_for(1ms);
    });
    ASSERT_EQ(codes.size(), 4u);
    EXPECT_EQ(codes[0], Errc::overloaded);  // it fails first, without waiting
    EXPECT_EQ(std::count(codes.begin(), codes.end(), Errc{}), 3);
}

TEST_F(PoolTest, StartReportsWhichConnectionFailedAndCallsFailFast) {
    PoolOptions o;
    o.conninfo = "hostaddr=127.0.0.1 port=1 dbname=postgres user=postgres";  // nothing listens on port 1
    o.min_connections = 2;
    make_pool(o);
    bool done = false;
    std::exception_ptr start_error, query_error;
    asio::co_spawn(
        io,
        [&]() -> awaitable<void> {
            try {
                co_await pool->async_start(use_awaitable);
            } catch (...) {
                start_error = std::current_exception();
            }
            EXPECT_FALSE(pool->available());
            auto t0 = std::chrono::steady_clock::now();
            try {
                co_await pool->async_query("SELECT 1", args(), use_awaitable);
            } catch (...) {
                query_error = std::current_exception();
            }
            EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
            co_await pool->async_close(use_awaitable);
        },
        [&](std::exception_ptr) { done = true; });
    ASSERT_TRUE(run_until(io, [&] { return done; }));
    ASSERT_TRUE(start_error);
    EXPECT_EQ(code_of(start_error), Errc::connect_failed);
    std::string what = what_of(start_error);
    EXPECT_NE(what.find("connection 1"), std::string::npos) << what;
    EXPECT_NE(what.find("connection 2"), std::string::npos) << what;
    EXPECT_NE(what.find("refused"), std::string::npos) << what;
    EXPECT_EQ(code_of(query_error), Errc::unavailable);
}

TEST_F(PoolTest, ConnectTimeoutFailsAServerThatNeverAnswers) {
    // The kernel accepts the TCP handshake, nobody ever answers the startup packet.
    asio::ip::tcp::acceptor silent(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    PoolOptions o;
    o.conninfo = "hostaddr=127.0.0.1 port=" + std::to_string(silent.local_endpoint().port()) + " user=postgres";
    o.connect_timeout = 300ms;
    make_pool(o);
    bool done = false;
    std::exception_ptr start_error;
    auto t0 = std::chrono::steady_clock::now();
    pool->async_start([&](std::exception_ptr e) {
        start_error = e;
        done = true;
    });
    ASSERT_TRUE(run_until(io, [&] { return done; }));
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
    EXPECT_EQ(code_of(start_error), Errc::connect_failed);
    EXPECT_NE(what_of(start_error).find("timed out after 300 ms"), std::string::npos) << what_of(start_error);
}

TEST_F(PoolTest, SetLimitsAddsAndRemovesConnections) {
    make_pool(options(1, 1));
    run([&]() -> awaitable<void> {
        EXPECT_EQ(pool->connection_count(), 1u);
        pool->set_limits(3, 3);
        EXPECT_EQ(pool->connection_count(), 3u);  // opening
        // Once the new connections are open, three statements at once each
        // get an idle connection of their own.
        std::set<std::int64_t> pids;
        for (int round = 0; round < 200 && pids.size() < 3; ++round) {
            pids.clear();
            int done = 0;
            for (int i = 0; i < 3; ++i) {
                pool->async_query("SELECT pg_backend_pid()::int8 FROM pg_sleep(0.05)", {},
                                  [&](std::exception_ptr e, Result r) {
                                      EXPECT_FALSE(e);
                                      if (!e) pids.insert(r.rows.at(0).at(0).as<std::int64_t>());
                                      ++done;
                                  });
            }
            while (done < 3) co_await sleep_for(1ms);
        }
        EXPECT_EQ(pids.size(), 3u);
        pool->set_limits(1, 1);
        EXPECT_EQ(pool->connection_count(), 1u);  // idle ones closed at once
        Result r = co_await pool->async_query("SELECT 1", args(), use_awaitable);
        EXPECT_EQ(r.rows.size(), 1u);
    });
}

TEST_F(PoolTest, CloseFailsPendingWorkAndCanBeCalledTwice) {
    make_pool(options(1, 1));
    int closes = 0;
    std::vector<Errc> codes;
    run([&]() -> awaitable<void> {
        for (int i = 0; i < 3; ++i)
            pool->async_query("SELECT pg_sleep(5)", {}, [&](std::exception_ptr e, Result) { codes.push_back(code_of(e)); });
        pool->async_close([&] { ++closes; });
        pool->async_close([&] { ++closes; });
        while (closes < 2 || codes.size() < 3) co_await sleep_for(1ms);
        // After close everything fails with closed, at once.
        try {
            co_await pool->async_query("SELECT 1", args(), use_awaitable);
            ADD_FAILURE() << "query after close succeeded";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), make_error_code(Errc::closed));
        }
    });
    EXPECT_EQ(closes, 2);
    EXPECT_EQ(codes, std::vector<Errc>(3, Errc::closed));
}

TEST_F(PoolTest, StatementLoggerSeesSqlCountAndDurationButNoValuesUnlessAsked) {
    struct Seen {
        std::string sql;
        std::size_t count;
        std::chrono::nanoseconds duration;
        bool has_params;
        std::error_code error;
    };
    std::vector<Seen> seen;
    make_pool(options());
    run([&]() -> awaitable<void> {
        co_await pool->async_query("SELECT 'no log yet'", args(), use_awaitable);
        pool->set_statement_logger([&](const StatementLogEntry& e) {
            seen.push_back({std::string(e.sql), e.param_count, e.duration, e.params != nullptr, e.error});
        });
        co_await pool->async_query("SELECT $1::text, $2::int", args("secret", 2), use_awaitable);
        try {
            co_await pool->async_query("SELECT 1/0", args(), use_awaitable);
        } catch (const Error&) {
        }
        pool->set_statement_logger(
            [&](const StatementLogEntry& e) {
                seen.push_back({std::string(e.sql), e.param_count, e.duration, e.params != nullptr, e.error});
                if (e.params) {
                    EXPECT_EQ(e.params->size(), 1u);
                }
            },
            true);
        co_await pool->async_query("SELECT $1::text", args("shown"), use_awaitable);
    });
    ASSERT_EQ(seen.size(), 3u);
    EXPECT_EQ(seen[0].sql, "SELECT $1::text, $2::int");
    EXPECT_EQ(seen[0].count, 2u);
    EXPECT_GT(seen[0].duration.count(), 0);
    EXPECT_FALSE(seen[0].has_params);
    EXPECT_FALSE(seen[0].error);
    EXPECT_EQ(seen[1].error, make_error_code(Errc::sql_error));
    EXPECT_TRUE(seen[2].has_params);
}

}  // namespace
}  // namespace pgwamp::db::testing
