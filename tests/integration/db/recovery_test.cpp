// Dead connections and reconnection, on a cluster of its own (it is stopped
// and started again).

#include "tests/integration/db/db_test_support.hpp"

namespace pgwamp::db::testing {
namespace {

TEST_F(PoolTest, TerminatedBackendGivesConnectionLostThenRecovers) {
    make_pool(options(2, 2));
    int recovered = 0;
    run([&]() -> awaitable<void> {
        pool->on_recovered([&] { ++recovered; });
        std::exception_ptr err;
        bool done = false;
        pool->async_query("SELECT pg_sleep(10)", {}, [&](std::exception_ptr e, Result) {
            err = e;
            done = true;
        });
        // Kill the backend that runs the sleep, from the pool's other connection.
        for (;;) {
            Result r = co_await pool->async_query(
                "SELECT count(pg_terminate_backend(pid))::int FROM pg_stat_activity "
                "WHERE state = 'active' AND query = 'SELECT pg_sleep(10)'",
                {}, use_awaitable);
            if (r.rows.at(0).at(0) != Value(0)) break;
            co_await sleep_for(5ms);
        }
        while (!done) co_await sleep_for(1ms);
        EXPECT_EQ(code_of(err), Errc::connection_lost) << what_of(err);
        while (recovered == 0) co_await sleep_for(1ms);
        for (int i = 0; i < 20; ++i) {
            Result r = co_await pool->async_query("SELECT $1::int", args(i), use_awaitable);
            EXPECT_EQ(r.rows.at(0).at(0), Value(i));
        }
        EXPECT_EQ(pool->connection_count(), 2u);
    });
    EXPECT_EQ(recovered, 1);
}

TEST_F(PoolTest, DeathWithAFullPipelineFailsEveryStatementAndNoneHangs) {
    make_pool(options(1, 1));
    run([&]() -> awaitable<void> {
        // One connection: the victim and five statements pipelined behind it.
        std::vector<Errc> codes;
        pool->async_query("SELECT pg_sleep(10), 'victim'", {}, [&](std::exception_ptr e, Result) { codes.push_back(code_of(e)); });
        for (int i = 0; i < 5; ++i)
            pool->async_query("SELECT $1::int", args(i), [&](std::exception_ptr e, Result) { codes.push_back(code_of(e)); });
        auto t0 = std::chrono::steady_clock::now();
        while (cluster().psql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                              "WHERE query = 'SELECT pg_sleep(10), ''victim'''") == "0")
            co_await sleep_for(5ms);
        while (codes.size() < 6) co_await sleep_for(1ms);
        EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
        // All lost, in order, none silently re-run or left hanging.
        EXPECT_EQ(codes, std::vector<Errc>(6, Errc::connection_lost));
        Result r = co_await pool->async_query("SELECT 1", args(), use_awaitable);
        EXPECT_EQ(r.rows.size(), 1u);
    });
}

TEST_F(PoolTest, ConnectionDyingDuringCommitGivesConnectionLost) {
    // A deferred constraint trigger that sleeps makes COMMIT itself slow,
    // so the backend can be killed while COMMIT runs.
    cluster().psql(R"(
        DROP SCHEMA IF EXISTS dying_commit CASCADE; CREATE SCHEMA dying_commit;
        CREATE TABLE dying_commit.t (x int);
        CREATE FUNCTION dying_commit.slow() RETURNS trigger LANGUAGE plpgsql AS
            $$ BEGIN PERFORM pg_sleep(10); RETURN NULL; END $$;
        CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON dying_commit.t
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION dying_commit.slow();)");
    make_pool(options(1, 1));
    run([&]() -> awaitable<void> {
        std::exception_ptr err;
        bool done = false;
        CoroutineInteraction body = [](Transaction& tx) -> awaitable<Value> {
            co_await tx.async_execute("INSERT INTO dying_commit.t VALUES (1)", args(), use_awaitable);
            co_return Value(true);
        };
        pool->async_interaction(body, [&](std::exception_ptr e, Value) {
            err = e;
            done = true;
        });
        while (cluster().psql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                              "WHERE state = 'active' AND query = 'COMMIT'") == "0")
            co_await sleep_for(5ms);
        while (!done) co_await sleep_for(1ms);
        EXPECT_TRUE(err) << "COMMIT on a killed backend reported success";
        if (err) try {
            std::rethrow_exception(err);
        } catch (const Error& e) {
            // The server rolled back by itself; no ROLLBACK is sent on a dead
            // connection. connection_lost says the COMMIT may or may not have
            // happened (here it did not: the table stays empty).
            EXPECT_EQ(e.code(), make_error_code(Errc::connection_lost)) << e.what();
        }
        Result r = co_await pool->async_query("SELECT 1", args(), use_awaitable);
        EXPECT_EQ(r.rows.size(), 1u);
    });
    EXPECT_EQ(cluster().psql("SELECT count(*) FROM dying_commit.t"), "0");
}

