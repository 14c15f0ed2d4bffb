// runInteraction semantics: commit, rollback with the original error, failed
// COMMIT, failed ROLLBACK, both body styles.

#include "tests/integration/db/db_test_support.hpp"
#include "pg/sqlstate.hpp"

namespace pgwamp::db::testing {
namespace {

std::int64_t count_rows(const std::string& table) { return std::stoll(cluster().psql("SELECT count(*) FROM " + table)); }

TEST_F(PoolTest, CallbackInteractionCommitsAndReturnsItsValue) {
    std::string t = fresh_schema() + ".t";
    cluster().psql("CREATE TABLE " + t + " (x int)");
    run([&]() -> awaitable<void> {
        // Named first: GCC 12 destroys a lambda temporary inside co_await twice.
        CallbackInteraction body1 = [t](Transaction& tx, InteractionDone done) {
                tx.async_execute("INSERT INTO " + t + " VALUES ($1)", args(1), [&tx, t, done](std::exception_ptr e, std::uint64_t) {
                    if (e) return done(e, {});
                    tx.async_query("SELECT count(*) FROM " + t, {}, [done](std::exception_ptr e2, Result r) {
                        if (e2) return done(e2, {});
                        done(nullptr, r.rows.at(0).at(0));
                    });
                });
            };
        Value v = co_await pool->async_interaction(body1,
            use_awaitable);
        EXPECT_EQ(v, Value(1));
    });
    EXPECT_EQ(count_rows(t), 1);
}

TEST_F(PoolTest, CoroutineInteractionCommitsAndReturnsItsValue) {
    std::string t = fresh_schema() + ".t";
    cluster().psql("CREATE TABLE " + t + " (x int)");
    run([&]() -> awaitable<void> {
        // Named first: GCC 12 destroys a lambda temporary inside co_await twice.
        CoroutineInteraction body2 = [t](Transaction& tx) -> awaitable<Value> {
                co_await tx.async_execute("INSERT INTO " + t + " VALUES (1), (2)", args(), use_awaitable);
                Result r = co_await tx.async_query("SELECT sum(x)::int FROM " + t, args(), use_awaitable);
                co_return r.rows.at(0).at(0);
            };
        Value v = co_await pool->async_interaction(body2,
            use_awaitable);
        EXPECT_EQ(v, Value(3));
    });
    EXPECT_EQ(count_rows(t), 2);
}

TEST_F(PoolTest, FailingInteractionLeavesNoRowsAndReturnsTheOriginalError) {
    std::string t = fresh_schema() + ".t";
    cluster().psql("CREATE TABLE " + t + " (x int primary key)");
    run([&]() -> awaitable<void> {
        try {
            // Named first: GCC 12 destroys a lambda temporary inside co_await twice.
            CoroutineInteraction body3 = [t](Transaction& tx) -> awaitable<Value> {
                    co_await tx.async_execute("INSERT INTO " + t + " VALUES (1)", args(), use_awaitable);
                    co_await tx.async_execute("INSERT INTO " + t + " VALUES (1)", args(), use_awaitable);  // duplicate
                    co_return Value("not reached");
                };
            co_await pool->async_interaction(body3,
                use_awaitable);
            ADD_FAILURE() << "no error";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), make_error_code(Errc::sql_error));
            EXPECT_EQ(e.diagnostics().sqlstate, sqlstate::unique_violation);
        }
        // The connection went back to the pool clean: it still works.
        Result r = co_await pool->async_query("SELECT 1", args(), use_awaitable);
        EXPECT_EQ(r.rows.at(0).at(0), Value(1));
    });
    EXPECT_EQ(count_rows(t), 0);
}

TEST_F(PoolTest, ExceptionInBodyRollsBackAsInteractionFailed) {
    std::string t = fresh_schema() + ".t";
    cluster().psql("CREATE TABLE " + t + " (x int)");
    run([&]() -> awaitable<void> {
        try {
            // Named first: GCC 12 destroys a lambda temporary inside co_await twice.
            CallbackInteraction body4 = [t](Transaction& tx, InteractionDone done) {
                                                 tx.async_execute("INSERT INTO " + t + " VALUES (1)", args(),
                                                                  [done](std::exception_ptr, std::uint64_t) {
                                                                      done(std::make_exception_ptr(std::runtime_error("boom")), {});
                                                                  });
                                             };
            co_await pool->async_interaction(body4,
                                             use_awaitable);
            ADD_FAILURE() << "no error";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), make_error_code(Errc::interaction_failed));
            EXPECT_STREQ(e.what(), "boom");
        }
        try {
            // Named first: GCC 12 destroys a lambda temporary inside co_await twice.
            CallbackInteraction body5 = [](Transaction&, InteractionDone) {
                                                 throw std::logic_error("thrown synchronously");
                                             };
            co_await pool->async_interaction(body5,
                                             use_awaitable);
            ADD_FAILURE() << "no error";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), make_error_code(Errc::interaction_failed));
        }
    });
    EXPECT_EQ(count_rows(t), 0);
}

