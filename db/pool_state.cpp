#include "db/pool_state.hpp"

#include <algorithm>

namespace pgwamp::db {

using Kind = PoolState::Action::Kind;

PoolState::PoolState(PoolLimits limits, pgwamp::BackoffOptions backoff, std::uint64_t seed)
    : limits_(limits), reconnect_(backoff, std::chrono::milliseconds(250), seed) {
    limits_.max_connections = std::max<std::size_t>(limits_.max_connections, 1);
    limits_.min_connections = std::min(limits_.min_connections, limits_.max_connections);
}

// ---- members ---------------------------------------------------------------

PoolState::Member* PoolState::find(std::size_t conn) {
    for (auto& m : members_)
        if (m.id == conn) return &m;
    return nullptr;
}

const PoolState::Member* PoolState::find(std::size_t conn) const {
    for (const auto& m : members_)
        if (m.id == conn) return &m;
    return nullptr;
}

void PoolState::erase(std::size_t conn) {
    members_.erase(std::remove_if(members_.begin(), members_.end(), [conn](const Member& m) { return m.id == conn; }),
                   members_.end());
}

bool PoolState::pinned(std::size_t conn) const {
    const Member* m = find(conn);
    return m && m->pinned;
}

bool PoolState::retry_waiting(PoolClock::time_point now) const {
    if (reconnect_.exhausted()) return true;
    auto next = reconnect_.next_attempt();
    return next && now < *next;
}

void PoolState::begin_turn() {
    for (auto& m : members_) m.assigned = 0;
}

void PoolState::open(PoolClock::time_point now, Actions& out) {
    members_.push_back(Member{++conn_seq_});
    ++connecting_;
    reconnect_.attempt_started(now);
    out.push_back({Kind::open, conn_seq_});
}

void PoolState::attach(std::size_t conn, const PipelineView* view) {
    if (Member* m = find(conn)) m->view = view;
}

// ---- start and close -------------------------------------------------------

void PoolState::start(PoolClock::time_point now, Actions& out) {
    if (started_ || closed_) return;
    started_ = true;
    available_ = true;  // optimistic: work queues while the first connections open
    for (std::size_t i = 0; i < std::max<std::size_t>(limits_.min_connections, 1); ++i) open(now, out);
}

void PoolState::close(Actions& out) {
    if (closed_) return;
    closed_ = true;
    available_ = false;
    fail_waiters(Errc::closed, "pool closed", out);
    for (const auto& m : members_) out.push_back({Kind::close, m.id, 0, Errc::closed, "pool closed"});
    members_.clear();
    connecting_ = 0;
}

// ---- work --------------------------------------------------------------------

std::optional<PoolState::Decision> PoolState::refusal(PoolClock::time_point now) {
    if (closed_) return Decision{Decision::Kind::fail, 0, 0, Errc::closed};
    if (available_) return std::nullopt;
    // Fail fast, but try again soon: callers are waiting for the database.
    reconnect_.demand(now);
    return Decision{Decision::Kind::fail, 0, 0, Errc::unavailable};
}

PoolState::Decision PoolState::enqueue(bool interaction, PoolClock::time_point now, Actions& out) {
    if (waiters_.size() >= limits_.max_queue) return {Decision::Kind::fail, 0, 0, Errc::overloaded};
    waiters_.push_back({++ticket_seq_, interaction});
    maintain(now, out);
    return {Decision::Kind::queued, 0, ticket_seq_};
}

PoolState::Decision PoolState::statement(PoolClock::time_point now, Actions& out) {
    begin_turn();
    if (auto refused = refusal(now)) return *refused;
    if (waiters_.empty()) {
        if (auto conn = place_statement(now)) {
            Member* m = find(*conn);
            bool was_idle = m->load() == 0;
            ++m->assigned;
            if (!was_idle) maintain(now, out);  // may be stalled everywhere: grow toward max
            return {Decision::Kind::use, *conn};
        }
    }
    return enqueue(false, now, out);
}

PoolState::Decision PoolState::interaction(PoolClock::time_point now, Actions& out) {
    begin_turn();
    if (auto refused = refusal(now)) return *refused;
    if (waiters_.empty()) {
        if (auto conn = place_interaction()) {
            find(*conn)->pinned = true;
            return {Decision::Kind::use, *conn};
        }
    }
    return enqueue(true, now, out);
}

bool PoolState::withdraw(Ticket ticket) {
    auto it = std::find_if(waiters_.begin(), waiters_.end(), [ticket](const Waiter& w) { return w.ticket == ticket; });
    if (it == waiters_.end()) return false;
    waiters_.erase(it);
    return true;
}

std::optional<std::size_t> PoolState::place_statement(PoolClock::time_point now) const {
    // An idle connection first, else the least loaded one under its cap that
    // is not stalled behind a slow statement, else the least loaded one.
    const Member* best = nullptr;
    bool best_stalled = true;
    for (const auto& m : members_) {
        if (!m.usable() || m.load() >= m.view->max_in_flight()) continue;
        if (m.load() == 0) return m.id;
        bool stalled = m.view->stalled(now, limits_.grow_after);
        if (!best || (best_stalled && !stalled) || (stalled == best_stalled && m.load() < best->load())) {
            best = &m;
            best_stalled = stalled;
        }
    }
    if (!best) return std::nullopt;
    if (!best_stalled) return best->id;
    // Every candidate is stuck behind a slow statement: rather than queue
    // behind it too, wait for a connection that is opening or can be opened.
    bool another_coming = connecting_ > 0 || (members_.size() < limits_.max_connections && !retry_waiting(now));
    if (another_coming) return std::nullopt;
    return best->id;
}

std::optional<std::size_t> PoolState::place_interaction() const {
    const Member* best = nullptr;
    for (const auto& m : members_) {
        if (!m.usable()) continue;
        if (m.load() == 0) return m.id;
        if (!best || m.load() < best->load()) best = &m;
    }
    if (!best) return std::nullopt;
    return best->id;
}

void PoolState::feed(PoolClock::time_point now, Actions& out) {
    while (!waiters_.empty()) {
        const Waiter w = waiters_.front();
        auto conn = w.interaction ? place_interaction() : place_statement(now);
        if (!conn) return;
        waiters_.pop_front();
        Member* m = find(*conn);
        if (w.interaction) {
            m->pinned = true;
            out.push_back({Kind::pin, *conn, w.ticket});
        } else {
            ++m->assigned;  // not on the connection yet: count it for the next placement
            out.push_back({Kind::send, *conn, w.ticket});
        }
    }
}

void PoolState::fail_waiters(Errc error, const std::string& why, Actions& out) {
    for (const auto& w : waiters_) out.push_back({Kind::fail, 0, w.ticket, error, why});
    waiters_.clear();
}

// ---- connections ---------------------------------------------------------------

void PoolState::connected(std::size_t conn, PoolClock::time_point now, Actions& out) {
    begin_turn();
    Member* m = find(conn);
    if (!m || m->ready || closed_) return;
    --connecting_;
    m->ready = true;
    m->idle_since = now;
    reconnect_.succeeded();
    available_ = true;
    if (degraded_) out.push_back({Kind::recovered, conn});
    degraded_ = false;
    feed(now, out);
    maintain(now, out);
    if (Member* again = find(conn)) note_idle(*again, now);  // nothing waited for it: it may never see work
}

void PoolState::connect_failed(std::size_t conn, PoolClock::time_point now, const std::string& why, Actions& out) {
    begin_turn();
    Member* m = find(conn);
    if (!m || m->ready || closed_) return;
    --connecting_;
    erase(conn);
    degraded_ = true;
    bool any_ready = std::any_of(members_.begin(), members_.end(), [](const Member& x) { return x.ready; });
    if (!any_ready) become_unavailable(why, out);  // unreachable: fail fast, do not queue
    bool was_exhausted = reconnect_.exhausted();
    reconnect_.failed(now);
    if (reconnect_.exhausted() && !was_exhausted) out.push_back({Kind::gave_up, 0, 0, Errc::unavailable, why});
}

void PoolState::become_unavailable(const std::string& why, Actions& out) {
    if (available_) out.push_back({Kind::unavailable, 0, 0, Errc::unavailable, why});
    available_ = false;
    unavailable_reason_ = why;
    fail_waiters(Errc::unavailable, why, out);
}

void PoolState::lost(std::size_t conn, PoolClock::time_point now, Actions& out) {
    begin_turn();
    Member* m = find(conn);
    if (!m || closed_) return;
    if (!m->ready) --connecting_;
    erase(conn);
    degraded_ = true;
    maintain(now, out);
}

void PoolState::capacity(std::size_t conn, PoolClock::time_point now, Actions& out) {
    begin_turn();
    if (closed_) return;
    if (!waiters_.empty()) feed(now, out);
    if (Member* m = find(conn)) note_idle(*m, now);
    if (members_.size() > limits_.max_connections) trim(out);
}

void PoolState::release(std::size_t conn, bool healthy, PoolClock::time_point now, Actions& out) {
    begin_turn();
    Member* m = find(conn);
    if (!m || closed_) return;
    m->pinned = false;
    if (!healthy) {
        out.push_back({Kind::close, conn, 0, Errc::closed, "connection closed after a failed ROLLBACK"});
        erase(conn);
        maintain(now, out);
    }
    feed(now, out);
    trim(out);
    if (healthy)
        if (Member* again = find(conn)) note_idle(*again, now);
}

void PoolState::set_limits(std::size_t min_connections, std::size_t max_connections, PoolClock::time_point now,
                           Actions& out) {
    begin_turn();
    limits_.max_connections = std::max<std::size_t>(max_connections, 1);
    limits_.min_connections = std::min(min_connections, limits_.max_connections);
    if (closed_) return;
    trim(out);
    maintain(now, out);
    feed(now, out);
}

void PoolState::maintain(PoolClock::time_point now, Actions& out) {
    if (closed_ || !started_ || retry_waiting(now)) return;
    std::size_t want = std::max<std::size_t>(limits_.min_connections, 1);
    while (members_.size() < want) open(now, out);
    // Grow by one at a time while work waits (every connection pinned or at
    // its pipeline cap) or every connection is stalled behind a slow
    // statement. A connection that answers quickly takes more pipelined work.
    if (members_.size() < limits_.max_connections && connecting_ == 0) {
        bool spare = std::any_of(members_.begin(), members_.end(), [&](const Member& m) {
            return m.usable() && !m.view->stalled(now, limits_.grow_after);
        });
        if (!waiters_.empty() || !spare) open(now, out);
    }
}

void PoolState::trim(Actions& out) {
    if (closed_) return;
    for (std::size_t i = 0; i < members_.size() && members_.size() > limits_.max_connections;) {
        const Member& m = members_[i];
        if (m.ready && !m.pinned && m.load() == 0) {
            out.push_back({Kind::close, m.id, 0, Errc::closed, "pool shrunk"});
            members_.erase(members_.begin() + static_cast<std::ptrdiff_t>(i));
        } else {
            ++i;
        }
    }
}

// ---- idle connections and the timer --------------------------------------------

void PoolState::note_idle(Member& m, PoolClock::time_point now) {
    if (m.load() == 0 && !m.pinned) m.idle_since = now;
}

bool PoolState::idle(const Member& m) const { return m.ready && !m.pinned && m.load() == 0; }

std::optional<PoolClock::time_point> PoolState::idle_deadline() const {
    if (limits_.idle_timeout.count() <= 0 || members_.size() <= limits_.min_connections) return std::nullopt;
    std::optional<PoolClock::time_point> first;
    for (const auto& m : members_) {
        if (!idle(m)) continue;
        auto due = m.idle_since + limits_.idle_timeout;
        if (!first || due < *first) first = due;
    }
    return first;
}

void PoolState::close_idle(PoolClock::time_point now, Actions& out) {
    if (limits_.idle_timeout.count() <= 0) return;
    for (std::size_t i = 0; i < members_.size() && members_.size() > limits_.min_connections;) {
        const Member& m = members_[i];
        if (idle(m) && now - m.idle_since >= limits_.idle_timeout) {
            std::string why = "idle for " + std::to_string(limits_.idle_timeout.count()) + " ms";
            out.push_back({Kind::close, m.id, 0, Errc::closed, std::move(why)});
            members_.erase(members_.begin() + static_cast<std::ptrdiff_t>(i));
        } else {
            ++i;
        }
    }
}

std::optional<PoolClock::time_point> PoolState::next_wakeup() const {
    if (closed_) return std::nullopt;
    std::optional<PoolClock::time_point> next;
    if (!reconnect_.exhausted()) next = reconnect_.next_attempt();
    if (auto idle = idle_deadline(); idle && (!next || *idle < *next)) next = idle;
    return next;
}

void PoolState::timer(PoolClock::time_point now, Actions& out) {
    begin_turn();
    if (closed_) return;
    close_idle(now, out);
    maintain(now, out);  // opens what a due reconnect attempt should
}

}  // namespace pgwamp::db
