// CallLoad against fake calls on a real io_context: no router, no timing
// assertions beyond "something completed in a 100 ms window".

#include "call_load.hpp"

#include <boost/asio/post.hpp>
#include <gtest/gtest.h>

#include <optional>

using namespace pgwamp::bench;
using namespace std::chrono_literals;

namespace {

struct Run {
    std::optional<CallLoadResult> result;
    std::size_t max_outstanding = 0;
    bool started = false;
    bool ended = false;
};

Run run(CallLoadOptions options, std::function<void(boost::asio::io_context&, CallDone, std::size_t)> fake) {
    boost::asio::io_context io;
    Run r;
    std::size_t outstanding = 0;
    std::size_t issued = 0;
    CallLoad load(io, options, [&](CallDone done) {
        ++outstanding;
        r.max_outstanding = std::max(r.max_outstanding, outstanding);
        fake(io, [&, done](const std::string* uri) { --outstanding; done(uri); }, issued++);
    });
    load.start([&] { r.started = true; }, [&] { r.ended = true; }, [&](const CallLoadResult& res) { r.result = res; });
    io.run_for(30s);  // upper bound only; the run ends on its own long before
    return r;
}

CallLoadOptions options(std::size_t concurrency) {
    CallLoadOptions o;
    o.procedure = "x";
    o.concurrency = concurrency;
    o.warmup = 10ms;
    o.duration = 100ms;
    o.drain = 200ms;
    return o;
}

}  // namespace

TEST(CallLoad, KeepsExactlyConcurrencyOutstandingAndMeasures) {
    auto r = run(options(8), [](boost::asio::io_context& io, CallDone done, std::size_t) {
        boost::asio::post(io, [done] { done(nullptr); });
    });
    ASSERT_TRUE(r.result);
    EXPECT_TRUE(r.started);
    EXPECT_TRUE(r.ended);
    EXPECT_EQ(r.max_outstanding, 8u);
    EXPECT_GT(r.result->completed, 0u);
    EXPECT_EQ(r.result->latency.count, r.result->completed);
    EXPECT_TRUE(r.result->errors.empty());
    EXPECT_EQ(r.result->no_reply, 0u);
    EXPECT_GT(r.result->window_s, 0.05);
}

TEST(CallLoad, CountsErrorsByUri) {
    auto r = run(options(2), [](boost::asio::io_context& io, CallDone done, std::size_t n) {
        boost::asio::post(io, [done, n] {
            std::string uri = n % 2 ? "pgwamp.error.overloaded" : "wamp.error.no_such_procedure";
            done(&uri);
        });
    });
    ASSERT_TRUE(r.result);
    EXPECT_EQ(r.result->completed, 0u);
    EXPECT_GT(r.result->errors["pgwamp.error.overloaded"], 0u);
    EXPECT_GT(r.result->errors["wamp.error.no_such_procedure"], 0u);
}

TEST(CallLoad, CallsThatNeverAnswerEndAsNoReplyAfterTheDrain) {
    std::vector<CallDone> parked;  // never completed
    auto r = run(options(4), [&](boost::asio::io_context&, CallDone done, std::size_t) { parked.push_back(done); });
    ASSERT_TRUE(r.result);
    EXPECT_EQ(r.result->completed, 0u);
    EXPECT_EQ(r.result->no_reply, 4u);
}
