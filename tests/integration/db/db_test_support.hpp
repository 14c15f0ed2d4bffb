#pragma once
// Shared by the db integration tests: one throwaway cluster per binary, a
// pool per test, and a runner that drives the io_context until a coroutine
// finishes (with a generous limit that only catches hangs).

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "db/pool.hpp"
#include "tests/support/db_errors.hpp"
#include "tests/support/postgres_cluster.hpp"
#include "tests/support/run_until.hpp"

namespace pgwamp::db::testing {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using namespace std::chrono_literals;

inline test::PostgresCluster& cluster() { return test::PostgresCluster::shared(); }

// The code a db::Error carries; fails the test if it is something else.
inline Errc code_of(std::exception_ptr e) {
    if (!e) return Errc{};
    try {
        std::rethrow_exception(e);
    } catch (const Error& x) {
        return static_cast<Errc>(x.code().value());
    } catch (const std::exception& x) {
        ADD_FAILURE() << "not a db::Error: " << x.what();
    }
    return Errc{};
}

using test::run_until;
using test::what_of;

// Suspends a coroutine for d (for pacing helpers, never for assertions).
inline awaitable<void> sleep_for(std::chrono::milliseconds d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(use_awaitable);
}

class PoolTest : public ::testing::Test {
protected:
    PoolOptions options(std::size_t min = 1, std::size_t max = 4) {
        PoolOptions o;
        o.conninfo = cluster().conninfo();
        o.min_connections = min;
        o.max_connections = max;
        return o;
    }

    void make_pool(PoolOptions o) { pool = std::make_unique<Pool>(io.get_executor(), std::move(o)); }

    // Starts the pool, runs `body`, closes the pool. Any exception from the
    // body fails the test with its message.
    void run(std::function<awaitable<void>()> body, std::chrono::seconds limit = std::chrono::seconds(120)) {
        bool finished = false;
        std::exception_ptr error;
        asio::co_spawn(
            io,
            [&]() -> awaitable<void> {
                if (!pool) make_pool(options());
                co_await pool->async_start(use_awaitable);
                co_await body();
                co_await pool->async_close(use_awaitable);
            },
            [&](std::exception_ptr e) {
                finished = true;
                error = e;
            });
        ASSERT_TRUE(run_until(io, [&] { return finished; }, limit)) << "test body did not finish (hang)";
        if (error) FAIL() << "exception: " << what_of(error);
    }

    // A fresh schema per test keeps tests independent on the shared cluster.
    std::string fresh_schema() {
        auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        std::string name = std::string("t_") + info->test_suite_name() + "_" + info->name();
        for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        cluster().psql("DROP SCHEMA IF EXISTS " + name + " CASCADE; CREATE SCHEMA " + name);
        return name;
    }

    asio::io_context io;
    std::unique_ptr<Pool> pool;
};

}  // namespace pgwamp::db::testing
