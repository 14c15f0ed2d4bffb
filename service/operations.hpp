#pragma once
// What an operator and the page see of a running process: the metrics, the
// event loop's heartbeat, readiness, the admin listener that serves them
// (/live, /ready, /metrics) and the WAMP health procedure the page polls.
// Application owns one and tells it about procedures and router states.

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "config/config.hpp"
#include "db/pool.hpp"
#include "service/admin_listener.hpp"
#include "service/call_context.hpp"
#include "service/heartbeat.hpp"
#include "db/standby_set.hpp"
#include "service/metrics.hpp"
#include "service/readiness.hpp"
#include "wamp/client.hpp"

namespace pgwamp::service {

class ChangesBridge;
class NotificationBridge;

class Operations {
public:
    Operations(boost::asio::io_context& io, const config::ServiceConfig& config, db::Pool& pool,
               wamp::Client& client, CallTracker& tracker, NotificationBridge& notifications,
               ChangesBridge* changes);

    Metrics& metrics() { return metrics_; }
    // The standbys that serve reads (database.replicas), shown in /ready,
    // /metrics and health; null: none.
    void set_standbys(const db::StandbySet* standbys) { standbys_ = standbys; }

    // `procedure`, with its calls counted by outcome and timed. The counters
    // are looked up here, once, not per call.
    wamp::Procedure instrument(const std::string& uri, wamp::Procedure procedure);

    // Starts the heartbeat and the admin listener (throws when it cannot bind).
    void start();
    void stop();
    void on_router_state(wamp::ClientState state);

    Readiness readiness() const;
    // The health procedure's answer: {pool, calls_per_s, events_per_s, router, procedures, changes, process}.
    Object health() const;

    std::uint16_t admin_port() const { return admin_ ? admin_->port() : 0; }

private:
    AdminResponse live() const;
    AdminResponse ready() const;
    AdminResponse scrape();
    void sample_rates();
    Metrics::Sample sample() const;

    struct RatePoint {
        std::chrono::steady_clock::time_point at;
        std::uint64_t calls;
        std::uint64_t events;
    };

    const config::ServiceConfig& config_;
    db::Pool& pool_;
    wamp::Client& client_;
    CallTracker& tracker_;
    NotificationBridge& notifications_;
    ChangesBridge* changes_;
    const db::StandbySet* standbys_ = nullptr;
    Metrics metrics_;
    Heartbeat heartbeat_;
    std::unique_ptr<AdminListener> admin_;
    std::deque<RatePoint> rates_;  // one a second, the last few seconds
    int beats_ = 0;
    bool joined_before_ = false;
};

}  // namespace pgwamp::service
