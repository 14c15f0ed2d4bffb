// Large results as progressive results: a caller that asks for them
// (receive_progress) gets its rows in chunks as PostgreSQL produces them, in
// bounded memory, and its CANCEL, its leaving or its timeout stops the
// statement; other calls go on meanwhile.

#include <gtest/gtest.h>

#include <iostream>

#include "tests/integration/service/stack_suite.hpp"

namespace pgwamp::test::service {
namespace {

void add_stream_procedures(nlohmann::json& config) {
    auto& p = config["procedures"];
    // 3,000 rows; FETCHing past row 1,500 sleeps 2 s: a stall between chunks.
    p["com.example.test.stalling_numbers"] = {
        {"sql", "SELECT n, CASE WHEN n = 1500 THEN pg_sleep(2)::text ELSE '' END AS pause "
                "FROM generate_series(1, 3000) AS n"},
        {"max_rows", 10}};
    // One row larger than the router's 1 MiB message limit.
    p["com.example.test.huge_row"] = {{"sql", "SELECT repeat('x', 2000000) AS blob"}};
}

// Follows a numbers(count) stream: rows counted and checked in order as they
// come, never kept.
struct NumbersStream {
    std::int64_t rows = 0;
    std::int64_t chunks = 0;
    bool in_order = true;
    std::function<void()> on_first_chunk;

    wamp::CallOptions options() {
        wamp::CallOptions o;
        o.on_progress = [this](Array args, Object kwargs) {
            const auto* offset = find_kwarg(kwargs, "offset");
            if (!offset || offset->as<std::int64_t>() != rows) in_order = false;
            for (const auto& row : args.at(0).as<Array>()) {
                const auto* n = find_kwarg(row.as<Object>(), "n");
                if (!n || n->as<std::int64_t>() != rows + 1) in_order = false;
                ++rows;
            }
            if (++chunks == 1 && on_first_chunk) on_first_chunk();
        };
        return o;
    }
};

class ServiceStream : public StackSuite<ServiceStream> {
protected:
    static void SetUpTestSuite() {
        start_stack({.mode = Stack::PgwampMode::process, .edit_config = add_stream_procedures});
    }
    void SetUp() override { join_caller(); }

