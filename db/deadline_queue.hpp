#pragma once
// Timeouts for many statements on one timer. An asio::steady_timer per
// statement re-arms the loop's timerfd on almost every call at low
// concurrency (the earliest deadline keeps changing as each call ends): one
// syscall per call. Here a deadline is an entry in an ordered map, and the
// single timer is re-armed only when a new deadline is earlier than the one it
// waits for, or when it fires; entries removed meanwhile are simply not there
// when it does. Single-threaded: everything on one executor.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

namespace pgwamp::db {

class DeadlineQueue : public std::enable_shared_from_this<DeadlineQueue> {
public:
    using Clock = std::chrono::steady_clock;

    // Names one entry; empty when nothing is armed (or it already fired).
    struct Handle {
        Clock::time_point when{};
        std::uint64_t id = 0;
        explicit operator bool() const { return id != 0; }
    };

    static std::shared_ptr<DeadlineQueue> create(boost::asio::any_io_executor ex);

    // on_expiry runs from the loop once `after` has passed, unless removed
    // first. It may add and remove entries.
    Handle add(Clock::duration after, std::function<void()> on_expiry);
    // Forgets the entry (nothing if it fired or was removed) and empties h.
    void remove(Handle& h);
    // Drops every entry and stops the timer, so the loop is not kept running.
    void clear();

    std::size_t size() const { return entries_.size(); }

private:
    explicit DeadlineQueue(boost::asio::any_io_executor ex) : timer_(std::move(ex)) {}
    void arm();
    void on_timer();

    using Key = std::pair<Clock::time_point, std::uint64_t>;
    std::map<Key, std::function<void()>> entries_;
    boost::asio::steady_timer timer_;
    std::uint64_t id_seq_ = 0;
    bool waiting_ = false;
    Clock::time_point armed_for_{};
    // A wait that completed before expires_at() re-armed the timer cannot be
    // cancelled any more; its handler sees an old generation and does nothing.
    std::uint64_t generation_ = 0;
};

}  // namespace pgwamp::db
