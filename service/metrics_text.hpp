#pragma once
// The Prometheus text exposition format (0.0.4) of collected metric families.
//
// prometheus::TextSerializer writes the same text through std::ostream, which
// took 18 ms of CPU for 1,000 procedures (a histogram each): most of a
// scrape, on the event loop. This writes into one reserved string with
// std::to_chars instead (the same "%.16g" spelling of numbers); a unit test
// holds it byte for byte to TextSerializer's output, which stays the reference.

#include <string>
#include <vector>

#include <prometheus/metric_family.h>

namespace pgwamp::service {

void write_prometheus_text(std::string& out, const std::vector<prometheus::MetricFamily>& families);

}  // namespace pgwamp::service
