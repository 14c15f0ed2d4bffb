#pragma once
// Closed-loop call load: keeps exactly `concurrency` calls outstanding,
// issuing the next as soon as one completes. A warm-up window is thrown
// away, then calls completing inside the measured window are counted and
// their latencies kept; errors are counted by the URI the router sent.

#include "latency.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <string>

namespace pgwamp::bench {

struct CallLoadOptions {
    std::string procedure;
    std::size_t concurrency = 1;
    std::chrono::milliseconds warmup{1000};
    std::chrono::milliseconds duration{5000};
    // After the window, how long outstanding calls may take before they
    // count as "no reply" (a hung callee must not hang the bench).
    std::chrono::milliseconds drain{10000};
};

struct CallLoadResult {
    std::size_t completed = 0;  // successful calls completed inside the window
    std::map<std::string, std::size_t> errors;  // by error URI, inside the window
    std::size_t no_reply = 0;   // still outstanding after the drain bound
    double window_s = 0;
    double cpu_s = 0;           // this process's user+system CPU inside the window
    LatencySummary latency;
};

// How one call is made, whichever WAMP client makes it: call `done` later on
// the loop (never inside call_once) with nullptr on success or the error URI.
using CallDone = std::function<void(const std::string* error_uri)>;
using CallOnce = std::function<void(CallDone done)>;

class CallLoad {
public:
    using Phase = std::function<void()>;
    using Finished = std::function<void(const CallLoadResult&)>;

    CallLoad(boost::asio::io_context& io, CallLoadOptions options, CallOnce call_once);

    // on_measure_start / on_measure_end let the harness sample other
    // processes at the window's edges; on_finished runs after the drain.
    void start(Phase on_measure_start, Phase on_measure_end, Finished on_finished);

private:
    enum class State { warmup, measure, drain, done };

    void issue_one();
    void completed(std::chrono::steady_clock::time_point started, const std::string* error_uri);
    void begin_measure();
    void end_measure();
    void finish();

    CallLoadOptions options_;
    CallOnce call_once_;
    boost::asio::steady_timer timer_;
    State state_ = State::warmup;
    std::size_t outstanding_ = 0;
    std::chrono::steady_clock::time_point window_start_;
    double cpu_at_start_ = 0;
    LatencyRecorder latencies_;
    CallLoadResult result_;
    Phase on_measure_start_;
    Phase on_measure_end_;
    Finished on_finished_;
};

// This process's user+system CPU time in seconds.
double process_cpu_seconds();

}  // namespace pgwamp::bench
