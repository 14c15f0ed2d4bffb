#pragma once
// The one Asio driver of a ReconnectSchedule: a timer that calls attempt()
// when the next attempt is due. Whoever owns a connection (the WAMP client,
// the leader listener, later the pool) says what happened to each attempt;
// the Reconnector decides when the next one runs.
//
//   Reconnector r(ex, backoff, [&](std::uint64_t gen) { open(gen); });
//   r.start();                      // attempt(1) runs now
//   ... r.on_failure(gen);          // connect failed or connection lost: retry later
//   ... r.on_success(gen);          // connected: backoff starts over
//   r.demand();                     // callers are waiting: retry soon
//   r.cancel();                     // stop; nothing runs any more
//
// Generations: every attempt gets a new number, and on_failure() ends it. A
// report or timer carrying an older number is ignored, so a late connect
// result or a second error report for the same attempt cannot schedule twice,
// and callbacks of the attempt's objects can check current(gen) to know they
// are stale.
//
// Single-threaded: call everything from the executor's thread. attempt() runs
// from the timer (never inside on_failure()/demand()), except the first,
// which start() runs directly. Destroying the Reconnector cancels it.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include <boost/asio/any_io_executor.hpp>

#include "common/backoff.hpp"
#include "common/reconnect_schedule.hpp"

namespace pgwamp {

class Reconnector {
public:
    using Clock = ReconnectSchedule::Clock;
    // Opens the connection; the outcome comes back through on_failure(gen) /
    // on_success(gen) with the generation given here.
    using Attempt = std::function<void(std::uint64_t generation)>;

    Reconnector(boost::asio::any_io_executor ex, BackoffOptions options, Attempt attempt,
                std::chrono::milliseconds hurry_interval = std::chrono::milliseconds{250},
                std::uint64_t seed = random_seed());
    ~Reconnector();
    Reconnector(const Reconnector&) = delete;
    Reconnector& operator=(const Reconnector&) = delete;

    // Forgets any earlier history and runs the first attempt now. Also after cancel().
    void start();
    // Attempt `generation` failed, or the connection it opened was lost: the
    // next attempt is scheduled after the backoff's delay, which is returned.
    // nullopt: ignored (stale generation, cancelled) or given up (exhausted()).
    std::optional<std::chrono::milliseconds> on_failure(std::uint64_t generation);
    // Attempt `generation` connected: the backoff starts over.
    void on_success(std::uint64_t generation);
    // Callers are waiting: a scheduled (or the next scheduled) attempt comes
    // within the hurry interval of the last one (ReconnectSchedule::demand).
    void demand();
    // Stops: no attempt runs any more, every generation so far is stale.
    void cancel();

    bool exhausted() const;
    // Consecutive failures since the last success.
    std::size_t failures() const;
    std::uint64_t generation() const;
    // True while `generation` is the attempt under way or connected, not
    // failed, superseded or cancelled.
    bool current(std::uint64_t generation) const;

private:
    struct State;
    std::shared_ptr<State> state_;  // shared with the timer's handler, which may outlive us
};

}  // namespace pgwamp
