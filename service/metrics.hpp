#pragma once
// The service's Prometheus metrics (prometheus-cpp's core library: registry,
// families, text format). Served by the admin listener at /metrics.
//
// Hot-path cost: a procedure's counters are looked up once, when it is
// provided (procedure()), its histogram once, at its first call; a call then
// costs a steady_clock read, a histogram Observe and a counter Increment. Values that already live
// elsewhere (the pool's size, the router's state, /proc) are not counted
// twice: Operations copies them into gauges just before each scrape.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace pgwamp::service {

// One provided procedure: calls by outcome ("ok" or the error URI) and latency.
class ProcedureMetrics {
public:
    ProcedureMetrics(prometheus::Family<prometheus::Counter>& calls, prometheus::Family<prometheus::Histogram>& latency,
                     std::string procedure, std::uint64_t& calls_total);

    // error_uri empty: the call succeeded.
    void record(std::string_view error_uri, std::chrono::steady_clock::duration elapsed);

private:
    prometheus::Counter& outcome(std::string_view error_uri);

    prometheus::Family<prometheus::Counter>& calls_;
    std::string procedure_;
    prometheus::Counter* ok_;  // from the start, so rate() sees the zero
    prometheus::Family<prometheus::Histogram>& latency_family_;
    prometheus::Histogram* latency_ = nullptr;  // created by the first call
    // The error URIs this procedure has answered with: a handful at most
    // (error_mapping.hpp), so a short vector searched in order.
    std::vector<std::pair<std::string, prometheus::Counter*>> errors_;
    std::uint64_t& calls_total_;
};

// One topic: events published; for acknowledged publishes, the router's
// acknowledgements and failures as well.
struct TopicMetrics {
    prometheus::Counter* published;
    prometheus::Counter* acknowledged;
    prometheus::Counter* failed;
    std::uint64_t* events_total;

    void count_published() {
        published->Increment();
        ++*events_total;
    }
};

class Metrics {
public:
    Metrics();
    Metrics(const Metrics&) = delete;
    Metrics& operator=(const Metrics&) = delete;

    // Stable references, created on first use.
    ProcedureMetrics& procedure(const std::string& uri);
    TopicMetrics& topic(const std::string& topic);

    // Gauges Operations sets before a scrape.
    struct Sample {
        double pool_connections = 0, pool_waiting = 0, pool_available = 0;
        double router_joined = 0, procedures_provided = 0, procedures_registered = 0;
        double changes_streaming = 0, changes_unacknowledged = 0, changes_lag_bytes = -1, live_calls = 0;
        double channels_led = 0;
        double resident_memory_bytes = 0, cpu_seconds = 0, open_fds = 0, max_fds = 0;
        double loop_lateness_seconds = 0, start_time_seconds = 0;
    };
    void set(const Sample& sample);

    // Reads on standbys (service/read_routing.hpp): each standby's state and
    // lag, and where reads went. Registered at the first call: a process
    // without replicas shows none of it.
    struct StandbySample {
        std::string name;
        bool up = false;
        double lag_seconds = 0;
        std::uint64_t reads = 0;
    };
    void set_standbys(const std::vector<StandbySample>& standbys, std::uint64_t primary_reads,
                      std::uint64_t waited_out);
    void count_rejoin() { rejoins_->Increment(); }
    void count_admin_request(std::string_view path, int status);

    // The Prometheus text exposition format (version 0.0.4), written by
    // write_prometheus_text (metrics_text.hpp); the second spelling is
    // prometheus-cpp's own TextSerializer, the reference it is tested against.
    std::string scrape() const;
    std::string scrape_with_text_serializer() const;

    // For the page's health view (rates).
    std::uint64_t calls_total() const { return calls_total_; }
    std::uint64_t events_total() const { return events_total_; }

private:
    std::shared_ptr<prometheus::Registry> registry_ = std::make_shared<prometheus::Registry>();
    prometheus::Family<prometheus::Counter>& calls_;
    prometheus::Family<prometheus::Histogram>& latency_;
    prometheus::Family<prometheus::Counter>& published_;
    prometheus::Family<prometheus::Counter>& acknowledged_;
    prometheus::Family<prometheus::Counter>& failed_;
    prometheus::Family<prometheus::Counter>& admin_requests_;
    prometheus::Counter* rejoins_;
    prometheus::Counter* cpu_seconds_;
    std::vector<std::pair<prometheus::Gauge*, double Sample::*>> gauges_;
    struct StandbyFamilies;
    std::shared_ptr<StandbyFamilies> standby_families_;
    std::map<std::string, ProcedureMetrics> procedures_;
    std::map<std::string, TopicMetrics> topics_;
    std::uint64_t calls_total_ = 0;
    std::uint64_t events_total_ = 0;
    mutable std::size_t last_scrape_size_ = 0;
};

}  // namespace pgwamp::service
