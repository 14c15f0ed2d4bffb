#pragma once
// The fixed-rate schedule both publishers keep (bench_notify_pub through
// PostgreSQL, bench_event_pub straight to the router): warm-up events first,
// then the measured ones, event n due at start + n / rate; how far behind
// its schedule the sender fell; and the result line both print. Pure logic.

#include <boost/program_options/options_description.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <string>

namespace pgwamp::bench {

struct PublishPlan {
    double rate = 1000;      // events per second
    double duration_s = 5;   // measured seconds
    double warmup_s = 0;     // seconds of warm-up events before them
};

// --rate, --duration and --warmup, bound to `plan`.
void add_publish_options(boost::program_options::options_description& desc, PublishPlan& plan);
// Throws std::invalid_argument for a plan out of range.
void check_publish_plan(const PublishPlan& plan);

// The owner of event n when the loader spreads its rows over `owners` owners
// (bench_notify_pub --owners, the live phase): "o0", "o1", ... round-robin by
// the event's index, warm-up events included. bench_live names its queries'
// owners the same way.
std::string round_robin_owner(std::int64_t event, std::int64_t owners);

class PublishSchedule {
public:
    using Clock = std::chrono::steady_clock;

    PublishSchedule(const PublishPlan& plan, Clock::time_point start);

    std::int64_t total() const { return total_; }  // warm-up and measured
    bool done() const { return sent_ == total_; }
    std::int64_t next() const { return sent_; }     // index of the next event
    Clock::time_point due(std::int64_t n) const;
    // The next event's payload: {"warmup": true, "t_us"} or {"seq", "t_us"},
    // seq counting from 0 after the warm-up.
    nlohmann::json next_payload(std::int64_t t_us) const;
    // The next event went out at `now`.
    void sent(Clock::time_point now);

    // {"event":"result","sent","warmup_sent","seconds","rate","max_lag_ms"};
    // rate is over the measured sending span (n sends take n - 1 periods).
    nlohmann::json result(Clock::time_point now) const;

private:
    Clock::time_point start_;
    std::chrono::duration<double> period_;
    std::int64_t warmup_ = 0;
    std::int64_t total_ = 0;
    std::int64_t sent_ = 0;
    Clock::time_point measured_start_;
    Clock::time_point last_send_;
    Clock::duration max_lag_{0};
};

}  // namespace pgwamp::bench
