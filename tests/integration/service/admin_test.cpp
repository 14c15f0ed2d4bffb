// The admin listener of a running pgwamp (process mode, beside a real
// Crossbar and PostgreSQL): /live, /ready following the database and the
// router, /metrics parsed by Prometheus' reference parser with counters that
// move as calls are made (and one that must not: a hostile argument is no
// reason to rejoin), and the bad clients it must shrug off while WAMP calls
// stay prompt.

#include <gtest/gtest.h>

#include <thread>

#include "tests/integration/service/admin_http.hpp"
#include "tests/support/ports.hpp"
#include "tests/integration/service/stack_suite.hpp"

namespace pgwamp::test::service {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto request_timeout = 2s;  // service.admin.request_timeout_ms below
constexpr int max_connections = 4;
constexpr auto ready_bound = 2s;      // /ready follows an outage within this, both ways

int admin_port = 0;

void admin_on_free_port(nlohmann::json& config) {
    admin_port = test::free_tcp_port();
    config["service"]["admin"] = {{"listen", "127.0.0.1:" + std::to_string(admin_port)},
                                  {"max_connections", max_connections},
                                  {"request_timeout_ms", 2000}};
    // /ready can only come back as fast as pgwamp reconnects: with the demo's
    // 5 s / 10 s backoff caps it could take that long (docs/deploy.md says so).
    config["router"]["reconnect"]["max_delay_ms"] = 250;
    config["database"]["reconnect"]["max_delay_ms"] = 250;
}

// Polls `path` until it answers `status`; the time it took, or nullopt after `limit`.
std::optional<std::chrono::milliseconds> until_status(const std::string& path, int status,
                                                      std::chrono::milliseconds limit) {
    const auto start = Clock::now();
    while (Clock::now() - start < limit) {
        if (http_get(admin_port, path).status == status)
            return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
        std::this_thread::sleep_for(25ms);
    }
    return std::nullopt;
}

std::string calls(const std::string& procedure, const std::string& outcome) {
    return "pgwamp_calls_total{outcome=\"" + outcome + "\",procedure=\"" + procedure + "\"}";
}

class ServiceAdmin : public StackSuite<ServiceAdmin> {
protected:
    static void SetUpTestSuite() {
        start_stack({.mode = Stack::PgwampMode::process, .edit_config = admin_on_free_port});
    }
    void SetUp() override { join_caller(); }

