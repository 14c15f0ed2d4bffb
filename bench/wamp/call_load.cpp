#include "call_load.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>

#include <sys/resource.h>

namespace pgwamp::bench {

double process_cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

CallLoad::CallLoad(boost::asio::io_context& io, CallLoadOptions options, CallOnce call_once)
    : options_(std::move(options)), call_once_(std::move(call_once)), timer_(io) {
    // Room for a window at ~20k calls/s (beyond the router's ceiling here) so
    // the vector does not grow mid-window; capped for long soak runs.
    auto expected = static_cast<std::size_t>(options_.duration.count()) * 20 + 1024;
    latencies_.reserve(std::min<std::size_t>(expected, 4'000'000));
}

void CallLoad::start(Phase on_measure_start, Phase on_measure_end, Finished on_finished) {
    on_measure_start_ = std::move(on_measure_start);
    on_measure_end_ = std::move(on_measure_end);
    on_finished_ = std::move(on_finished);
    for (std::size_t i = 0; i < options_.concurrency; ++i) {
        issue_one();
    }
    timer_.expires_after(options_.warmup);
    timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec) {
            begin_measure();
        }
    });
}

void CallLoad::issue_one() {
    ++outstanding_;
    auto started = std::chrono::steady_clock::now();
    call_once_([this, started](const std::string* error_uri) { completed(started, error_uri); });
}

void CallLoad::completed(std::chrono::steady_clock::time_point started, const std::string* error_uri) {
    --outstanding_;
    if (state_ == State::measure) {
        if (error_uri) {
            ++result_.errors[*error_uri];
        } else {
            ++result_.completed;
            latencies_.add(std::chrono::steady_clock::now() - started);
        }
    }
    if (state_ == State::warmup || state_ == State::measure) {
        issue_one();
    } else if (state_ == State::drain && outstanding_ == 0) {
        timer_.cancel();
        finish();
    }
}

void CallLoad::begin_measure() {
    state_ = State::measure;
    if (on_measure_start_) {
        on_measure_start_();
    }
    window_start_ = std::chrono::steady_clock::now();
    cpu_at_start_ = process_cpu_seconds();
    timer_.expires_after(options_.duration);
    timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec) {
            end_measure();
        }
    });
}

void CallLoad::end_measure() {
    result_.window_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - window_start_).count();
    result_.cpu_s = process_cpu_seconds() - cpu_at_start_;
    state_ = State::drain;
    if (on_measure_end_) {
        on_measure_end_();
    }
    if (outstanding_ == 0) {
        return boost::asio::post(timer_.get_executor(), [this] { finish(); });
    }
    timer_.expires_after(options_.drain);
    timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec) {
            result_.no_reply = outstanding_;
            finish();
        }
    });
}

void CallLoad::finish() {
    if (state_ == State::done) {
        return;
    }
    state_ = State::done;
    result_.latency = latencies_.summarize();
    if (on_finished_) {
        on_finished_(result_);
    }
}

}  // namespace pgwamp::bench