awaitable<Errc> try_query(Pool& pool, std::chrono::steady_clock::duration& took) {
    auto t0 = std::chrono::steady_clock::now();
    Errc code{};
    try {
        co_await pool.async_query("SELECT 1", args(), use_awaitable);
    } catch (const Error& e) {
        code = static_cast<Errc>(e.code().value());
    }
    took = std::chrono::steady_clock::now() - t0;
    co_return code;
}

// Waits until the control connection has LISTENed again after a reconnect.
awaitable<void> wait_for_listen(Pool& pool, const std::string& channel) {
    for (;;) {
        Result r = co_await pool.async_query(
            "SELECT count(*)::int FROM pg_stat_activity WHERE pid = $1 AND query = $2",
            args(pool.control_backend_pid(), "LISTEN \"" + channel + "\""), use_awaitable);
        if (r.rows.at(0).at(0) == Value(1)) co_return;
        co_await sleep_for(5ms);
    }
}

TEST_F(PoolTest, ServerStopMeansUnavailableAtOnceAndStartBringsItBack) {
    make_pool(options(2, 3));
    int recovered = 0;
    std::vector<std::string> got;
    run(
        [&]() -> awaitable<void> {
            pool->on_recovered([&] { ++recovered; });
            pool->add_notify_observer([&](const Notification& n) { got.push_back(n.payload); });
            co_await pool->async_listen("after", use_awaitable);
            co_await pool->async_query("SELECT 1", args(), use_awaitable);

            cluster().stop();
            // The pool learns of the loss from its sockets; until then a call
            // may still be sent and fail as lost. Every call ends quickly.
            std::chrono::steady_clock::duration took{};
            for (int i = 0; i < 1000; ++i) {
                Errc c = co_await try_query(*pool, took);
                EXPECT_LT(took, 5s);
                EXPECT_TRUE(c == Errc::unavailable || c == Errc::connection_lost) << static_cast<int>(c);
                if (c == Errc::unavailable) break;
                co_await sleep_for(5ms);
            }
            EXPECT_FALSE(pool->available());
            for (int i = 0; i < 20; ++i) {
                EXPECT_EQ(co_await try_query(*pool, took), Errc::unavailable);
                EXPECT_LT(took, 1s);  // at once, not after a connect timeout
            }
            try {
                // Named first: GCC 12 destroys a lambda temporary inside co_await twice.
                CoroutineInteraction body1 = [](Transaction&) -> awaitable<Value> { co_return Value(); };
                co_await pool->async_interaction(body1,
                                                 use_awaitable);
                ADD_FAILURE() << "interaction ran without a database";
            } catch (const Error& e) {
                EXPECT_EQ(e.code(), make_error_code(Errc::unavailable));
            }

            cluster().start();
            while (recovered == 0) co_await sleep_for(5ms);
            EXPECT_TRUE(pool->available());
            for (int i = 0; i < 20; ++i) {
                Result r = co_await pool->async_query("SELECT $1::int", args(i), use_awaitable);
                EXPECT_EQ(r.rows.at(0).at(0), Value(i));
            }

            // LISTEN was re-issued on the new control connection.
            co_await wait_for_listen(*pool, "after");
            co_await pool->async_query("SELECT pg_notify('after', i::text) FROM generate_series(1, 10000) i", args(),
                                       use_awaitable);
            while (got.size() < 10000) co_await sleep_for(1ms);
        },
        std::chrono::seconds(180));
    ASSERT_EQ(got.size(), 10000u);
    for (int i = 0; i < 10000; ++i) ASSERT_EQ(got[i], std::to_string(i + 1));
}

}  // namespace
}  // namespace pgwamp::db::testing
