// Host names in the conninfo against a real PostgreSQL: a slow resolution
// stalls nothing else on the loop, the connect timeout covers it, libpq
// tries several hosts in order, and Asio's own resolver reaches localhost.

#include <algorithm>

#include <boost/asio/ip/tcp.hpp>

#include "tests/integration/db/db_test_support.hpp"
#include "tests/support/scripted_resolver.hpp"

namespace pgwamp::db::testing {
namespace {

using Clock = std::chrono::steady_clock;

class HostResolutionTest : public PoolTest {
protected:
    // The test cluster reached through `hosts` (with `ports`, if given).
    PoolOptions by_name(const std::string& hosts, const std::string& ports = "") {
        PoolOptions o = options(1, 1);
        o.conninfo = "host=" + hosts + " port=" + (ports.empty() ? std::to_string(cluster().port()) : ports) +
                     " dbname=postgres user=postgres";
        o.resolver = resolver;
        return o;
    }

    // Starts the pool and returns how that ended.
    std::exception_ptr start_pool(Clock::duration* took = nullptr) {
        bool done = false;
        std::exception_ptr error;
        auto t0 = Clock::now();
        pool->async_start([&](std::exception_ptr e) {
            error = e;
            done = true;
        });
        EXPECT_TRUE(run_until(io, [&] { return done; }));
        if (took) *took = Clock::now() - t0;
        return error;
    }

    // A port where nothing listens: the kernel refuses the connection.
    static int refusing_port() {
        asio::io_context scratch;
        asio::ip::tcp::acceptor a(scratch, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        return a.local_endpoint().port();  // closed again when `a` goes
    }

    std::shared_ptr<test::ScriptedResolver> resolver = std::make_shared<test::ScriptedResolver>();
};

// The test: calls keep being answered while a resolution is slow.
TEST_F(HostResolutionTest, CallsKeepBeingAnsweredWhileAResolutionIsSlow) {
    resolver->answer("db.slow.test", {"127.0.0.1"}, 1500ms);
    Pool slow(io.get_executor(), by_name("db.slow.test"));
    Clock::duration max_gap{}, resolving_took{};
    int answered = 0;
    run([&]() -> awaitable<void> {  // `pool`, connected by address
        bool slow_started = false;
        std::exception_ptr slow_error;
        Clock::time_point t0;
        // Start the other pool once calls are flowing, so a lookup that
        // blocked (in async_start or later) would show as a gap between them.
        asio::steady_timer kick(io, 50ms);
        kick.async_wait([&](const boost::system::error_code&) {
            t0 = Clock::now();
            slow.async_start([&](std::exception_ptr e) {
                slow_error = e;
                slow_started = true;
            });
        });
        auto last = Clock::now();
        while (!slow_started) {
            Result r = co_await pool->async_query("SELECT 1", args(), use_awaitable);
            EXPECT_EQ(r.rows.at(0).at(0), Value(1));
            auto now = Clock::now();
            max_gap = std::max(max_gap, now - last);
            last = now;
            ++answered;
            co_await sleep_for(5ms);  // a steady trickle of calls, not a busy loop
        }
        resolving_took = Clock::now() - t0;
        EXPECT_FALSE(slow_error) << what_of(slow_error);
        Result r = co_await slow.async_query("SELECT 41 + 1", args(), use_awaitable);
        EXPECT_EQ(r.rows.at(0).at(0), Value(42));
        co_await slow.async_close(use_awaitable);
    });
    auto ms = [](Clock::duration d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); };
    std::cout << "slow resolution took " << ms(resolving_took) << " ms; " << answered
              << " calls answered meanwhile, largest gap " << ms(max_gap) << " ms\n";
    EXPECT_GE(resolving_took, 1400ms);  // the answer really was that slow
    EXPECT_FALSE(resolver->calls.empty());
    EXPECT_GT(answered, 50);
    // A blocking lookup would show one gap of 1.5 s. The expected gap is 5 ms
    // plus a round trip; the margin is for a loaded two-core test machine.
    EXPECT_LT(max_gap, 100ms);
}

TEST_F(HostResolutionTest, ConnectTimeoutCoversTheResolution) {
    resolver->answer("db.slower.test", {"127.0.0.1"}, 3000ms);
    PoolOptions o = by_name("db.slower.test");
    o.connect_timeout = 300ms;
    make_pool(o);
    Clock::duration took{};
    std::exception_ptr e = start_pool(&took);
    EXPECT_EQ(code_of(e), Errc::connect_failed);
    EXPECT_NE(what_of(e).find("timed out after 300 ms"), std::string::npos) << what_of(e);
    EXPECT_LT(took, 2s);
}

TEST_F(HostResolutionTest, NoHostResolvingFailsTheConnectNamingTheHost) {
    make_pool(by_name("db.nowhere.test"));  // not scripted: host not found
    std::exception_ptr e = start_pool();
    EXPECT_EQ(code_of(e), Errc::connect_failed);
    EXPECT_NE(what_of(e).find("cannot resolve host name db.nowhere.test (Host not found"), std::string::npos)
        << what_of(e);
}

TEST_F(HostResolutionTest, UnresolvableFirstHostFallsThroughToTheSecond) {
    make_pool(by_name("db.nowhere.test,127.0.0.1"));
    run([&]() -> awaitable<void> {
        Result r = co_await pool->async_query("SELECT inet_server_port()", args(), use_awaitable);
        EXPECT_EQ(r.rows.at(0).at(0), Value(cluster().port()));
    });
    EXPECT_EQ(resolver->calls.front(), "db.nowhere.test");
}

TEST_F(HostResolutionTest, RefusingFirstAddressFallsThroughToTheSecond) {
    // One name, two addresses: libpq tries the first (nobody listens on its
    // port there), then the next entry, as it would after its own lookup.
    resolver->answer("db.refusing.test", {"127.0.0.1"});
    make_pool(by_name("db.refusing.test,127.0.0.1",
                      std::to_string(refusing_port()) + "," + std::to_string(cluster().port())));
    run([&]() -> awaitable<void> {
        Result r = co_await pool->async_query("SELECT inet_server_port()", args(), use_awaitable);
        EXPECT_EQ(r.rows.at(0).at(0), Value(cluster().port()));
    });
}

TEST_F(HostResolutionTest, LocalhostThroughAsiosOwnResolver) {
    PoolOptions o = by_name("localhost");
    o.resolver = nullptr;  // the default: Boost.Asio's resolver
    make_pool(o);
    run([&]() -> awaitable<void> {
        Result r = co_await pool->async_query("SELECT 1", args(), use_awaitable);
        EXPECT_EQ(r.rows.at(0).at(0), Value(1));
    });
}

}  // namespace
}  // namespace pgwamp::db::testing
