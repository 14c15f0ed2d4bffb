#pragma once
// Liveness of the event loop. A timer on the loop beats every `period` and
// notes how late it fired. The /live handler runs on the same loop, so "the
// loop is turning, since I am running" would always be true; what it reports
// instead is what the timer saw: a beat that is overdue (the handler got in
// first after a stall) or that fired late (the stall just ended) means the
// loop was not turning for that long. A loop that is stuck right now answers
// nothing at all, and the prober's own timeout says so.

#include <chrono>
#include <functional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

namespace pgwamp::service {

class Heartbeat {
public:
    using Clock = std::chrono::steady_clock;

    Heartbeat(boost::asio::io_context& io, std::chrono::milliseconds period);
    void start();
    void stop();
    // Runs on every beat (after the lateness is noted): periodic sampling.
    void on_beat(std::function<void()> handler) { on_beat_ = std::move(handler); }

    struct Report {
        bool live = false;
        std::chrono::milliseconds since_beat{0};  // since the last beat ran
        std::chrono::milliseconds lateness{0};    // how late the last beat fired
    };
    // live: the last beat ran within `limit` plus one period, and was at most `limit` late.
    Report check(std::chrono::milliseconds limit, Clock::time_point now = Clock::now()) const;
    std::chrono::microseconds lateness() const { return lateness_; }

private:
    void arm();

    boost::asio::steady_timer timer_;
    std::chrono::milliseconds period_;
    Clock::time_point last_beat_ = Clock::now();
    std::chrono::microseconds lateness_{0};
    std::function<void()> on_beat_;
    bool running_ = false;
};

}  // namespace pgwamp::service
