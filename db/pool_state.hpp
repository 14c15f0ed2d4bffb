#pragma once
// The pool's decisions as plain data (STYLE.md habit 7, after Boost.MySQL's
// sansio connection pool): which connection takes a statement, when work
// waits and when the queue is full, pinning for interactions, growth,
// closing idle connections, becoming unavailable, and when to try to connect
// again. No I/O and no clock: every input takes `now`, and the answer is a
// list of actions (open, send, pin, close, fail, ...) that PoolCore applies.
// Unit-tested with fake connections and a fake clock
// (tests/unit/dbcore/pool_state_test.cpp).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "common/reconnect_schedule.hpp"
#include "pg/error.hpp"
#include "db/pipeline_view.hpp"
#include "db/pool_limits.hpp"

namespace pgwamp::db {

class PoolState {
public:
    using Ticket = std::uint64_t;  // a statement or interaction that waits

    struct Action {
        enum class Kind {
            open,         // open connection `conn` (then attach() it)
            send,         // hand waiting statement `ticket` to `conn`
            pin,          // give `conn` to waiting interaction `ticket`
            close,        // close `conn` (why: idle, shrunk, unhealthy)
            fail,         // fail waiting `ticket` with `error`
            unavailable,  // the database became unreachable (why)
            recovered,    // a connection succeeded after a failure
            gave_up,      // the backoff's max_attempts are used up: no more attempts
        };
        Kind kind;
        std::size_t conn = 0;
        Ticket ticket = 0;
        Errc error = Errc::closed;
        std::string why;
    };
    using Actions = std::vector<Action>;

    // What an incoming statement or interaction gets at once.
    struct Decision {
        enum class Kind { use, queued, fail } kind;
        std::size_t conn = 0;  // use: the connection (a statement is sent, an interaction pinned)
        Ticket ticket = 0;     // queued: its ticket, answered later by a send/pin/fail action
        Errc error = Errc::closed;  // fail: closed, unavailable or overloaded
    };

    PoolState(PoolLimits limits, pgwamp::BackoffOptions backoff, std::uint64_t seed = 0);

    void start(PoolClock::time_point now, Actions& out);
    // Fails every waiter with `closed` and closes every connection.
    void close(Actions& out);

    Decision statement(PoolClock::time_point now, Actions& out);
    Decision interaction(PoolClock::time_point now, Actions& out);
    // A waiter gave up (canceled, timed out). False: it was not waiting.
    bool withdraw(Ticket ticket);

    // The connection an opening connection is, so decisions can see its
    // pipeline. Call right after applying `open`.
    void attach(std::size_t conn, const PipelineView* view);
    void connected(std::size_t conn, PoolClock::time_point now, Actions& out);
    void connect_failed(std::size_t conn, PoolClock::time_point now, const std::string& why, Actions& out);
    // A ready connection died (its statements were failed by it).
    void lost(std::size_t conn, PoolClock::time_point now, Actions& out);
    // Work ended on `conn` (or a cancel hold-back did): waiters may go on.
    void capacity(std::size_t conn, PoolClock::time_point now, Actions& out);
    // An interaction is done with `conn`; unhealthy closes and replaces it.
    void release(std::size_t conn, bool healthy, PoolClock::time_point now, Actions& out);
    void set_limits(std::size_t min_connections, std::size_t max_connections, PoolClock::time_point now,
                    Actions& out);
    // The timer reached next_wakeup(): a reconnect attempt or an idle close.
    void timer(PoolClock::time_point now, Actions& out);
    std::optional<PoolClock::time_point> next_wakeup() const;

    bool started() const { return started_; }
    bool closed() const { return closed_; }
    bool available() const { return available_ && !closed_; }
    const std::string& unavailable_reason() const { return unavailable_reason_; }
    std::size_t connection_count() const { return members_.size(); }
    std::size_t connecting() const { return connecting_; }
    std::size_t waiting() const { return waiters_.size(); }
    bool pinned(std::size_t conn) const;
    // A reconnect attempt is scheduled later than `now` (or attempts are over).
    bool retry_waiting(PoolClock::time_point now) const;

private:
    struct Member {
        std::size_t id = 0;
        bool ready = false;
        bool pinned = false;
        const PipelineView* view = nullptr;
        PoolClock::time_point idle_since{};
        // Statements handed to it by this turn's actions, which the
        // connection has not seen yet: placement must count them.
        std::size_t assigned = 0;
        std::size_t load() const { return (view ? view->load() : 0) + assigned; }
        bool usable() const { return ready && view && !pinned && view->accepting(); }
    };
    struct Waiter {
        Ticket ticket;
        bool interaction;
    };

    void begin_turn();
    // Closed or unavailable: the answer to new work (asks for a reconnect soon).
    std::optional<Decision> refusal(PoolClock::time_point now);
    Decision enqueue(bool interaction, PoolClock::time_point now, Actions& out);
    bool idle(const Member& m) const;
    Member* find(std::size_t conn);
    const Member* find(std::size_t conn) const;
    void erase(std::size_t conn);
    std::optional<std::size_t> place_statement(PoolClock::time_point now) const;
    std::optional<std::size_t> place_interaction() const;
    void open(PoolClock::time_point now, Actions& out);
    void maintain(PoolClock::time_point now, Actions& out);
    void feed(PoolClock::time_point now, Actions& out);
    void trim(Actions& out);
    void close_idle(PoolClock::time_point now, Actions& out);
    void note_idle(Member& m, PoolClock::time_point now);
    void become_unavailable(const std::string& why, Actions& out);
    void fail_waiters(Errc error, const std::string& why, Actions& out);
    std::optional<PoolClock::time_point> idle_deadline() const;

    PoolLimits limits_;
    ReconnectSchedule reconnect_;
    std::vector<Member> members_;  // ready and connecting
    std::deque<Waiter> waiters_;
    std::size_t connecting_ = 0;
    std::size_t conn_seq_ = 0;
    Ticket ticket_seq_ = 0;
    bool started_ = false;
    bool closed_ = false;
    bool available_ = false;
    bool degraded_ = false;  // lost a connection or failed to connect since the last success
    std::string unavailable_reason_ = "the pool was not started";
};

}  // namespace pgwamp::db
