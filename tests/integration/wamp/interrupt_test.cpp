// A caller's timeout or cancel reaches the running invocation as INTERRUPT;
// the callee's session survives (Autobahn|Cpp 17.5 would drop it).

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <future>
#include <thread>

#include "tests/integration/wamp/support.hpp"
#include "test_paths.hpp"

using namespace pgwamp;
using namespace pgwamp::wamp;
using namespace pgwamp::wamp::testing;
using test::CrossbarNode;

namespace {

struct InterruptTest : ::testing::Test {
    boost::asio::io_context io;
    CrossbarNode& node = CrossbarNode::shared();
    int interrupts = 0;
    int invocations = 0;
    std::vector<ClientState> callee_states;
    Client callee{io, service_options(node)};

    void SetUp() override {
        callee.on_state([this](ClientState s) { callee_states.push_back(s); });
        // Never answers on its own: only an interrupt ends it, like a long SQL
        // statement that the service cancels.
        callee.provide("com.example.test.slow", [this](Invocation inv) {
            ++invocations;
            inv.on_interrupt([this, inv]() mutable {
                ++interrupts;
                inv.error("wamp.error.canceled", {"statement canceled"});
            });
            callee.publish("com.example.test.slow_started", {});
        });
        callee.provide("com.example.test.ping", [](Invocation inv) { inv.reply({"pong"}); });
        start_and_join(io, callee);
    }

    void expect_session_survived() {
        EXPECT_EQ(std::count(callee_states.begin(), callee_states.end(), ClientState::lost), 0);
        EXPECT_EQ(callee.state(), ClientState::joined);
        auto r = call_sync(io, callee, "com.example.test.ping", {});
        EXPECT_FALSE(r.error) << r.error_uri();
    }
};

}  // namespace

TEST_F(InterruptTest, CallerTimeoutInterruptsTheInvocation) {
    Client caller(io, service_options(node, Via::websocket));
    start_and_join(io, caller);
    CallOptions options;
    options.timeout = 1;  // Crossbar 26.10 reads this as seconds (see types.hpp)
    auto started = std::chrono::steady_clock::now();
    auto r = call_sync(io, caller, "com.example.test.slow", {}, {}, options);
    auto elapsed = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(r.error_uri(), "wamp.error.canceled");
    ASSERT_TRUE(run_until(io, [&] { return interrupts == 1; }));
    EXPECT_EQ(invocations, 1);
    EXPECT_LT(elapsed, 15s);
    spdlog::info("elapsed {} ms", std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count());
    expect_session_survived();
}

TEST_F(InterruptTest, CallerCancelInterruptsTheInvocation) {
    std::string cmd = std::string(PGWAMP_SOURCE_DIR) + "/.venv/bin/python " + PGWAMP_SOURCE_DIR +
                      "/tests/integration/wamp/cancel_caller.py " + node.ws_url() + " " + node.realm() + " " +
                      node.authid() + " 2>&1";
    ::setenv("PGWAMP_TICKET", node.ticket().c_str(), 1);  // for the child only; never logged
    // The Python caller runs beside our loop; our loop keeps serving the callee.
    auto python = std::async(std::launch::async, [cmd] {
        std::string out;
        FILE* p = ::popen(cmd.c_str(), "r");
        if (!p) return std::pair{-1, std::string("popen failed")};
        char buf[512];
        while (std::fgets(buf, sizeof buf, p)) out += buf;
        int rc = ::pclose(p);
        return std::pair{rc, out};
    });
    ASSERT_TRUE(run_until(io, [&] {
        return python.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
    }, 60s));
    ::unsetenv("PGWAMP_TICKET");
    auto [rc, out] = python.get();
    EXPECT_EQ(rc, 0) << out;
    run_until(io, [&] { return interrupts == 1; });
    EXPECT_EQ(interrupts, 1) << out;
    EXPECT_EQ(invocations, 1);
    expect_session_survived();
}

TEST_F(InterruptTest, UnhandledInterruptIsAnsweredForTheProcedure) {
    // No on_interrupt: we answer wamp.error.canceled ourselves, so the router
    // (mode "kill") is not left waiting and the session stays.
    std::optional<Invocation> held;
    callee.provide("com.example.test.deaf", [&](Invocation inv) { held = inv; });
    Client caller(io, service_options(node));
    caller.provide("com.example.test.unused", [](Invocation inv) { inv.reply(); });
    start_and_join(io, caller);
    // The late provide() registers on the live session; a call proves it is there.
    ASSERT_TRUE(run_until(io, [&] {
        auto r = call_sync(io, caller, "com.example.test.deaf", {}, {}, CallOptions{1});
        return r.error_uri() == "wamp.error.canceled";
    }, 20s));
    // Crossbar's timer fires in whole-second buckets, so the caller's error
    // can come before our loop has read the INVOCATION and INTERRUPT on the
    // callee's own socket: wait for them rather than race them.
    ASSERT_TRUE(run_until(io, [&] { return held.has_value() && held->answered(); }))
        << (held ? "the invocation came but was never answered" : "the invocation never reached the callee");
    EXPECT_TRUE(held->interrupted());
    held->reply({"too late"});  // ignored
    expect_session_survived();
}
