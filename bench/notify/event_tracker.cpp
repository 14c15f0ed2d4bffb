#include "event_tracker.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>

namespace pgwamp::bench {

std::optional<BenchEvent> parse_event_payload(const std::string& json_text) {
    return parse_event_payload(nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false));
}

std::optional<BenchEvent> parse_event_payload(const nlohmann::json& doc) {
    if (doc.is_string()) {
        return parse_event_payload(doc.get<std::string>());
    }
    if (!doc.is_object()) {
        return std::nullopt;
    }
    auto sent = doc.find("t_us");
    if (auto warm = doc.find("warmup"); warm != doc.end() && warm->is_boolean() && warm->get<bool>()) {
        if (sent == doc.end() || !sent->is_number_integer()) {
            return std::nullopt;
        }
        return BenchEvent{-1, sent->get<std::int64_t>(), true};
    }
    auto seq = doc.find("seq");
    if (seq == doc.end() || sent == doc.end() || !seq->is_number_integer() || !sent->is_number_integer()) {
        return std::nullopt;
    }
    return BenchEvent{seq->get<std::int64_t>(), sent->get<std::int64_t>()};
}

void EventTracker::add(const std::optional<BenchEvent>& event, std::int64_t arrived_us) {
    if (event && event->warmup) {
        ++warmup_;
        return;
    }
    if (!event || event->seq < 0 || static_cast<std::size_t>(event->seq) >= seen_.size()) {
        ++foreign_;
        return;
    }
    auto index = static_cast<std::size_t>(event->seq);
    if (seen_[index]) {
        ++duplicates_;
        return;
    }
    seen_[index] = true;
    if (received_++ == 0) {
        first_arrival_us_ = arrived_us;
    }
    last_arrival_us_ = std::max(last_arrival_us_, arrived_us);
    if (event->seq < highest_) {
        ++out_of_order_;
    } else {
        highest_ = event->seq;
    }
    latencies_.add(std::chrono::microseconds(arrived_us - event->sent_us));
}

EventRunSummary EventTracker::summarize() {
    EventRunSummary s;
    s.expected = seen_.size();
    s.received = received_;
    s.duplicates = duplicates_;
    s.out_of_order = out_of_order_;
    s.foreign = foreign_;
    s.warmup = warmup_;
    s.missing = s.expected - s.received;
    s.first_to_last_s = static_cast<double>(last_arrival_us_ - first_arrival_us_) / 1e6;
    s.latency = latencies_.summarize();
    return s;
}

}  // namespace pgwamp::bench
