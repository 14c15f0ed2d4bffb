// Not a benchmark (bench/ has those): a sanity figure for the log, and a
// check that many calls in flight all complete, in any order, none lost.

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include "tests/integration/wamp/support.hpp"

using namespace pgwamp;
using namespace pgwamp::wamp;
using namespace pgwamp::wamp::testing;
using test::CrossbarNode;

TEST(Throughput, ManyCallsInFlightAllComplete) {
    boost::asio::io_context io;
    auto& node = CrossbarNode::shared();
    Client callee(io, service_options(node)), caller(io, service_options(node, Via::unix_socket));
    callee.provide("com.example.test.inc", [](Invocation inv) { inv.reply({inv.args().at(0).as<std::int64_t>() + 1}); });
    start_and_join(io, callee);
    start_and_join(io, caller);

    constexpr int total = 5000, window = 200;
    int sent = 0, done = 0, wrong = 0;
    std::function<void()> send_one = [&] {
        auto i = sent++;
        caller.call("com.example.test.inc", {i}, {}, [&, i](std::exception_ptr e, Array a, Object) {
            ++done;
            if (e || a.size() != 1 || a[0] != Value(std::int64_t{i} + 1)) ++wrong;
            if (sent < total) send_one();
        });
    };
    auto start = std::chrono::steady_clock::now();
    for (int k = 0; k < window; ++k) send_one();
    ASSERT_TRUE(run_until(io, [&] { return done == total; }, 120s)) << done << " of " << total;
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(wrong, 0);
    spdlog::info("{} calls, {} in flight, through Crossbar: {} ms, {:.0f} calls/s", total, window, ms,
                 total * 1000.0 / std::max<std::int64_t>(ms, 1));
}
