#include "service/operations.hpp"

#include "pg/replication_messages.hpp"

#include <spdlog/spdlog.h>

#include "service/changes_bridge.hpp"
#include "service/notification_bridge.hpp"
#include "service/process_stats.hpp"

namespace pgwamp::service {

namespace {

// Each standby as /ready and health show it.
nlohmann::json standbys_json(const db::StandbySet& standbys) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& st : standbys.status()) {
        out.push_back({{"name", st.name},
                       {"state", st.state},
                       {"lag_ms", st.lag.count()},
                       {"replayed", st.replayed ? db::replication::format_lsn(*st.replayed) : ""},
                       {"reads", st.reads}});
    }
    return out;
}

Value standbys_value(const db::StandbySet& standbys) {
    Array list;
    for (const auto& st : standbys.status()) {
        list.push_back(Object{{"name", st.name},
                              {"state", st.state},
                              {"lag_ms", static_cast<std::int64_t>(st.lag.count())},
                              {"reads", static_cast<std::int64_t>(st.reads)}});
    }
    const auto& c = standbys.counts();
    return Object{{"list", std::move(list)},
                  {"reads_on_standbys", static_cast<std::int64_t>(c.standby)},
                  {"reads_on_primary", static_cast<std::int64_t>(c.primary)},
                  {"reads_waited_out", static_cast<std::int64_t>(c.primary_waited_out)}};
}


using namespace std::chrono_literals;

constexpr auto beat_period = 250ms;
constexpr auto live_limit = 1s;   // /live fails when the loop stood still longer than this
constexpr int beats_per_rate_point = 4;  // one rate point a second
constexpr std::size_t rate_points = 6;   // rates over the last 5 s

double per_second(std::uint64_t from, std::uint64_t to, std::chrono::steady_clock::duration over) {
    const double seconds = std::chrono::duration<double>(over).count();
    return seconds > 0 ? static_cast<double>(to - from) / seconds : 0.0;
}

}  // namespace

Operations::Operations(boost::asio::io_context& io, const config::ServiceConfig& config, db::Pool& pool,
                       wamp::Client& client, CallTracker& tracker, NotificationBridge& notifications,
                       ChangesBridge* changes)
    : config_(config),
      pool_(pool),
      client_(client),
      tracker_(tracker),
      notifications_(notifications),
      changes_(changes),
      heartbeat_(io, beat_period) {
    notifications_.set_metrics(metrics_);
    if (changes_) changes_->set_metrics(metrics_);
    heartbeat_.on_beat([this] {
        if (++beats_ % beats_per_rate_point == 0) sample_rates();
    });
    if (config_.admin) {
        std::map<std::string, AdminListener::Route> routes{{"/live", [this] { return live(); }},
                                                           {"/ready", [this] { return ready(); }},
                                                           {"/metrics", [this] { return scrape(); }}};
        admin_ = std::make_unique<AdminListener>(
            io, *config_.admin, std::move(routes),
            [this](std::string_view path, int status) { metrics_.count_admin_request(path, status); });
    }
}

wamp::Procedure Operations::instrument(const std::string& uri, wamp::Procedure procedure) {
    ProcedureMetrics* counters = &metrics_.procedure(uri);
    return [counters, procedure = std::move(procedure)](wamp::Invocation call) {
        const auto started = std::chrono::steady_clock::now();
        call.on_answer([counters, started](std::string_view error_uri) {
            counters->record(error_uri, std::chrono::steady_clock::now() - started);
        });
        procedure(std::move(call));
    };
}

void Operations::start() {
    heartbeat_.start();
    sample_rates();
    if (admin_) admin_->start();
}

void Operations::stop() {
    heartbeat_.stop();
    if (admin_) admin_->stop();
}

void Operations::on_router_state(wamp::ClientState state) {
    if (state != wamp::ClientState::joined) return;
    if (joined_before_) metrics_.count_rejoin();
    joined_before_ = true;
}

void Operations::sample_rates() {
    rates_.push_back({std::chrono::steady_clock::now(), metrics_.calls_total(), metrics_.events_total()});
    while (rates_.size() > rate_points) rates_.pop_front();
}