TEST_F(PoolTest, FailedCommitIsRolledBackAndItsErrorReturned) {
    std::string t = fresh_schema() + ".t";
    // A deferred unique constraint is only checked at COMMIT.
    cluster().psql("CREATE TABLE " + t + " (x int unique deferrable initially deferred)");
    run([&]() -> awaitable<void> {
        try {
            // Named first: GCC 12 destroys a lambda temporary inside co_await twice.
            CoroutineInteraction body6 = [t](Transaction& tx) -> awaitable<Value> {
                    co_await tx.async_execute("INSERT INTO " + t + " VALUES (1), (1)", args(), use_awaitable);
                    co_return Value(true);
                };
            co_await pool->async_interaction(body6,
                use_awaitable);
            ADD_FAILURE() << "no error";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), make_error_code(Errc::sql_error));
            EXPECT_EQ(e.diagnostics().sqlstate, sqlstate::unique_violation);
        }
        Result r = co_await pool->async_query("SELECT 1", args(), use_awaitable);
        EXPECT_EQ(r.rows.size(), 1u);
    });
    EXPECT_EQ(count_rows(t), 0);
}

TEST_F(PoolTest, SwallowedStatementErrorMakesCommitFailWithThatError) {
    std::string t = fresh_schema() + ".t";
    cluster().psql("CREATE TABLE " + t + " (x int)");
    run([&]() -> awaitable<void> {
        try {
            // Named first: GCC 12 destroys a lambda temporary inside co_await twice.
            CoroutineInteraction body7 = [t](Transaction& tx) -> awaitable<Value> {
                    co_await tx.async_execute("INSERT INTO " + t + " VALUES (1)", args(), use_awaitable);
                    try {
                        co_await tx.async_query("SELECT 1/0", args(), use_awaitable);
                    } catch (const Error&) {
                        // swallowed: the server has aborted the transaction anyway
                    }
                    co_return Value(true);
                };
            co_await pool->async_interaction(body7,
                use_awaitable);
            ADD_FAILURE() << "COMMIT of an aborted transaction reported success";
        } catch (const Error& e) {
            EXPECT_EQ(e.diagnostics().sqlstate, sqlstate::division_by_zero);
        }
    });
    EXPECT_EQ(count_rows(t), 0);
}

TEST_F(PoolTest, FailedRollbackGivesRollbackFailedWithOriginalAndPoolKeepsWorking) {
    std::string t = fresh_schema() + ".t";
    cluster().psql("CREATE TABLE " + t + " (x int)");
    make_pool(options(2, 2));
    run([&]() -> awaitable<void> {
        try {
            // Named first: GCC 12 destroys a lambda temporary inside co_await twice.
            CoroutineInteraction body8 = [t](Transaction& tx) -> awaitable<Value> {
                    co_await tx.async_execute("INSERT INTO " + t + " VALUES (1)", args(), use_awaitable);
                    Result pid = co_await tx.async_query("SELECT pg_backend_pid()", args(), use_awaitable);
                    // Kill our own backend from outside, then fail: the
                    // ROLLBACK that follows cannot run.
                    cluster().psql("SELECT pg_terminate_backend(" +
                                   std::to_string(pid.rows.at(0).at(0).as<std::int64_t>()) + ")");
                    throw Error(make_error_code(Errc::sql_error), "the body's own failure");
                };
            co_await pool->async_interaction(body8,
                use_awaitable);
            ADD_FAILURE() << "no error";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), make_error_code(Errc::rollback_failed)) << e.what();
            EXPECT_TRUE(e.original());
            if (e.original()) {
                EXPECT_STREQ(e.original()->what(), "the body's own failure");
            }
        }
        for (int i = 0; i < 10; ++i) {
            Result r = co_await pool->async_query("SELECT $1::int", args(i), use_awaitable);
            EXPECT_EQ(r.rows.at(0).at(0), Value(i));
        }
    });
    EXPECT_EQ(count_rows(t), 0);
}

TEST_F(PoolTest, ClosingThePoolEndsARunningInteractionWithClosed) {
    run([&]() -> awaitable<void> {
        std::exception_ptr err;
        bool done = false, body_started = false;
        CoroutineInteraction slow = [&](Transaction& tx) -> awaitable<Value> {
            body_started = true;
            co_await tx.async_query("SELECT pg_sleep(10)", args(), use_awaitable);
            co_return Value();
        };
        pool->async_interaction(slow, [&](std::exception_ptr e, Value) {
            err = e;
            done = true;
        });
        while (!body_started) co_await sleep_for(1ms);
        auto t0 = std::chrono::steady_clock::now();
        co_await pool->async_close(use_awaitable);
        while (!done) co_await sleep_for(1ms);
        EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
        EXPECT_EQ(code_of(err), Errc::closed) << what_of(err);
    });
}

TEST_F(PoolTest, ManyConcurrentInteractionsAllComplete) {
    run([&]() -> awaitable<void> {
        // Each pins a connection; the rest wait in the queue for one.
        int done = 0;
        for (int i = 0; i < 20; ++i) {
            pool->async_interaction(CoroutineInteraction([i](Transaction& tx) -> awaitable<Value> {
                                        Result r = co_await tx.async_query("SELECT $1::int", args(i), use_awaitable);
                                        co_return r.rows.at(0).at(0);
                                    }),
                                    [&, i](std::exception_ptr e, Value v) {
                                        EXPECT_FALSE(e);
                                        EXPECT_EQ(v, Value(i));
                                        ++done;
                                    });
        }
        while (done < 20) co_await sleep_for(1ms);
    });
}

}  // namespace
}  // namespace pgwamp::db::testing