    static bool nothing_left_running() {
        return active_queries(stack_->postgres(), "FETCH FORWARD") == 0 &&
               stack_->postgres().psql("SELECT count(*) FROM pg_stat_activity WHERE state LIKE 'idle in transaction%'") ==
                   "0";
    }
    void expect_still_serving() {
        const auto now = caller_->call("com.example.now.v1");
        EXPECT_TRUE(now.ok()) << now.describe();
    }
    std::shared_ptr<Outcome> stream_numbers(NumbersStream& s, std::int64_t count) {
        return caller_->start_call("com.example.numbers", {count}, {}, s.options());
    }
};

// Under the sanitizers (several times slower, and no memory figures to
// check) the long streams are a fifth as long: the same chunking, order and
// back-pressure paths, at a cost the sanitizer pass can afford.
#if defined(PGWAMP_TEST_UNDER_ASAN)
constexpr std::int64_t long_stream = 200'000;
#else
constexpr std::int64_t long_stream = 1'000'000;
#endif

TEST_F(ServiceStream, AMillionRowsArriveCompleteAndInOrderInChunks) {
    NumbersStream s;
    const auto started = std::chrono::steady_clock::now();
    auto call = stream_numbers(s, long_stream);
    ASSERT_TRUE(caller_->run_until([&] { return call->done; }, 240s)) << "rows so far: " << s.rows;
    ASSERT_TRUE(call->ok()) << call->describe();
    EXPECT_EQ(s.rows, long_stream);
    EXPECT_TRUE(s.in_order);
    EXPECT_GT(s.chunks, 1);
    const auto& result = call->args.at(0).as<Object>();
    EXPECT_EQ(*find_kwarg(result, "rows"), Value(long_stream));
    EXPECT_EQ(*find_kwarg(result, "chunks"), Value(s.chunks));
    std::cout << "[ figure ] " << long_stream << " rows in " << s.chunks << " chunks, "
              << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count()
              << " ms\n";
#if !defined(PGWAMP_TEST_UNDER_ASAN)
    const double peak = peak_rss_mb(stack_->pgwamp_pid(0));
    std::cout << "[ figure ] pgwamp peak RSS after streaming: " << peak << " MB\n";
    EXPECT_GT(peak, 0.0);
    EXPECT_LT(peak, 40.0);
#endif
}

TEST_F(ServiceStream, WithoutProgressTheResultIsOneAsBefore) {
    const auto small = caller_->call("com.example.numbers", {3});
    ASSERT_TRUE(small.ok()) << small.describe();
    EXPECT_EQ(small.args.at(0).as<Array>().size(), 3u);
    const auto big = caller_->call("com.example.numbers", {20'000});
    EXPECT_EQ(big.error_uri, "pgwamp.error.result_rejected") << big.describe();
}

TEST_F(ServiceStream, ProgressOnAnInteractionOrOperationIsOneResult) {
    int chunks = 0;
    wamp::CallOptions options;
    options.on_progress = [&](Array, Object) { ++chunks; };
    const auto pair = caller_->call("com.example.notes.add_pair", {"first", "second"}, {}, options);
    ASSERT_TRUE(pair.ok()) << pair.describe();
    EXPECT_TRUE(pair.args.at(0).is<Object>()) << pair.describe();  // the single row, as without progress
    const auto single = caller_->call("com.example.notes.count", {}, {}, options);
    ASSERT_TRUE(single.ok()) << single.describe();
    EXPECT_TRUE(single.args.at(0).is<std::int64_t>()) << single.describe();
    EXPECT_EQ(chunks, 0);
}

TEST_F(ServiceStream, BadCountsAreRefusedClearly) {
    for (const Value& bad : {Value(std::int64_t{-1}), Value(std::int64_t{1'000'000'000}), Value("many"), Value(2.5)}) {
        NumbersStream s;
        auto call = caller_->start_call("com.example.numbers", {bad}, {}, s.options());
        ASSERT_TRUE(caller_->run_until([&] { return call->done; }, 10s));
        EXPECT_EQ(call->error_uri, "wamp.error.invalid_argument") << to_text(bad) << ": " << call->describe();
        EXPECT_EQ(s.rows, 0);
    }
    const auto negative = caller_->call("com.example.numbers", {-1});
    EXPECT_NE(to_text(Value(negative.args)).find("between 0 and 10000000"), std::string::npos) << negative.describe();
}

TEST_F(ServiceStream, CancelAfterTheFirstChunkStopsTheStatement) {
    NumbersStream s;
    std::shared_ptr<Outcome> call;
    std::chrono::steady_clock::time_point canceled_at;
    s.on_first_chunk = [&] {
        canceled_at = std::chrono::steady_clock::now();
        caller_->cancel(*call);
    };
    call = stream_numbers(s, 10'000'000);
    ASSERT_TRUE(caller_->run_until([&] { return call->done; }, 30s)) << "rows so far: " << s.rows;
    EXPECT_EQ(call->error_uri, "wamp.error.canceled") << call->describe();
    EXPECT_LT(s.rows, 10'000'000);
    EXPECT_TRUE(poll_until(nothing_left_running, 5s)) << "the stream's statement or transaction is still there";
    std::cout << "[ figure ] cancel -> nothing running: "
              << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - canceled_at)
                     .count()
              << " ms (upper bound, polled)\n";
    expect_still_serving();
}

TEST_F(ServiceStream, TheCallerLeavingStopsTheStream) {
    auto leaver = std::make_unique<Caller>(*stack_);
    ASSERT_TRUE(leaver->join());
    NumbersStream s;
    bool first = false;
    s.on_first_chunk = [&] { first = true; };
    auto call = leaver->start_call("com.example.numbers", {10'000'000}, {}, s.options());
    ASSERT_TRUE(leaver->run_until([&] { return first; }, 30s));
    leaver.reset();  // gone without a word: the router interrupts the invocation
    EXPECT_TRUE(poll_until(nothing_left_running, 10s)) << "the stream outlived its caller";
    expect_still_serving();
}

TEST_F(ServiceStream, ASlowCallerDoesNotGrowPgwampsMemory) {
    // The caller stops reading for 3 s (its loop does not run), then reads on.
    NumbersStream s;
    bool first = false;
    s.on_first_chunk = [&] { first = true; };
    auto call = stream_numbers(s, 2 * long_stream);
    ASSERT_TRUE(caller_->run_until([&] { return first; }, 30s));
    std::this_thread::sleep_for(3s);
    ASSERT_TRUE(caller_->run_until([&] { return call->done; }, 300s)) << "rows so far: " << s.rows;
    EXPECT_TRUE(call->ok()) << call->describe();
    EXPECT_EQ(s.rows, 2 * long_stream);
#if !defined(PGWAMP_TEST_UNDER_ASAN)
    EXPECT_LT(peak_rss_mb(stack_->pgwamp_pid(0)), 40.0);
#endif
}

TEST_F(ServiceStream, TheCallersTimeoutIsTheTimeAllowedBetweenChunks) {
    std::int64_t rows = 0;
    wamp::CallOptions options;
    options.timeout = 500;  // ms, per the WAMP spec; the stall is 2 s
    options.on_progress = [&](Array args, Object) { rows += static_cast<std::int64_t>(args.at(0).as<Array>().size()); };
    const auto out = caller_->call("com.example.test.stalling_numbers", {}, {}, options, 30s);
    EXPECT_EQ(out.error_uri, "pgwamp.error.timeout") << out.describe();
    EXPECT_EQ(rows, 1000) << "the first chunk came before the stall";
    EXPECT_LT(out.elapsed, 1500ms);
    EXPECT_TRUE(poll_until(nothing_left_running, 5s));
}

TEST_F(ServiceStream, ARowLargerThanTheRouterTakesEndsTheStreamCleanly) {
    wamp::CallOptions options;
    options.on_progress = [](Array, Object) {};
    const auto out = caller_->call("com.example.test.huge_row", {}, {}, options);
    EXPECT_EQ(out.error_uri, "pgwamp.error.result_rejected") << out.describe();
    EXPECT_NE(to_text(Value(out.args)).find("1048576 bytes"), std::string::npos) << out.describe();
    EXPECT_TRUE(poll_until(nothing_left_running, 5s));
    expect_still_serving();
}

TEST_F(ServiceStream, OtherCallsAreAnsweredWhileTwoStreamsRun) {
    NumbersStream a, b;
    auto first = stream_numbers(a, long_stream);
    auto second = stream_numbers(b, long_stream);
    ASSERT_TRUE(caller_->run_until([&] { return a.chunks > 0 && b.chunks > 0; }, 30s));
    for (int i = 0; i < 5 && !(first->done && second->done); ++i) {
        const auto now = caller_->call("com.example.now.v1");
        EXPECT_TRUE(now.ok()) << now.describe();
        EXPECT_LT(now.elapsed, 1000ms) << "a plain call waited behind the streams";
    }
    ASSERT_TRUE(caller_->run_until([&] { return first->done && second->done; }, 240s));
    EXPECT_TRUE(first->ok() && second->ok()) << first->describe() << " / " << second->describe();
    EXPECT_EQ(a.rows, long_stream);
    EXPECT_EQ(b.rows, long_stream);
}

}  // namespace
}  // namespace pgwamp::test::service