    ParsedMetrics scrape() {
        const auto answer = http_get(admin_port, "/metrics");
        EXPECT_EQ(answer.status, 200);
        return parse_with_prometheus_client(answer.body);
    }
};

TEST_F(ServiceAdmin, LiveAndReady) {
    EXPECT_EQ(http_get(admin_port, "/live").status, 200);
    ASSERT_TRUE(until_status("/ready", 200, 10s)) << http_get(admin_port, "/ready").body;
    const auto body = nlohmann::json::parse(http_get(admin_port, "/ready").body);
    EXPECT_EQ(body["ready"], true);
    EXPECT_EQ(body["database"], "available");
    EXPECT_EQ(body["router"], "joined");
    EXPECT_EQ(body["procedures"]["provided"], body["procedures"]["registered"]);
    EXPECT_EQ(body["changes"]["state"], "streaming");
    // HEAD answers the same status without a body.
    EXPECT_EQ(http_exchange(admin_port, "HEAD /live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").status, 200);
}

TEST_F(ServiceAdmin, MetricsParseWithPrometheusAndCountersMove) {
    const auto before = scrape();
    EXPECT_EQ(before.types.at("pgwamp_calls"), "counter");
    EXPECT_EQ(before.types.at("pgwamp_call_duration_seconds"), "histogram");
    EXPECT_EQ(before.types.at("pgwamp_pool_connections"), "gauge");
    EXPECT_GE(before.get("pgwamp_pool_connections").value_or(0), 1);
    EXPECT_EQ(before.get("pgwamp_pool_available"), 1);
    EXPECT_EQ(before.get("pgwamp_router_joined"), 1);
    EXPECT_GT(before.get("process_resident_memory_bytes").value_or(0), 1e6);
    EXPECT_GT(before.get("process_open_fds").value_or(0), 3);
    EXPECT_TRUE(before.get("process_cpu_seconds_total"));
    // Every provided procedure has its ok counter from the start (rate() needs a zero).
    const std::string now = "com.example.now.v1";
    const double ok_before = before.get(calls(now, "ok")).value_or(-1);
    ASSERT_GE(ok_before, 0);
    const std::string count_key = "pgwamp_call_duration_seconds_count{procedure=\"" + now + "\"}";
    const double timed_before = before.get(count_key).value_or(0);  // the histogram appears with the first call

    for (int i = 0; i < 3; ++i) ASSERT_TRUE(caller_->call(now).ok());
    const auto bad = caller_->call("com.example.notes.list", {std::string("not a number")});
    ASSERT_EQ(bad.error_uri, "wamp.error.invalid_argument") << bad.describe();
    ASSERT_TRUE(caller_->call("com.example.notify", {std::string("demo"), std::string("{}")}).ok());

    const auto after = scrape();
    EXPECT_EQ(after.get(calls(now, "ok")), ok_before + 3);
    EXPECT_EQ(after.get(count_key), timed_before + 3);
    EXPECT_EQ(after.get(calls("com.example.notes.list", "wamp.error.invalid_argument")), 1);
    EXPECT_GE(after.get("pgwamp_call_duration_seconds_bucket{le=\"+Inf\",procedure=\"" + now + "\"}").value_or(0), 3);
    // The NOTIFY came back as an event on the demo topic from this process (the only leader).
    const std::string demo_events = "pgwamp_events_published_total{topic=\"com.example.demo\"}";
    ASSERT_TRUE(poll_until([&] { return scrape().get(demo_events).value_or(0) >= 1; }, 5s));
    EXPECT_GE(after.get("pgwamp_admin_requests_total{path=\"/metrics\",status=\"200\"}").value_or(0), 1);
}

// An argument nested deeper than pgwamp unpacks, which any anonymous visitor
// can send: that call is refused, and nothing else. It used to end pgwamp's
// session with the router, failing every call in flight and unregistering
// every procedure until the rejoin.
TEST_F(ServiceAdmin, DeeplyNestedArgumentIsRefusedWithoutARejoin) {
    ASSERT_TRUE(until_status("/ready", 200, 10s));
    const auto rejoins = scrape().get("pgwamp_router_rejoins_total");
    ASSERT_TRUE(rejoins);
    Value deep = Array{};
    for (int level = 1; level < 100; ++level) deep = Array{deep};

    const auto refused = caller_->call("com.example.notes.list", {deep});
    ASSERT_TRUE(refused.done) << "no answer";
    EXPECT_EQ(refused.error_uri, "wamp.error.invalid_argument") << refused.describe();
    ASSERT_FALSE(refused.args.empty()) << refused.describe();
    EXPECT_NE(to_text(refused.args[0]).find("nested deeper than"), std::string::npos) << refused.describe();

    const auto next = caller_->call("com.example.notes.list", {1});
    EXPECT_TRUE(next.ok()) << next.describe();
    EXPECT_EQ(scrape().get("pgwamp_router_rejoins_total"), rejoins);
    EXPECT_EQ(http_get(admin_port, "/ready").status, 200);
}

TEST_F(ServiceAdmin, BadRequests) {
    EXPECT_EQ(http_get(admin_port, "/nope").status, 404);
    EXPECT_EQ(http_exchange(admin_port, "POST /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n").status, 405);
    EXPECT_EQ(http_exchange(admin_port, "GET /live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + std::string(16384, 'a') +
                                            "\r\n\r\n").status,
              431);
    EXPECT_EQ(http_exchange(admin_port, "this is not http\r\n\r\n").status, 400);
    EXPECT_EQ(http_get(admin_port, "/live").status, 200);  // and it still serves
}

// Attack: a page on evil.example re-points its name at 127.0.0.1 (DNS
// rebinding) and reads the admin port through the operator's browser. The
// request carries its own name in Host, and is refused.
TEST_F(ServiceAdmin, ARequestForAnotherHostIsRefused) {
    const auto rebound = http_exchange(admin_port, "GET /metrics HTTP/1.1\r\nHost: evil.example:" +
                                                       std::to_string(admin_port) + "\r\n\r\n");
    EXPECT_EQ(rebound.status, 421);
    EXPECT_EQ(rebound.body.find("pgwamp_"), std::string::npos) << "metrics were served to another host's page";
    EXPECT_EQ(http_exchange(admin_port, "GET /live HTTP/1.1\r\nHost: localhost\r\n\r\n").status, 200);
}

TEST_F(ServiceAdmin, SlowClientIsCutWhileCallsStayPrompt) {
    RawConnection slow(admin_port);
    ASSERT_TRUE(slow.send("GET /metrics HTTP/1.1\r\n"));
    const auto opened = Clock::now();
    bool cut = false;
    // Trickle a header byte every 200 ms, as slowloris does, and call meanwhile.
    while (Clock::now() - opened < request_timeout + 3s) {
        const auto call = caller_->call("com.example.now.v1");
        ASSERT_TRUE(call.ok()) << call.describe();
        EXPECT_LT(call.elapsed, 500ms) << "a slow admin client stalled a WAMP call";
        if (!slow.send("X")) {
            cut = true;
            break;
        }
        if (slow.closed_within(200ms)) {
            cut = true;
            break;
        }
    }
    const auto held = Clock::now() - opened;
    EXPECT_TRUE(cut) << "the slow client was never cut";
    EXPECT_GE(held, request_timeout - 100ms);
    EXPECT_LT(held, request_timeout + 1500ms);
}

TEST_F(ServiceAdmin, ConnectionsBeyondTheLimitAreClosed) {
    std::vector<std::unique_ptr<RawConnection>> idle;
    for (int i = 0; i < max_connections; ++i) idle.push_back(std::make_unique<RawConnection>(admin_port));
    std::this_thread::sleep_for(100ms);  // accepted by now (loopback)
    RawConnection extra(admin_port);
    EXPECT_TRUE(extra.closed_within(1s));
    idle.clear();
    EXPECT_TRUE(until_status("/live", 200, 2s));
}

TEST_F(ServiceAdmin, ReadyFollowsPostgres) {
    ASSERT_TRUE(until_status("/ready", 200, 10s));
    stack_->postgres().stop();
    const auto down = until_status("/ready", 503, ready_bound);
    ASSERT_TRUE(down) << "/ready still 200 " << ready_bound.count() << " s after PostgreSQL stopped";
    const auto body = nlohmann::json::parse(http_get(admin_port, "/ready").body);
    EXPECT_EQ(body["database"], "unavailable") << body.dump();
    EXPECT_EQ(http_get(admin_port, "/live").status, 200);  // not ready, but alive: do not restart it
    stack_->postgres().start();
    const auto up = until_status("/ready", 200, ready_bound);
    EXPECT_TRUE(up) << http_get(admin_port, "/ready").body;
    std::printf("[ figures ] /ready 503 after %lld ms, 200 again %lld ms after PostgreSQL returned\n",
                static_cast<long long>(down->count()), up ? static_cast<long long>(up->count()) : -1LL);
}

TEST_F(ServiceAdmin, ReadyFollowsTheRouter) {
    ASSERT_TRUE(until_status("/ready", 200, 10s));
    stack_->router().stop();
    const auto down = until_status("/ready", 503, ready_bound);
    ASSERT_TRUE(down) << "/ready still 200 after the router stopped";
    EXPECT_NE(http_get(admin_port, "/ready").body.find("not joined"), std::string::npos);
    stack_->router().start();
    const auto up = until_status("/ready", 200, ready_bound);
    EXPECT_TRUE(up) << http_get(admin_port, "/ready").body;
    std::printf("[ figures ] /ready 503 after %lld ms, 200 again %lld ms after Crossbar returned\n",
                static_cast<long long>(down->count()), up ? static_cast<long long>(up->count()) : -1LL);
    const auto m = scrape();
    EXPECT_GE(m.get("pgwamp_router_rejoins_total").value_or(0), 1);
}

}  // namespace
}  // namespace pgwamp::test::service
