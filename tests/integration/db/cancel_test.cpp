// Cancel and timeouts: queued and running statements, interactions, and the
// pipeline neighbours of a canceled statement.

#include "tests/integration/db/db_test_support.hpp"

namespace pgwamp::db::testing {
namespace {

// Waits (by asking the server) until some backend runs `sql_prefix`.
awaitable<void> wait_until_running(Pool& pool, const std::string& sql_prefix) {
    for (;;) {
        Result r = co_await pool.async_query(
            "SELECT count(*)::int FROM pg_stat_activity WHERE state = 'active' AND query LIKE $1 || '%' "
            "AND pid <> pg_backend_pid()",
            args(sql_prefix), use_awaitable);
        if (r.rows.at(0).at(0) != Value(0)) co_return;
        co_await sleep_for(5ms);
    }
}

TEST_F(PoolTest, CancelRunningSleepReturnsCanceledQuicklyWhileOthersFlow) {
    make_pool(options(2, 2));
    run([&]() -> awaitable<void> {
        auto signal = std::make_shared<CancelSignal>();
        std::exception_ptr sleep_error;
        bool sleep_done = false;
        auto t0 = std::chrono::steady_clock::now();
        pool->async_query("SELECT pg_sleep(10)", {}, statement_options(signal), [&](std::exception_ptr e, Result) {
            sleep_error = e;
            sleep_done = true;
        });
        co_await wait_until_running(*pool, "SELECT pg_sleep(10)");
        // Other statements keep flowing on the other connection meanwhile.
        for (int i = 0; i < 20; ++i) {
            Result r = co_await pool->async_query("SELECT $1::int", args(i), use_awaitable);
            EXPECT_EQ(r.rows.at(0).at(0), Value(i));
        }
        signal->cancel();
        while (!sleep_done) co_await sleep_for(1ms);
        EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
        EXPECT_EQ(code_of(sleep_error), Errc::canceled) << what_of(sleep_error);
        // The canceled connection is fine afterwards.
        for (int i = 0; i < 10; ++i) co_await pool->async_query("SELECT 1", args(), use_awaitable);
    });
}

TEST_F(PoolTest, CancelRightAfterSendingStillCancels) {
    // The cancel may reach the backend before it started the statement (it is
    // then ignored by the server); the pool asks again until it takes.
    make_pool(options(1, 1));
    run([&]() -> awaitable<void> {
        for (int round = 0; round < 5; ++round) {
            auto signal = std::make_shared<CancelSignal>();
            std::exception_ptr err;
            bool done = false;
            auto t0 = std::chrono::steady_clock::now();
            pool->async_query("SELECT pg_sleep(10)", {}, statement_options(signal), [&](std::exception_ptr e, Result) {
                err = e;
                done = true;
            });
            signal->cancel();
            while (!done) co_await sleep_for(1ms);
            EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
            EXPECT_EQ(code_of(err), Errc::canceled);
        }
    });
}

TEST_F(PoolTest, OneSignalCancelsEveryStatementItCovers) {
    make_pool(options(3, 3));
    run([&]() -> awaitable<void> {
        auto signal = std::make_shared<CancelSignal>();
        std::vector<Errc> codes;
        auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < 3; ++i)
            pool->async_query("SELECT pg_sleep(10)", {}, statement_options(signal),
                              [&](std::exception_ptr e, Result) { codes.push_back(code_of(e)); });
        co_await sleep_for(50ms);  // pacing only: let them start
        signal->cancel();
        while (codes.size() < 3) co_await sleep_for(1ms);
        EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
        EXPECT_EQ(codes, std::vector<Errc>(3, Errc::canceled));
    });
}

TEST_F(PoolTest, CancelOfQueuedStatementRemovesItAndLeavesTheRunningOneAlone) {
    auto o = options(1, 1);
    o.max_in_flight_per_connection = 1;
    make_pool(o);
    run([&]() -> awaitable<void> {
        std::exception_ptr first_error, second_error;
        int done = 0;
        auto signal = std::make_shared<CancelSignal>();
        pool->async_query("SELECT pg_sleep(0.3), 'first'", {}, [&](std::exception_ptr e, Result) {
            first_error = e;
            ++done;
        });
        pool->async_query("SELECT 'second'", {}, statement_options(signal), [&](std::exception_ptr e, Result) {
            second_error = e;
            ++done;
        });
        EXPECT_EQ(pool->waiting(), 1u);
        signal->cancel();
        while (done < 2) co_await sleep_for(1ms);
        EXPECT_FALSE(first_error);
        EXPECT_EQ(code_of(second_error), Errc::canceled);
        // A signal canceled before the call fails it at once.
        try {
            co_await pool->async_query("SELECT 1", args(), statement_options(signal), use_awaitable);
            ADD_FAILURE() << "no error";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), make_error_code(Errc::canceled));
        }
    });
}

