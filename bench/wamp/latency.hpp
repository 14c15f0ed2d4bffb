#pragma once
// Latency samples of one measurement window and their percentiles.
// Every sample is kept (a few MB for a ten-second window at the router's
// ceiling), so percentiles are exact rather than bucketed.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace pgwamp::bench {

struct LatencySummary {
    std::size_t count = 0;
    double mean_us = 0;
    double p50_us = 0;
    double p90_us = 0;
    double p99_us = 0;
    double p999_us = 0;
    double max_us = 0;
};

class LatencyRecorder {
public:
    void reserve(std::size_t n) { samples_ns_.reserve(n); }
    void add(std::chrono::nanoseconds d) { samples_ns_.push_back(d.count() < 0 ? 0 : static_cast<std::uint64_t>(d.count())); }
    std::size_t size() const { return samples_ns_.size(); }
    // Sorts the samples in place; call once, at the end.
    LatencySummary summarize();

private:
    std::vector<std::uint64_t> samples_ns_;
};

// Nearest-rank percentile of an ascending vector; q in [0, 1]. 0 when empty.
std::uint64_t percentile(const std::vector<std::uint64_t>& sorted, double q);

}  // namespace pgwamp::bench
