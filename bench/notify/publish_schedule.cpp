#include "publish_schedule.hpp"

#include <boost/program_options/value_semantic.hpp>

#include <stdexcept>

namespace pgwamp::bench {

namespace po = boost::program_options;

void add_publish_options(po::options_description& desc, PublishPlan& plan) {
    desc.add_options()
        ("rate", po::value(&plan.rate)->default_value(plan.rate), "events per second")
        ("duration", po::value(&plan.duration_s)->default_value(plan.duration_s), "seconds measured")
        ("warmup", po::value(&plan.warmup_s)->default_value(plan.warmup_s),
         "seconds of warm-up events before them, left out by the subscriber");
}

void check_publish_plan(const PublishPlan& plan) {
    if (!(plan.rate > 0) || plan.rate > 1e6 || !(plan.duration_s > 0) || plan.duration_s > 86400 ||
        !(plan.warmup_s >= 0) || plan.warmup_s > 3600) {
        throw std::invalid_argument("--rate must be in (0, 1e6], --duration in (0, 86400], --warmup in [0, 3600]");
    }
}

std::string round_robin_owner(std::int64_t event, std::int64_t owners) {
    if (owners <= 0 || event < 0) throw std::invalid_argument("round_robin_owner: owners must be > 0, event >= 0");
    return "o" + std::to_string(event % owners);
}

PublishSchedule::PublishSchedule(const PublishPlan& plan, Clock::time_point start)
    : start_(start),
      period_(1.0 / plan.rate),
      warmup_(static_cast<std::int64_t>(plan.rate * plan.warmup_s)),
      total_(warmup_ + static_cast<std::int64_t>(plan.rate * plan.duration_s)),
      measured_start_(start),
      last_send_(start) {}

PublishSchedule::Clock::time_point PublishSchedule::due(std::int64_t n) const {
    return start_ + std::chrono::duration_cast<Clock::duration>(period_ * n);
}

nlohmann::json PublishSchedule::next_payload(std::int64_t t_us) const {
    if (sent_ < warmup_) return {{"warmup", true}, {"t_us", t_us}};
    return {{"seq", sent_ - warmup_}, {"t_us", t_us}};
}

void PublishSchedule::sent(Clock::time_point now) {
    if (now - due(sent_) > max_lag_) max_lag_ = now - due(sent_);
    if (sent_ == warmup_) measured_start_ = now;
    last_send_ = now;
    ++sent_;
}

nlohmann::json PublishSchedule::result(Clock::time_point now) const {
    const std::int64_t measured = sent_ - std::min(sent_, warmup_);
    double seconds = std::chrono::duration<double>(now - start_).count();
    double span = std::chrono::duration<double>(last_send_ - measured_start_).count();
    double rate = span > 0 ? static_cast<double>(measured - 1) / span
                           : (seconds > 0 ? static_cast<double>(measured) / seconds : 0.0);
    return {{"event", "result"},
            {"sent", measured},
            {"warmup_sent", std::min(sent_, warmup_)},
            {"seconds", seconds},
            {"rate", rate},
            {"max_lag_ms", std::chrono::duration<double, std::milli>(max_lag_).count()}};
}

}  // namespace pgwamp::bench
