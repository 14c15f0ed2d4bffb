// The pure parts of operating pgwamp: readiness, the heartbeat's judgement of
// liveness, and the metrics' text (the integration test parses it with
// Prometheus' own parser; here, what each recorded call changes).

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "service/heartbeat.hpp"
#include "service/metrics.hpp"
#include "service/readiness.hpp"

namespace pgwamp::service {
namespace {

using namespace std::chrono_literals;

ReadinessInput all_good() {
    ReadinessInput in;
    in.pool_available = true;
    in.router_state = "joined";
    in.joined = true;
    in.provided = 9;
    in.registered = 9;
    return in;
}

TEST(Readiness, ReadyWhenDatabaseRouterAndEveryProcedureAre) {
    const auto r = judge_readiness(all_good());
    EXPECT_TRUE(r.ready);
    EXPECT_TRUE(r.body["reasons"].empty());
    EXPECT_EQ(r.body["database"], "available");
}

TEST(Readiness, EachMissingPartIsAReason) {
    auto in = all_good();
    in.pool_available = false;
    EXPECT_FALSE(judge_readiness(in).ready);
    EXPECT_EQ(judge_readiness(in).body["reasons"][0], "database unreachable");

    in = all_good();
    in.joined = false;
    in.router_state = "connecting";
    EXPECT_EQ(judge_readiness(in).body["reasons"][0], "not joined to the router (connecting)");

    in = all_good();
    in.registered = 7;
    EXPECT_FALSE(judge_readiness(in).ready);
    EXPECT_EQ(judge_readiness(in).body["reasons"][0], "2 of 9 procedures not registered");

    in = all_good();
    in.draining = true;
    EXPECT_EQ(judge_readiness(in).body["reasons"][0], "shutting down");
}

TEST(Readiness, ChangesStateIsReportedButNeverMakesUnready) {
    auto in = all_good();
    in.changes_state = "off";
    in.changes_reason = "wal_level is 'replica'";
    const auto r = judge_readiness(in);
    EXPECT_TRUE(r.ready);
    EXPECT_EQ(r.body["changes"]["state"], "off");
}

TEST(Heartbeat, OverdueBeatIsNotLive) {
    boost::asio::io_context io;
    Heartbeat beat(io, 250ms);
    beat.start();
    const auto now = Heartbeat::Clock::now();
    EXPECT_TRUE(beat.check(1s, now).live);
    // The handler got in first after a stall: the last beat is long overdue.
    EXPECT_FALSE(beat.check(1s, now + 1500ms).live);
    beat.stop();
    EXPECT_FALSE(beat.check(1s, now).live);
}

TEST(Heartbeat, LateBeatIsNotLive) {
    boost::asio::io_context io;
    Heartbeat beat(io, 10ms);
    beat.start();
    // Block the loop for 60 ms before it runs: the beat fires ~50 ms late.
    const auto until = Heartbeat::Clock::now() + 60ms;
    while (Heartbeat::Clock::now() < until) {
    }
    io.run_one();
    EXPECT_GE(beat.lateness(), 40ms);
    EXPECT_FALSE(beat.check(20ms).live);
    EXPECT_TRUE(beat.check(1s).live);
}

TEST(Metrics, CallsCountedByOutcomeAndTimed) {
    Metrics metrics;
    auto& p = metrics.procedure("com.example.x");
    EXPECT_EQ(&p, &metrics.procedure("com.example.x"));  // looked up once, stable
    p.record("", 2ms);
    p.record("", 3ms);
    p.record("pgwamp.error.timeout", 40ms);
    const std::string text = metrics.scrape();
    EXPECT_NE(text.find(R"(pgwamp_calls_total{outcome="ok",procedure="com.example.x"} 2)"), std::string::npos)
        << text;
    EXPECT_NE(text.find(R"(pgwamp_calls_total{outcome="pgwamp.error.timeout",procedure="com.example.x"} 1)"),
              std::string::npos);
    EXPECT_NE(text.find(R"(pgwamp_call_duration_seconds_count{procedure="com.example.x"} 3)"), std::string::npos);
    EXPECT_NE(text.find(R"(pgwamp_call_duration_seconds_bucket{procedure="com.example.x",le="0.0025"} 1)"),
              std::string::npos);
    EXPECT_EQ(metrics.calls_total(), 3u);
}

TEST(Metrics, EventsAndSampledGauges) {
    Metrics metrics;
    auto& t = metrics.topic("com.example.t");
    t.count_published();
    t.acknowledged->Increment();
    Metrics::Sample s;
    s.pool_connections = 3;
    s.cpu_seconds = 1.5;
    metrics.set(s);
    s.cpu_seconds = 1.25;  // /proc never goes back, but a counter must not either
    metrics.set(s);
    const std::string text = metrics.scrape();
    EXPECT_NE(text.find(R"(pgwamp_events_published_total{topic="com.example.t"} 1)"), std::string::npos) << text;
    EXPECT_NE(text.find(R"(pgwamp_events_acknowledged_total{topic="com.example.t"} 1)"), std::string::npos);
    EXPECT_NE(text.find("pgwamp_pool_connections 3"), std::string::npos);
    EXPECT_NE(text.find("process_cpu_seconds_total 1.5"), std::string::npos);
    EXPECT_EQ(metrics.events_total(), 1u);
}

TEST(Metrics, OwnTextWriterMatchesTextSerializerByteForByte) {
    Metrics metrics;
    for (const std::string uri : {"com.example.a", "com.example.b"}) {
        auto& p = metrics.procedure(uri);
        p.record("", 700us);
        p.record("pgwamp.error.sql", 12s);  // past the last bucket: only +Inf
    }
    // Label values that need escaping (a topic is ours, but the format must hold).
    metrics.topic("odd \"topic\" \\ with\nnewline").count_published();
    Metrics::Sample s;
    s.resident_memory_bytes = 12.5e6;
    s.changes_lag_bytes = -1;
    s.loop_lateness_seconds = 0.000123;
    s.cpu_seconds = 0.07;
    metrics.set(s);
    metrics.count_admin_request("/metrics", 200);
    EXPECT_EQ(metrics.scrape(), metrics.scrape_with_text_serializer());
}

}  // namespace
}  // namespace pgwamp::service
