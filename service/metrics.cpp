#include "service/metrics.hpp"

#include <sstream>

#include <prometheus/text_serializer.h>

#include "service/metrics_text.hpp"

namespace pgwamp::service {

namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

// From 0.5 ms (a pipelined SELECT on loopback) to 10 s; beyond, +Inf. Twelve:
// each bucket is a series per procedure, and a scrape of 1,000 procedures
// must stay cheap on the event loop.
const prometheus::Histogram::BucketBoundaries latency_buckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                                 0.05,   0.1,   0.25,   1,     2.5,  10};

struct GaugeSpec {
    const char* name;
    const char* help;
    double Metrics::Sample::*field;
};

// process_*: the names every Prometheus client library uses for these, so
// the usual dashboards work; the rest are ours, prefixed pgwamp_.
const GaugeSpec gauge_specs[] = {
    {"pgwamp_pool_connections", "Open connections of the database pool", &Metrics::Sample::pool_connections},
    {"pgwamp_pool_waiting", "Calls waiting for a pool connection", &Metrics::Sample::pool_waiting},
    {"pgwamp_pool_available", "1 while the pool can reach PostgreSQL", &Metrics::Sample::pool_available},
    {"pgwamp_router_joined", "1 while joined to the realm", &Metrics::Sample::router_joined},
    {"pgwamp_procedures_provided", "Procedures this process provides", &Metrics::Sample::procedures_provided},
    {"pgwamp_procedures_registered", "Procedures the router has confirmed on this session",
     &Metrics::Sample::procedures_registered},
    {"pgwamp_changes_streaming", "1 while this process consumes the replication slot",
     &Metrics::Sample::changes_streaming},
    {"pgwamp_changes_unacknowledged", "Row-change events published and not yet acknowledged",
     &Metrics::Sample::changes_unacknowledged},
    {"pgwamp_changes_lag_bytes", "WAL the server keeps for the slot (-1: not measured yet)",
     &Metrics::Sample::changes_lag_bytes},
    {"pgwamp_live_calls", "Live queries open on this process (it consumes the slot)", &Metrics::Sample::live_calls},
    {"pgwamp_notify_channels_led", "NOTIFY channels this process publishes", &Metrics::Sample::channels_led},
    {"pgwamp_event_loop_lateness_seconds", "How late the event loop's heartbeat timer last fired",
     &Metrics::Sample::loop_lateness_seconds},
    {"process_resident_memory_bytes", "Resident memory size in bytes", &Metrics::Sample::resident_memory_bytes},
    {"process_open_fds", "Number of open file descriptors", &Metrics::Sample::open_fds},
    {"process_max_fds", "Maximum number of open file descriptors", &Metrics::Sample::max_fds},
    {"process_start_time_seconds", "Start time of the process since the epoch in seconds",
     &Metrics::Sample::start_time_seconds},
};

}  // namespace

ProcedureMetrics::ProcedureMetrics(prometheus::Family<prometheus::Counter>& calls,
                                   prometheus::Family<prometheus::Histogram>& latency, std::string procedure,
                                   std::uint64_t& calls_total)
    : calls_(calls),
      procedure_(std::move(procedure)),
      ok_(&calls.Add({{"procedure", procedure_}, {"outcome", "ok"}})),
      latency_family_(latency),
      calls_total_(calls_total) {}

prometheus::Counter& ProcedureMetrics::outcome(std::string_view error_uri) {
    if (error_uri.empty()) return *ok_;
    for (auto& [uri, counter] : errors_)
        if (uri == error_uri) return *counter;
    auto& counter = calls_.Add({{"procedure", procedure_}, {"outcome", std::string(error_uri)}});
    errors_.emplace_back(std::string(error_uri), &counter);
    return counter;
}

void ProcedureMetrics::record(std::string_view error_uri, std::chrono::steady_clock::duration elapsed) {
    outcome(error_uri).Increment();
    // The histogram appears with the first call: thirteen series per
    // procedure that was never called would be most of a big scrape.
    if (!latency_) latency_ = &latency_family_.Add({{"procedure", procedure_}}, latency_buckets);
    latency_->Observe(std::chrono::duration<double>(elapsed).count());
    ++calls_total_;
}

