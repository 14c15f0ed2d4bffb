#pragma once
// Bookkeeping for one NOTIFY -> event run: which sequence numbers arrived,
// which twice, which out of order, and how long each took from the
// publisher's timestamp (taken just before its COMMIT) to our arrival.
// Pure logic; the subscriber feeds it.

#include "latency.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pgwamp::bench {

struct BenchEvent {
    std::int64_t seq = -1;
    std::int64_t sent_us = 0;  // CLOCK_REALTIME, microseconds since the epoch
    bool warmup = false;       // {"warmup": true, ...}: sent before the measured events
};

// Reads {"seq": n, "t_us": n} or {"warmup": true, "t_us": n}: from the event's first argument when the
// publisher parsed the payload, or from the payload text when it did not.
// Anything else -> nullopt.
std::optional<BenchEvent> parse_event_payload(const nlohmann::json& doc);
std::optional<BenchEvent> parse_event_payload(const std::string& json_text);

struct EventRunSummary {
    std::size_t expected = 0;
    std::size_t received = 0;    // distinct sequence numbers in [0, expected)
    std::size_t duplicates = 0;
    std::size_t out_of_order = 0;  // arrived after a higher sequence number
    std::size_t foreign = 0;     // unparseable or outside [0, expected)
    std::size_t warmup = 0;      // warm-up events, left out of everything else
    std::size_t missing = 0;
    double first_to_last_s = 0;  // arrival span, for events/s
    LatencySummary latency;
};

class EventTracker {
public:
    explicit EventTracker(std::size_t expected) : seen_(expected, false) {}

    // arrived_us on the same clock as BenchEvent::sent_us.
    void add(const std::optional<BenchEvent>& event, std::int64_t arrived_us);
    bool complete() const { return received_ == seen_.size(); }
    std::size_t received() const { return received_; }
    EventRunSummary summarize();

private:
    std::vector<bool> seen_;
    std::size_t received_ = 0;
    std::size_t duplicates_ = 0;
    std::size_t out_of_order_ = 0;
    std::size_t foreign_ = 0;
    std::size_t warmup_ = 0;
    std::int64_t highest_ = -1;
    std::int64_t first_arrival_us_ = 0;
    std::int64_t last_arrival_us_ = 0;
    LatencyRecorder latencies_;
};

}  // namespace pgwamp::bench
