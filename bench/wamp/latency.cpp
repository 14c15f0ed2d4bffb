#include "latency.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace pgwamp::bench {

std::uint64_t percentile(const std::vector<std::uint64_t>& sorted, double q) {
    if (sorted.empty()) {
        return 0;
    }
    q = std::clamp(q, 0.0, 1.0);
    // Nearest rank: the smallest sample with at least q of all samples at or below it.
    auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
    return sorted[rank == 0 ? 0 : rank - 1];
}

LatencySummary LatencyRecorder::summarize() {
    std::sort(samples_ns_.begin(), samples_ns_.end());
    LatencySummary s;
    s.count = samples_ns_.size();
    if (s.count == 0) {
        return s;
    }
    auto us = [](std::uint64_t ns) { return static_cast<double>(ns) / 1000.0; };
    long double total = std::accumulate(samples_ns_.begin(), samples_ns_.end(), 0.0L);
    s.mean_us = static_cast<double>(total / static_cast<long double>(s.count)) / 1000.0;
    s.p50_us = us(percentile(samples_ns_, 0.50));
    s.p90_us = us(percentile(samples_ns_, 0.90));
    s.p99_us = us(percentile(samples_ns_, 0.99));
    s.p999_us = us(percentile(samples_ns_, 0.999));
    s.max_us = us(samples_ns_.back());
    return s;
}

}  // namespace pgwamp::bench
