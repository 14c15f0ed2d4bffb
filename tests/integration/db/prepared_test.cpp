// Prepared statements on the pipeline (db/statement_cache.hpp), against a
// real server: reuse, a schema change under a cached plan, reconnection,
// the cache's bound, a statement that cannot be prepared, and the opt-out.
// Pools here have one connection, so pg_prepared_statements (which lists
// the asking session's statements only) sees the pool's cache.

#include "tests/integration/db/db_test_support.hpp"
#include "pg/sqlstate.hpp"

namespace pgwamp::db::testing {
namespace {

class PreparedTest : public PoolTest {
protected:
    PoolOptions one_connection(std::size_t cache) {
        PoolOptions o = options(1, 1);
        o.prepared_statements = cache;
        return o;
    }

    awaitable<int> prepared_count(const std::string& statement = "") {
        // Through the pool: the count is the pool connection's own.
        Result r = co_await pool->async_query(
            "SELECT count(*)::int FROM pg_prepared_statements WHERE $1::text = '' OR statement = $1::text",
            args(statement), use_awaitable);
        co_return static_cast<int>(r.rows.at(0).at(0).as<std::int64_t>());
    }
};

TEST_F(PreparedTest, AStatementIsPreparedOnceAndReused) {
    make_pool(one_connection(16));
    run([&]() -> awaitable<void> {
        for (int i = 0; i < 5; ++i) {
            Result r = co_await pool->async_query("SELECT $1::int + 1", args(i), use_awaitable);
            EXPECT_EQ(r.rows.at(0).at(0), Value(i + 1));
        }
        EXPECT_EQ(co_await prepared_count("SELECT $1::int + 1"), 1);
    });
}

TEST_F(PreparedTest, ASchemaChangeUnderACachedStatementIsRetriedTransparently) {
    std::string s = fresh_schema();
    cluster().psql("CREATE TABLE " + s + ".t (id int PRIMARY KEY, v int); INSERT INTO " + s + ".t VALUES (1, 10)");
    make_pool(one_connection(16));
    const std::string sql = "SELECT * FROM " + s + ".t WHERE id = $1";
    run([&]() -> awaitable<void> {
        for (int i = 0; i < 3; ++i) {
            Result r = co_await pool->async_query(sql, args(1), use_awaitable);
            EXPECT_EQ(r.rows.at(0).at(1), Value(10));
        }
        EXPECT_EQ(co_await prepared_count(sql), 1);
        // The result type changes: the cached plan is now "must not change
        // result type" (0A000) on the server.
        cluster().psql("ALTER TABLE " + s + ".t ALTER COLUMN v TYPE text");
        for (int i = 0; i < 3; ++i) {
            Result r = co_await pool->async_query(sql, args(1), use_awaitable);
            EXPECT_EQ(r.rows.at(0).at(1), Value("10"));
        }
        cluster().psql("ALTER TABLE " + s + ".t ADD COLUMN w int DEFAULT 7");
        // Several at once, all pipelined behind the stale one.
        int done = 0;
        for (int i = 0; i < 8; ++i)
            pool->async_query(sql, args(1), [&](std::exception_ptr e, Result r) {
                EXPECT_FALSE(e) << what_of(e);
                if (!e) {
                    EXPECT_EQ(r.rows.at(0).size(), 3u);
                }
                ++done;
            });
        while (done < 8) co_await sleep_for(1ms);
        EXPECT_EQ(co_await prepared_count(sql), 1);  // the stale one was deallocated
    });
}

TEST_F(PreparedTest, AStalePlanInsideAnInteractionIsTheCallersErrorAndThenHeals) {
    std::string s = fresh_schema();
    cluster().psql("CREATE TABLE " + s + ".t (id int PRIMARY KEY, v int); INSERT INTO " + s + ".t VALUES (1, 10)");
    make_pool(one_connection(16));
    const std::string sql = "SELECT * FROM " + s + ".t WHERE id = $1";
    run([&]() -> awaitable<void> {
        co_await pool->async_query(sql, args(1), use_awaitable);
        cluster().psql("ALTER TABLE " + s + ".t ALTER COLUMN v TYPE text");
        std::exception_ptr err;
        CoroutineInteraction body = [&](Transaction& tx) -> awaitable<Value> {
            co_await tx.async_query(sql, args(1), use_awaitable);
            co_return Value();
        };
        try {
            co_await pool->async_interaction(body, use_awaitable);
        } catch (...) {
            err = std::current_exception();
        }
        // Never re-sent inside a transaction: it may have had effects there.
        EXPECT_EQ(code_of(err), Errc::sql_error);
        EXPECT_EQ(sqlstate_of(err), sqlstate::feature_not_supported) << what_of(err);
        Result r = co_await pool->async_query(sql, args(1), use_awaitable);
        EXPECT_EQ(r.rows.at(0).at(1), Value("10"));
    });
}

TEST_F(PreparedTest, AReconnectMidStreamStartsWithAnEmptyCache) {
    make_pool(one_connection(16));
    run([&]() -> awaitable<void> {
        Result pid = co_await pool->async_query("SELECT pg_backend_pid()", {}, use_awaitable);
        for (int i = 0; i < 3; ++i) co_await pool->async_query("SELECT $1::int + 1", args(i), use_awaitable);
        int finished = 0, failed = 0;
        for (int i = 0; i < 200; ++i)
            pool->async_query("SELECT $1::int + 1", args(i), [&, i](std::exception_ptr e, Result r) {
                ++finished;
                if (e) {
                    ++failed;
                    EXPECT_TRUE(code_of(e) == Errc::connection_lost || code_of(e) == Errc::unavailable)
                        << what_of(e);
                } else {
                    EXPECT_EQ(r.rows.at(0).at(0), Value(i + 1));
                }
            });
        cluster().psql("SELECT pg_terminate_backend(" + std::to_string(pid.rows.at(0).at(0).as<std::int64_t>()) + ")");
        while (finished < 200) co_await sleep_for(1ms);
        // Statements cached on the old backend run on the new one: if the
        // cache had survived, Bind would name statements the new backend
        // never saw (invalid_sql_statement_name).
        for (int attempt = 0; attempt < 200; ++attempt) {
            try {
                co_await pool->async_query("SELECT 1", {}, use_awaitable);
                break;
            } catch (...) {
            }
            co_await sleep_for(10ms);
        }
        Result again = co_await pool->async_query("SELECT pg_backend_pid()", {}, use_awaitable);
        EXPECT_NE(again.rows.at(0).at(0), pid.rows.at(0).at(0));
        for (int i = 0; i < 20; ++i) {
            Result r = co_await pool->async_query("SELECT $1::int + 1", args(i), use_awaitable);
            EXPECT_EQ(r.rows.at(0).at(0), Value(i + 1));
        }
        EXPECT_EQ(co_await prepared_count("SELECT $1::int + 1"), 1);
    });
}

TEST_F(PreparedTest, TheServerNeverHoldsMoreThanTheBound) {
    constexpr std::size_t bound = 5;
    make_pool(one_connection(bound));
    run([&]() -> awaitable<void> {
        for (int round = 0; round < 2; ++round) {
            for (int n = 0; n < 30; ++n) {
                Result r = co_await pool->async_query("SELECT $1::int + " + std::to_string(n), args(round),
                                                      use_awaitable);
                EXPECT_EQ(r.rows.at(0).at(0), Value(round + n));
                EXPECT_LE(co_await prepared_count(), static_cast<int>(bound));
            }
        }
        // Used, not bypassed: the cache is full of prepared statements.
        EXPECT_EQ(co_await prepared_count(), static_cast<int>(bound));
    });
}

TEST_F(PreparedTest, AStatementThatFailsToPrepareIsOneSqlErrorAndTheConnectionKeepsWorking) {
    make_pool(one_connection(16));
    run([&]() -> awaitable<void> {
        Result pid = co_await pool->async_query("SELECT pg_backend_pid()", {}, use_awaitable);
        for (int i = 0; i < 2; ++i) {
            std::exception_ptr err;
            try {
                co_await pool->async_query("SELEC $1::int", args(1), use_awaitable);
            } catch (...) {
                err = std::current_exception();
            }
            EXPECT_EQ(code_of(err), Errc::sql_error);
            EXPECT_EQ(sqlstate_of(err), sqlstate::syntax_error) << what_of(err);  // the Parse's error, not "skipped"
        }
        Result r = co_await pool->async_query("SELECT $1::int", args(5), use_awaitable);
        EXPECT_EQ(r.rows.at(0).at(0), Value(5));
        Result same = co_await pool->async_query("SELECT pg_backend_pid()", {}, use_awaitable);
        EXPECT_EQ(same.rows.at(0).at(0), pid.rows.at(0).at(0));
        EXPECT_EQ(co_await prepared_count("SELEC $1::int"), 0);
    });
}

TEST_F(PreparedTest, AStatementThatOptsOutIsNeverPrepared) {
    make_pool(one_connection(16));
    run([&]() -> awaitable<void> {
        StatementOptions unprepared;
        unprepared.prepare = false;
        for (int i = 0; i < 3; ++i) {
            Result r = co_await pool->async_query("SELECT $1::int * 7", args(i), unprepared, use_awaitable);
            EXPECT_EQ(r.rows.at(0).at(0), Value(i * 7));
        }
        EXPECT_EQ(co_await prepared_count("SELECT $1::int * 7"), 0);
        co_await pool->async_query("SELECT $1::int * 7", args(1), use_awaitable);
        EXPECT_EQ(co_await prepared_count("SELECT $1::int * 7"), 1);  // the count can see one
    });
}

}  // namespace
}  // namespace pgwamp::db::testing
