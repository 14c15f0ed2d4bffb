#include "service/heartbeat.hpp"

namespace pgwamp::service {

Heartbeat::Heartbeat(boost::asio::io_context& io, std::chrono::milliseconds period) : timer_(io), period_(period) {}

void Heartbeat::start() {
    running_ = true;
    last_beat_ = Clock::now();
    arm();
}

void Heartbeat::stop() {
    running_ = false;
    timer_.cancel();
}

void Heartbeat::arm() {
    timer_.expires_after(period_);
    timer_.async_wait([this](boost::system::error_code ec) {
        if (ec || !running_) return;
        last_beat_ = Clock::now();
        lateness_ = std::chrono::duration_cast<std::chrono::microseconds>(last_beat_ - timer_.expiry());
        if (on_beat_) on_beat_();
        arm();
    });
}

Heartbeat::Report Heartbeat::check(std::chrono::milliseconds limit, Clock::time_point now) const {
    Report r;
    r.since_beat = std::chrono::duration_cast<std::chrono::milliseconds>(now - last_beat_);
    r.lateness = std::chrono::duration_cast<std::chrono::milliseconds>(lateness_);
    r.live = running_ && r.since_beat <= limit + period_ && r.lateness <= limit;
    return r;
}

}  // namespace pgwamp::service