TEST_F(PoolTest, PipelinedNeighboursOfACanceledStatementAreNotReportedCanceled) {
    auto o = options(1, 1);
    make_pool(o);
    run([&]() -> awaitable<void> {
        auto signal = std::make_shared<CancelSignal>();
        std::vector<std::exception_ptr> errors(5);
        std::vector<bool> done(5, false);
        pool->async_query("SELECT pg_sleep(10)", {}, statement_options(signal), [&](std::exception_ptr e, Result) {
            errors[0] = e;
            done[0] = true;
        });
        for (int i = 1; i < 5; ++i)
            pool->async_query("SELECT $1::int", args(i), [&, i](std::exception_ptr e, Result r) {
                errors[i] = e;
                done[i] = !e && r.rows.at(0).at(0) == Value(i);
                if (e) done[i] = true;
            });
        co_await sleep_for(50ms);  // pacing only: let the sleep start
        signal->cancel();
        for (;;) {
            bool all = true;
            for (bool d : done) all = all && d;
            if (all) break;
            co_await sleep_for(1ms);
        }
        EXPECT_EQ(code_of(errors[0]), Errc::canceled);
        for (int i = 1; i < 5; ++i) EXPECT_FALSE(errors[i]) << "neighbour " << i << ": " << what_of(errors[i]);
    });
}

TEST_F(PoolTest, StatementTimeoutGivesTimeout) {
    run([&]() -> awaitable<void> {
        auto t0 = std::chrono::steady_clock::now();
        try {
            co_await pool->async_query("SELECT pg_sleep(10)", args(), statement_options(200ms), use_awaitable);
            ADD_FAILURE() << "no timeout";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), make_error_code(Errc::timeout)) << e.what();
        }
        EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
        // A fast statement with a timeout is unaffected.
        Result r = co_await pool->async_query("SELECT 5", args(), statement_options(5000ms), use_awaitable);
        EXPECT_EQ(r.rows.at(0).at(0), Value(5));
    });
}

TEST_F(PoolTest, PoolDefaultStatementTimeoutApplies) {
    auto o = options();
    o.statement_timeout = 200ms;
    make_pool(o);
    run([&]() -> awaitable<void> {
        try {
            co_await pool->async_query("SELECT pg_sleep(10)", args(), use_awaitable);
            ADD_FAILURE() << "no timeout";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), make_error_code(Errc::timeout));
        }
    });
}

TEST_F(PoolTest, CanceledInteractionLeavesNothingBehind) {
    std::string t = fresh_schema() + ".t";
    cluster().psql("CREATE TABLE " + t + " (x int)");
    run([&]() -> awaitable<void> {
        auto signal = std::make_shared<CancelSignal>();
        std::exception_ptr err;
        bool done = false;
        pool->async_interaction(CoroutineInteraction([t](Transaction& tx) -> awaitable<Value> {
                                    co_await tx.async_execute("INSERT INTO " + t + " VALUES (1)", args(), use_awaitable);
                                    co_await tx.async_query("SELECT pg_sleep(10)", args(), use_awaitable);
                                    co_await tx.async_execute("INSERT INTO " + t + " VALUES (2)", args(), use_awaitable);
                                    co_return Value(true);
                                }),
                                statement_options(signal), [&](std::exception_ptr e, Value) {
                                    err = e;
                                    done = true;
                                });
        co_await wait_until_running(*pool, "SELECT pg_sleep(10)");
        auto t0 = std::chrono::steady_clock::now();
        signal->cancel();
        while (!done) co_await sleep_for(1ms);
        EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
        EXPECT_EQ(code_of(err), Errc::canceled) << what_of(err);
    });
    EXPECT_EQ(cluster().psql("SELECT count(*) FROM " + t), "0");
}

TEST_F(PoolTest, InteractionTimeoutEndsABodyThatNeverCallsDone) {
    std::string t = fresh_schema() + ".t";
    cluster().psql("CREATE TABLE " + t + " (x int)");
    run([&]() -> awaitable<void> {
        CallbackInteraction forgetful = [t](Transaction& tx, InteractionDone) {
            tx.async_execute("INSERT INTO " + t + " VALUES (1)", {}, [](std::exception_ptr, std::uint64_t) {});
            // ...and never calls done.
        };
        try {
            co_await pool->async_interaction(forgetful, statement_options(300ms), use_awaitable);
            ADD_FAILURE() << "no timeout";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), make_error_code(Errc::timeout)) << e.what();
        }
        // The connection went back clean.
        for (int i = 0; i < 5; ++i) co_await pool->async_query("SELECT 1", args(), use_awaitable);
    });
    EXPECT_EQ(cluster().psql("SELECT count(*) FROM " + t), "0");
}

TEST_F(PoolTest, InteractionTimeoutRollsBack) {
    std::string t = fresh_schema() + ".t";
    cluster().psql("CREATE TABLE " + t + " (x int)");
    run([&]() -> awaitable<void> {
        try {
            // Named first: GCC 12 destroys a lambda temporary inside co_await twice.
            CoroutineInteraction body1 = [t](Transaction& tx) -> awaitable<Value> {
                    co_await tx.async_execute("INSERT INTO " + t + " VALUES (1)", args(), use_awaitable);
                    co_await tx.async_query("SELECT pg_sleep(10)", args(), use_awaitable);
                    co_return Value(true);
                };
            co_await pool->async_interaction(body1,
                statement_options(300ms), use_awaitable);
            ADD_FAILURE() << "no timeout";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), make_error_code(Errc::timeout)) << e.what();
        }
    });
    EXPECT_EQ(cluster().psql("SELECT count(*) FROM " + t), "0");
}

}  // namespace
}  // namespace pgwamp::db::testing
