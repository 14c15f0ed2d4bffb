#include "service/metrics_text.hpp"

#include <charconv>
#include <cmath>
#include <limits>

namespace pgwamp::service {

namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

void write_number(std::string& out, double value) {
    if (std::isnan(value)) {
        out += "Nan";
    } else if (std::isinf(value)) {
        out += value < 0 ? "-Inf" : "+Inf";
    } else {
        char buffer[64];
        const auto r = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::general,
                                     std::numeric_limits<double>::max_digits10 - 1);
        out.append(buffer, r.ptr);
    }
}

void write_count(std::string& out, std::uint64_t value) {
    char buffer[24];
    const auto r = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, r.ptr);
}

// Label values: backslash, double quote and line feed escaped, as the format says.
void write_escaped(std::string& out, const std::string& value) {
    for (const char c : value) {
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        if (c == '\\' || c == '"') out += '\\';
        out += c;
    }
}

// name+suffix{labels[,extra="..."]}<space>
void write_head(std::string& out, const MetricFamily& family, const ClientMetric& metric, const char* suffix = "",
                const char* extra_name = nullptr, const double* extra_bound = nullptr) {
    out += family.name;
    out += suffix;
    if (!metric.label.empty() || extra_name) {
        out += '{';
        const char* separator = "";
        for (const auto& label : metric.label) {
            out += separator;
            out += label.name;
            out += "=\"";
            write_escaped(out, label.value);
            out += '"';
            separator = ",";
        }
        if (extra_name) {
            out += separator;
            out += extra_name;
            out += "=\"";
            if (extra_bound) write_number(out, *extra_bound);
            else out += "+Inf";
            out += '"';
        }
        out += '}';
    }
    out += ' ';
}

void write_tail(std::string& out, const ClientMetric& metric) {
    if (metric.timestamp_ms != 0) {
        out += ' ';
        out += std::to_string(metric.timestamp_ms);
    }
    out += '\n';
}

// The _count and _sum lines histograms and summaries share.
void write_count_and_sum(std::string& out, const MetricFamily& family, const ClientMetric& metric,
                         std::uint64_t count, double sum) {
    write_head(out, family, metric, "_count");
    write_count(out, count);
    write_tail(out, metric);
    write_head(out, family, metric, "_sum");
    write_number(out, sum);
    write_tail(out, metric);
}

void write_histogram(std::string& out, const MetricFamily& family, const ClientMetric& metric) {
    const auto& h = metric.histogram;
    write_count_and_sum(out, family, metric, h.sample_count, h.sample_sum);
    double last = -std::numeric_limits<double>::infinity();
    for (const auto& bucket : h.bucket) {
        write_head(out, family, metric, "_bucket", "le", &bucket.upper_bound);
        last = bucket.upper_bound;
        write_count(out, bucket.cumulative_count);
        write_tail(out, metric);
    }
    if (last != std::numeric_limits<double>::infinity()) {
        write_head(out, family, metric, "_bucket", "le", nullptr);
        write_count(out, h.sample_count);
        write_tail(out, metric);
    }
}

void write_summary(std::string& out, const MetricFamily& family, const ClientMetric& metric) {
    const auto& s = metric.summary;
    write_count_and_sum(out, family, metric, s.sample_count, s.sample_sum);
    for (const auto& q : s.quantile) {
        write_head(out, family, metric, "", "quantile", &q.quantile);
        write_number(out, q.value);
        write_tail(out, metric);
    }
}

const char* type_name(MetricType type) {
    switch (type) {
        case MetricType::Counter: return "counter";
        case MetricType::Gauge: return "gauge";
        case MetricType::Summary: return "summary";
        case MetricType::Histogram: return "histogram";
        default: return "untyped";
    }
}

}  // namespace

void write_prometheus_text(std::string& out, const std::vector<MetricFamily>& families) {
    for (const auto& family : families) {
        if (!family.help.empty()) {
            out += "# HELP ";
            out += family.name;
            out += ' ';
            out += family.help;
            out += '\n';
        }
        out += "# TYPE ";
        out += family.name;
        out += ' ';
        out += type_name(family.type);
        out += '\n';
        for (const auto& metric : family.metric) {
            switch (family.type) {
                case MetricType::Counter:
                    write_head(out, family, metric);
                    write_number(out, metric.counter.value);
                    write_tail(out, metric);
                    break;
                case MetricType::Gauge:
                    write_head(out, family, metric);
                    write_number(out, metric.gauge.value);
                    write_tail(out, metric);
                    break;
                case MetricType::Histogram:
                    write_histogram(out, family, metric);
                    break;
                case MetricType::Summary:
                    write_summary(out, family, metric);
                    break;
                default:
                    write_head(out, family, metric);
                    write_number(out, metric.untyped.value);
                    write_tail(out, metric);
                    break;
            }
        }
    }
}

}  // namespace pgwamp::service