Readiness Operations::readiness() const {
    ReadinessInput in;
    in.draining = tracker_.draining;
    in.pool_available = pool_.available();
    in.router_state = wamp::to_string(client_.state());
    in.joined = client_.state() == wamp::ClientState::joined;
    in.provided = client_.provided_count();
    in.registered = client_.registered_count();
    in.channels = notifications_.channels();
    in.channels_led = notifications_.channels_led();
    if (changes_) {
        in.changes_state = db::to_string(changes_->stream_state());
        in.changes_reason = changes_->stream_reason();
    }
    if (standbys_) in.standbys = standbys_json(*standbys_);
    return judge_readiness(in);
}

Metrics::Sample Operations::sample() const {
    Metrics::Sample s;
    s.pool_connections = static_cast<double>(pool_.connection_count());
    s.pool_waiting = static_cast<double>(pool_.waiting());
    s.pool_available = pool_.available() ? 1 : 0;
    s.router_joined = client_.state() == wamp::ClientState::joined ? 1 : 0;
    s.procedures_provided = static_cast<double>(client_.provided_count());
    s.procedures_registered = static_cast<double>(client_.registered_count());
    if (changes_) {
        s.changes_streaming = changes_->stream_state() == db::StreamState::streaming ? 1 : 0;
        s.changes_unacknowledged = static_cast<double>(changes_->unacknowledged());
        s.changes_lag_bytes = static_cast<double>(changes_->lag_bytes());
        s.live_calls = static_cast<double>(changes_->live_calls());
    }
    s.channels_led = static_cast<double>(notifications_.channels_led());
    s.loop_lateness_seconds = std::chrono::duration<double>(heartbeat_.lateness()).count();
    const ProcessStats p = read_process_stats();
    s.resident_memory_bytes = p.resident_memory_bytes;
    s.cpu_seconds = p.cpu_seconds;
    s.open_fds = p.open_fds;
    s.max_fds = p.max_fds;
    s.start_time_seconds = p.start_time_seconds;
    return s;
}

AdminResponse Operations::live() const {
    const auto report = heartbeat_.check(live_limit);
    nlohmann::json body = {{"live", report.live},
                           {"since_beat_ms", report.since_beat.count()},
                           {"lateness_ms", report.lateness.count()}};
    return {report.live ? 200 : 503, "application/json", body.dump() + "\n"};
}

AdminResponse Operations::ready() const {
    const auto r = readiness();
    return {r.ready ? 200 : 503, "application/json", r.body.dump() + "\n"};
}

AdminResponse Operations::scrape() {
    metrics_.set(sample());
    if (standbys_) {
        std::vector<Metrics::StandbySample> standbys;
        for (const auto& st : standbys_->status())
            standbys.push_back({st.name, st.state == "up", std::chrono::duration<double>(st.lag).count(), st.reads});
        metrics_.set_standbys(standbys, standbys_->counts().primary, standbys_->counts().primary_waited_out);
    }
    return {200, "text/plain; version=0.0.4; charset=utf-8", metrics_.scrape()};
}

Object Operations::health() const {
    double calls_per_s = 0, events_per_s = 0;
    if (rates_.size() >= 2) {
        const auto& from = rates_.front();
        const auto& to = rates_.back();
        calls_per_s = per_second(from.calls, to.calls, to.at - from.at);
        events_per_s = per_second(from.events, to.events, to.at - from.at);
    }
    const auto r = readiness();
    Object changes;
    if (changes_) changes = {{"state", std::string(db::to_string(changes_->stream_state()))},
                             {"lag_bytes", changes_->lag_bytes()}};
    const ProcessStats p = read_process_stats();
    return {{"ready", r.ready},
            {"pool", Object{{"connections", static_cast<std::int64_t>(pool_.connection_count())},
                            {"waiting", static_cast<std::int64_t>(pool_.waiting())},
                            {"available", pool_.available()}}},
            {"calls_per_s", calls_per_s},
            {"events_per_s", events_per_s},
            {"router", std::string(wamp::to_string(client_.state()))},
            {"procedures", Object{{"provided", static_cast<std::int64_t>(client_.provided_count())},
                                  {"registered", static_cast<std::int64_t>(client_.registered_count())}}},
            {"changes", changes_ ? Value(std::move(changes)) : Value(Null{})},
            {"standbys", standbys_ ? standbys_value(*standbys_) : Value(Null{})},
            {"rss_bytes", static_cast<std::int64_t>(p.resident_memory_bytes)},
            {"running_calls", static_cast<std::int64_t>(tracker_.running())}};
}

}  // namespace pgwamp::service
