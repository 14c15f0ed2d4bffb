#include "live_tally.hpp"

#include <algorithm>

namespace pgwamp::bench {

namespace {

const std::string* string_field(const Object& object, std::string_view key) {
    const Value* v = find_field(object, key);
    return v && v->is<std::string>() ? &v->as<std::string>() : nullptr;
}

std::optional<std::int64_t> int_field(const Object& object, std::string_view key) {
    const Value* v = find_field(object, key);
    if (!v || !v->is<std::int64_t>()) return std::nullopt;
    return v->as<std::int64_t>();
}

}  // namespace

double LiveCallTally::ms_since_call(Clock::time_point now) const {
    return std::chrono::duration<double, std::milli>(now - called_).count();
}

void LiveCallTally::shape(std::string why) {
    if (shape_error_.empty()) shape_error_ = std::move(why);
}

const Array* LiveCallTally::on_progress(const Array& args, const Object& kwargs, Clock::time_point now) {
    const std::string* kind = string_field(kwargs, "kind");
    if (!kind) {
        shape("a progressive result without kwargs.kind");
        return nullptr;
    }
    const Array* list = !args.empty() && args.front().is<Array>() ? &args.front().as<Array>() : nullptr;
    if (!list) {
        shape("a progressive result (kind " + *kind + ") whose args[0] is not a list");
        return nullptr;
    }
    if (*kind == "snapshot") {
        if (ready()) shape("a snapshot chunk after ready");
        if (!first_chunk_ms_) first_chunk_ms_ = ms_since_call(now);
        ++chunks_;
        rows_ += list->size();
        return nullptr;
    }
    if (*kind == "changes") {
        if (!ready()) changes_before_ready_ += list->size();
        return list;
    }
    if (*kind == "ready") {
        if (ready()) {
            shape("ready twice");
            return nullptr;
        }
        ready_ms_ = ms_since_call(now);
        if (const std::string* position = string_field(kwargs, "position")) position_ = *position;
        if (!string_field(kwargs, "handle")) shape("ready without a handle");
        return nullptr;
    }
    shape("a progressive result of kind " + *kind);
    return nullptr;
}

void ChangeTally::add(const std::string& owner, const Array& changes, std::int64_t arrived_us) {
    for (const auto& change : changes) add_one(owner, change, arrived_us);
}

void ChangeTally::add_one(const std::string& owner, const Value& change, std::int64_t arrived_us) {
    ++changes_;
    const Object* c = change.is<Object>() ? &change.as<Object>() : nullptr;
    const std::string* op = c ? string_field(*c, "op") : nullptr;
    const Value* row_value = c ? find_field(*c, "row") : nullptr;
    const Object* row = row_value && row_value->is<Object>() ? &row_value->as<Object>() : nullptr;
    if (!op || *op != "insert" || !row) {
        ++foreign_;
        return;
    }
    const auto run = int_field(*row, "run");
    const auto seq = int_field(*row, "seq");
    const auto t_us = int_field(*row, "t_us");
    const std::string* row_owner = string_field(*row, "owner");
    if (!run || *run != run_ || !seq || !t_us || !row_owner) {
        ++foreign_;
        return;
    }
    if (*row_owner != owner) {
        ++wrong_owner_;
        return;
    }
    if (*seq == -1) {
        ++warmup_;
        return;
    }
    if (*seq < 0 || static_cast<std::uint64_t>(*seq) >= seen_.size()) {
        ++foreign_;
        return;
    }
    const auto n = static_cast<std::size_t>(*seq);
    if (seen_[n]) {
        ++duplicates_;
        return;
    }
    seen_[n] = true;
    ++received_;
    auto& highest = highest_.try_emplace(owner, -1).first->second;
    if (*seq < highest) ++out_of_order_;
    highest = std::max(highest, *seq);
    if (received_ == 1) first_arrival_us_ = arrived_us;
    last_arrival_us_ = std::max(last_arrival_us_, arrived_us);
    latencies_.add(std::chrono::microseconds(arrived_us - *t_us));
}

ChangeRunSummary ChangeTally::summarize() {
    ChangeRunSummary s;
    s.expected = seen_.size();
    s.received = received_;
    s.missing = s.expected - s.received;
    s.duplicates = duplicates_;
    s.wrong_owner = wrong_owner_;
    s.out_of_order = out_of_order_;
    s.foreign = foreign_;
    s.warmup = warmup_;
    s.first_to_last_s = received_ ? static_cast<double>(last_arrival_us_ - first_arrival_us_) / 1e6 : 0.0;
    s.latency = latencies_.summarize();
    return s;
}

std::optional<MedianMax> median_max(std::vector<double> values) {
    if (values.empty()) return std::nullopt;
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    const double median = n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    return MedianMax{median, values.back()};
}

}  // namespace pgwamp::bench