Metrics::Metrics()
    : calls_(BuildCounter()
                 .Name("pgwamp_calls_total")
                 .Help("Procedure calls answered, by procedure and outcome (\"ok\" or the WAMP error URI)")
                 .Register(*registry_)),
      latency_(BuildHistogram()
                   .Name("pgwamp_call_duration_seconds")
                   .Help("Time from INVOCATION to the answer, by procedure")
                   .Register(*registry_)),
      published_(BuildCounter()
                     .Name("pgwamp_events_published_total")
                     .Help("Events published to the router, by topic")
                     .Register(*registry_)),
      acknowledged_(BuildCounter()
                        .Name("pgwamp_events_acknowledged_total")
                        .Help("Acknowledged publishes the router confirmed, by topic (row changes)")
                        .Register(*registry_)),
      failed_(BuildCounter()
                  .Name("pgwamp_events_failed_total")
                  .Help("Acknowledged publishes the router refused or that were lost, by topic")
                  .Register(*registry_)),
      admin_requests_(BuildCounter()
                          .Name("pgwamp_admin_requests_total")
                          .Help("Requests to the admin listener, by path and status")
                          .Register(*registry_)),
      rejoins_(&BuildCounter()
                    .Name("pgwamp_router_rejoins_total")
                    .Help("Times the session joined the realm again after losing it")
                    .Register(*registry_)
                    .Add({})),
      cpu_seconds_(&BuildCounter()
                        .Name("process_cpu_seconds_total")
                        .Help("User and system CPU time spent in seconds")
                        .Register(*registry_)
                        .Add({})) {
    for (const auto& spec : gauge_specs)
        gauges_.emplace_back(&BuildGauge().Name(spec.name).Help(spec.help).Register(*registry_).Add({}), spec.field);
}

ProcedureMetrics& Metrics::procedure(const std::string& uri) {
    if (auto found = procedures_.find(uri); found != procedures_.end()) return found->second;
    return procedures_.try_emplace(uri, calls_, latency_, uri, calls_total_).first->second;
}

TopicMetrics& Metrics::topic(const std::string& topic) {
    if (auto found = topics_.find(topic); found != topics_.end()) return found->second;
    const prometheus::Labels labels{{"topic", topic}};
    return topics_
        .try_emplace(topic, TopicMetrics{&published_.Add(labels), &acknowledged_.Add(labels), &failed_.Add(labels),
                                         &events_total_})
        .first->second;
}

void Metrics::set(const Sample& sample) {
    for (auto& [gauge, field] : gauges_) gauge->Set(sample.*field);
    // A counter: it only moves forward, by what /proc says was spent since.
    if (const double more = sample.cpu_seconds - cpu_seconds_->Value(); more > 0) cpu_seconds_->Increment(more);
}

struct Metrics::StandbyFamilies {
    prometheus::Family<prometheus::Gauge>& up;
    prometheus::Family<prometheus::Gauge>& lag;
    prometheus::Family<prometheus::Counter>& reads;
    prometheus::Counter& waited_out;
};

void Metrics::set_standbys(const std::vector<StandbySample>& standbys, std::uint64_t primary_reads,
                           std::uint64_t waited_out) {
    if (!standby_families_) {
        standby_families_ = std::make_shared<StandbyFamilies>(StandbyFamilies{
            BuildGauge()
                .Name("pgwamp_standby_up")
                .Help("1 while the standby takes reads (answering, in recovery, within max_lag), else 0")
                .Register(*registry_),
            BuildGauge()
                .Name("pgwamp_standby_lag_seconds")
                .Help("How long ago the primary first had WAL the standby has not replayed")
                .Register(*registry_),
            BuildCounter()
                .Name("pgwamp_reads_total")
                .Help("Read-only calls, by the server that ran them (\"primary\" or a standby's name)")
                .Register(*registry_),
            BuildCounter()
                .Name("pgwamp_reads_waited_out_total")
                .Help("Read-only calls that went to the primary after waiting max_wait for a standby")
                .Register(*registry_)
                .Add({})});
    }
    auto advance = [](prometheus::Counter& c, std::uint64_t total) {
        if (const double more = static_cast<double>(total) - c.Value(); more > 0) c.Increment(more);
    };
    for (const auto& s : standbys) {
        const prometheus::Labels labels{{"standby", s.name}};
        standby_families_->up.Add(labels).Set(s.up ? 1 : 0);
        standby_families_->lag.Add(labels).Set(s.lag_seconds);
        advance(standby_families_->reads.Add({{"server", s.name}}), s.reads);
    }
    advance(standby_families_->reads.Add({{"server", "primary"}}), primary_reads);
    advance(standby_families_->waited_out, waited_out);
}

void Metrics::count_admin_request(std::string_view path, int status) {
    // Only the three known paths are labels: a scanner must not grow the registry.
    const bool known = path == "/live" || path == "/ready" || path == "/metrics";
    admin_requests_.Add({{"path", known ? std::string(path) : "other"}, {"status", std::to_string(status)}})
        .Increment();
}

std::string Metrics::scrape() const {
    const auto families = registry_->Collect();
    std::string out;
    out.reserve(last_scrape_size_ + last_scrape_size_ / 8);
    write_prometheus_text(out, families);
    last_scrape_size_ = out.size();
    return out;
}

std::string Metrics::scrape_with_text_serializer() const {
    std::ostringstream out;
    prometheus::TextSerializer().Serialize(out, registry_->Collect());
    return std::move(out).str();
}

}  // namespace pgwamp::service
