// The router goes away and comes back: the client notices, fails what was
// pending, rejoins and restores its registrations and subscriptions.

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <future>

#include "tests/integration/wamp/support.hpp"

using namespace pgwamp;
using namespace pgwamp::wamp;
using namespace pgwamp::wamp::testing;
using test::CrossbarNode;

namespace {

struct Watcher {
    std::vector<ClientState> states;
    void attach(Client& c) {
        c.on_state([this](ClientState s) { states.push_back(s); });
    }
    int count(ClientState s) const { return static_cast<int>(std::count(states.begin(), states.end(), s)); }
};

// Starts the node on another thread while our loop keeps running, as in
// production: the clients' retry timers fire on their own schedule instead of
// all at once when a blocked loop resumes. Returns how long after the router
// was ready (all transports accepting) both clients were joined again; zero
// or less when they were joined before the readiness probe finished.
std::chrono::milliseconds restart_and_measure(boost::asio::io_context& io, CrossbarNode& node, Client& a, Client& b) {
    auto started = std::async(std::launch::async, [&node] {
        node.start();
        return std::chrono::steady_clock::now();
    });
    std::optional<std::chrono::steady_clock::time_point> ready, joined;
    EXPECT_TRUE(run_until(io, [&] {
        if (!ready && started.wait_for(0s) == std::future_status::ready) ready = started.get();
        if (!joined && a.state() == ClientState::joined && b.state() == ClientState::joined) {
            joined = std::chrono::steady_clock::now();
        }
        return ready && joined;
    }, 90s)) << "router not ready or clients not rejoined";
    if (!ready || !joined) return std::chrono::milliseconds::max();
    return std::chrono::duration_cast<std::chrono::milliseconds>(*joined - *ready);
}

void router_outage(bool graceful) {
    boost::asio::io_context io;
    CrossbarNode node;  // our own: we stop it
    Client callee(io, service_options(node)), caller(io, service_options(node, Via::websocket));
    Watcher watch;
    watch.attach(callee);
    int events = 0;
    std::optional<Invocation> stuck;
    callee.provide("com.example.test.ping", [](Invocation inv) { inv.reply({"pong"}); });
    callee.provide("com.example.test.stuck", [&](Invocation inv) { stuck = inv; });  // never answers
    callee.subscribe("com.example.test.tick", [&](const Event&) { ++events; });
    start_and_join(io, callee);
    start_and_join(io, caller);

    // A call in flight when the router dies fails; it does not hang.
    CallOutcome pending;
    caller.call("com.example.test.stuck", {}, {}, [&](std::exception_ptr e, Array, Object) {
        pending.done = true;
        pending.error = e;
    });
    ASSERT_TRUE(run_until(io, [&] { return stuck.has_value(); }));
    bool interrupted = false;
    stuck->on_interrupt([&] { interrupted = true; });

    node.stop(graceful);
    ASSERT_TRUE(run_until(io, [&] { return callee.state() != ClientState::joined && pending.done; }, 20s));
    EXPECT_EQ(pending.error_uri(), "pgwamp.error.connection_lost");
    // Told from a handler the loss posts: it may run a slice after the state changed.
    EXPECT_TRUE(run_until(io, [&] { return interrupted; }, 5s)) << "the running invocation was not told its caller is gone";
    EXPECT_GE(watch.count(ClientState::lost), 1);
    // While the router is away: calls fail fast, publishes are counted.
    auto r = call_sync(io, caller, "com.example.test.ping", {});
    EXPECT_EQ(r.error_uri(), "pgwamp.error.unavailable");
    stuck->reply({"late"});  // safe no-op: the session is gone

    auto rejoin = restart_and_measure(io, node, callee, caller);
    EXPECT_LT(rejoin, 10s) << "not rejoined within 10 s of the router's return";
    spdlog::info("rejoined {} ms after the router was ready", rejoin.count());
    // Registration restored.
    r = call_sync(io, caller, "com.example.test.ping", {});
    ASSERT_FALSE(r.error) << r.error_uri();
    EXPECT_EQ(r.args, Array{"pong"});
    // Subscription restored.
    caller.publish("com.example.test.tick", {1});
    ASSERT_TRUE(run_until(io, [&] { return events == 1; }));
    EXPECT_EQ(watch.states.back(), ClientState::joined);
}

}  // namespace

TEST(Reconnect, RouterKilledAndRestarted) { router_outage(false); }

TEST(Reconnect, RouterStoppedGracefullyAndRestarted) { router_outage(true); }

TEST(Reconnect, StartsBeforeTheRouterExists) {
    boost::asio::io_context io;
    CrossbarNode::Options options;
    options.start = false;
    CrossbarNode node(options);
    Client client(io, service_options(node));
    client.provide("com.example.test.early", [](Invocation inv) { inv.reply({1}); });
    client.start();
    // A few refused attempts, then the router appears.
    run_until(io, [] { return false; }, 300ms);
    EXPECT_EQ(client.state(), ClientState::connecting);
    node.start();
    ASSERT_TRUE(run_until(io, [&] { return client.state() == ClientState::joined; }, 10s));
    auto r = call_sync(io, client, "com.example.test.early", {});
    EXPECT_FALSE(r.error) << r.error_uri();
}

TEST(Reconnect, ThirtySecondOutageIsANonEvent) {
    // The default backoff (first retry at once, then 100 ms doubling, jitter
    // 0.1) capped at 5 s: after a 30 s outage the client is back within one
    // capped retry of the router's return.
    boost::asio::io_context io;
    CrossbarNode node;
    auto options = service_options(node);
    options.backoff = BackoffOptions{};
    options.backoff.max_delay = std::chrono::milliseconds(5000);
    Client callee(io, options), caller(io, options);
    Watcher watch;
    watch.attach(callee);
    callee.provide("com.example.test.outage", [](Invocation inv) { inv.reply({"up"}); });
    start_and_join(io, callee);
    start_and_join(io, caller);

    node.stop(false);
    auto down = std::chrono::steady_clock::now();
    ASSERT_TRUE(run_until(io, [&] { return callee.state() != ClientState::joined; }));
    int failed_fast = 0;
    // Keep calling through the gap: every call fails promptly, none hangs.
    while (std::chrono::steady_clock::now() - down < 30s) {
        auto r = call_sync(io, caller, "com.example.test.outage", {}, {}, {});
        ASSERT_EQ(r.error_uri(), "pgwamp.error.unavailable");
        ++failed_fast;
        run_until(io, [] { return false; }, 1s);
    }
    EXPECT_GE(failed_fast, 20);
    EXPECT_EQ(watch.count(ClientState::joined), 1);
    EXPECT_EQ(watch.count(ClientState::lost), 1);

    auto rejoin = restart_and_measure(io, node, callee, caller);
    EXPECT_LT(rejoin, 10s) << "not rejoined within 10 s of the router's return";
    spdlog::info("rejoined {} ms after the router was ready, after a 30 s outage", rejoin.count());
    auto r = call_sync(io, caller, "com.example.test.outage", {});
    ASSERT_FALSE(r.error) << r.error_uri();
    EXPECT_EQ(r.args, Array{"up"});
}
