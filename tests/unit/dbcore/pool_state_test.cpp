// PoolState's decisions, each on its own, with fake connections and a fake
// clock (plain time points): no server, no I/O, no sleeping.

#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "db/pool_state.hpp"

namespace pgwamp::db {
namespace {

using namespace std::chrono_literals;
using Kind = PoolState::Action::Kind;
using DKind = PoolState::Decision::Kind;

// A connection's pipeline as the test sets it.
struct FakePipeline : PipelineView {
    bool accepting_ = true;
    std::size_t load_ = 0;
    std::size_t cap_ = 4;
    std::optional<PoolClock::time_point> oldest_sent;
    bool accepting() const override { return accepting_; }
    std::size_t load() const override { return load_; }
    std::size_t max_in_flight() const override { return cap_; }
    bool stalled(PoolClock::time_point now, PoolClock::duration longer_than) const override {
        return oldest_sent && now - *oldest_sent >= longer_than;
    }
};

class PoolStateTest : public ::testing::Test {
protected:
    PoolClock::time_point t0{std::chrono::hours(1)};
    PoolClock::time_point now = t0;
    PoolState::Actions out;
    std::map<std::size_t, std::unique_ptr<FakePipeline>> pipes;

    static PoolLimits limits(std::size_t min, std::size_t max, std::size_t queue = 100) {
        PoolLimits l;
        l.min_connections = min;
        l.max_connections = max;
        l.max_queue = queue;
        l.grow_after = 5ms;
        l.idle_timeout = 60s;
        return l;
    }
    static pgwamp::BackoffOptions backoff(std::size_t max_attempts = 0) {
        pgwamp::BackoffOptions b;
        b.initial_delay = 100ms;
        b.max_delay = 10s;
        b.factor = 2.0;
        b.jitter = 0.0;
        b.max_attempts = max_attempts;
        return b;
    }

    // Applies `open` actions the way PoolCore does: a pipeline per connection.
    std::vector<PoolState::Action> take(PoolState& s) {
        auto taken = out;
        out.clear();
        for (const auto& a : taken) {
            if (a.kind != Kind::open) continue;
            pipes[a.conn] = std::make_unique<FakePipeline>();
            s.attach(a.conn, pipes[a.conn].get());
        }
        return taken;
    }
    static std::size_t count(const std::vector<PoolState::Action>& as, Kind k) {
        std::size_t n = 0;
        for (const auto& a : as) n += a.kind == k;
        return n;
    }
    static const PoolState::Action* first(const std::vector<PoolState::Action>& as, Kind k) {
        for (const auto& a : as)
            if (a.kind == k) return &a;
        return nullptr;
    }
    // A started pool whose first `n` connections are connected.
    void start_ready(PoolState& s, std::size_t n = 1) {
        s.start(now, out);
        auto opened = take(s);
        ASSERT_EQ(count(opened, Kind::open), n);
        for (const auto& a : opened) s.connected(a.conn, now, out);
        take(s);
    }
};

TEST_F(PoolStateTest, StartOpensMinConnectionsAndAtLeastOne) {
    PoolState s(limits(3, 5), backoff());
    s.start(now, out);
    EXPECT_EQ(count(take(s), Kind::open), 3u);
    s.start(now, out);  // twice: nothing more
    EXPECT_TRUE(out.empty());
    PoolState zero(limits(0, 5), backoff());
    zero.start(now, out);
    EXPECT_EQ(count(take(zero), Kind::open), 1u);
}

TEST_F(PoolStateTest, StatementWaitsForTheFirstConnectionThenIsSentOnIt) {
    PoolState s(limits(1, 4), backoff());
    s.start(now, out);
    auto opened = take(s);
    auto d = s.statement(now, out);
    ASSERT_EQ(d.kind, DKind::queued);
    EXPECT_EQ(count(take(s), Kind::open), 0u) << "one is already opening";
    s.connected(opened[0].conn, now, out);
    auto acts = take(s);
    ASSERT_NE(first(acts, Kind::send), nullptr);
    EXPECT_EQ(first(acts, Kind::send)->ticket, d.ticket);
    EXPECT_EQ(first(acts, Kind::send)->conn, opened[0].conn);
}

TEST_F(PoolStateTest, QuickAnswersPipelineOntoOneConnectionWithoutGrowing) {
    PoolState s(limits(1, 4), backoff());
    start_ready(s);
    auto& p = *pipes.begin()->second;
    auto d = s.statement(now, out);
    EXPECT_EQ(d.kind, DKind::use);
    p.load_ = 1;
    p.oldest_sent = now;  // sent just now: not stalled
    d = s.statement(now + 1ms, out);
    EXPECT_EQ(d.kind, DKind::use);
    EXPECT_EQ(d.conn, pipes.begin()->first);
    EXPECT_TRUE(take(s).empty()) << "no growth while the busy connection answers quickly";
}

TEST_F(PoolStateTest, StalledEverywhereGrowsAndWaitsForTheNewConnection) {
    PoolState s(limits(1, 2), backoff());
    start_ready(s);
    auto& p = *pipes.begin()->second;
    p.load_ = 1;
    p.oldest_sent = now;
    now += 10ms;  // past grow_after
    auto d = s.statement(now, out);
    EXPECT_EQ(d.kind, DKind::queued) << "should not queue behind the slow statement";
    auto acts = take(s);
    ASSERT_EQ(count(acts, Kind::open), 1u);
    s.connected(first(acts, Kind::open)->conn, now, out);
    acts = take(s);
    ASSERT_NE(first(acts, Kind::send), nullptr);
    EXPECT_NE(first(acts, Kind::send)->conn, pipes.begin()->first);
}

TEST_F(PoolStateTest, StalledEverywhereAtMaxUsesTheLeastLoaded) {
    PoolState s(limits(2, 2), backoff());
    start_ready(s, 2);
    auto it = pipes.begin();
    it->second->load_ = 3;
    it->second->oldest_sent = now;
    std::next(it)->second->load_ = 1;
    std::next(it)->second->oldest_sent = now;
    now += 10ms;
    auto d = s.statement(now, out);
    ASSERT_EQ(d.kind, DKind::use);
    EXPECT_EQ(d.conn, std::next(it)->first);
    EXPECT_TRUE(take(s).empty());
}

TEST_F(PoolStateTest, PipelineCapQueuesAndGrows) {
    PoolState s(limits(1, 2), backoff());
    start_ready(s);
    auto& p = *pipes.begin()->second;
    p.load_ = p.cap_;
    p.oldest_sent = now;
    auto d = s.statement(now, out);
    EXPECT_EQ(d.kind, DKind::queued);
    EXPECT_EQ(count(take(s), Kind::open), 1u);
}

TEST_F(PoolStateTest, FullQueueIsOverloaded) {
    PoolState s(limits(1, 1, 2), backoff());
    s.start(now, out);
    take(s);
    EXPECT_EQ(s.statement(now, out).kind, DKind::queued);
    EXPECT_EQ(s.interaction(now, out).kind, DKind::queued);
    auto d = s.statement(now, out);
    EXPECT_EQ(d.kind, DKind::fail);
    EXPECT_EQ(d.error, Errc::overloaded);
    EXPECT_EQ(s.interaction(now, out).error, Errc::overloaded);
    EXPECT_EQ(s.waiting(), 2u);
}

TEST_F(PoolStateTest, FedWaitersCountWhatThisTurnAlreadyGave) {
    PoolState s(limits(1, 1), backoff());
    s.start(now, out);
    auto opened = take(s);
    for (int i = 0; i < 3; ++i) ASSERT_EQ(s.statement(now, out).kind, DKind::queued);
    pipes.begin()->second->cap_ = 2;
    s.connected(opened[0].conn, now, out);
    auto acts = take(s);
    EXPECT_EQ(count(acts, Kind::send), 2u) << "the pipeline cap counts statements handed over in this turn";
    EXPECT_EQ(s.waiting(), 1u);
}

TEST_F(PoolStateTest, InteractionPinsAConnectionStatementsThenAvoid) {
    PoolState s(limits(1, 1), backoff());
    start_ready(s);
    auto conn = pipes.begin()->first;
    auto d = s.interaction(now, out);
    ASSERT_EQ(d.kind, DKind::use);
    EXPECT_EQ(d.conn, conn);
    EXPECT_TRUE(s.pinned(conn));
    auto st = s.statement(now, out);
    EXPECT_EQ(st.kind, DKind::queued) << "a pinned connection takes no other statement";
    auto second = s.interaction(now, out);
    EXPECT_EQ(second.kind, DKind::queued);
    take(s);
    s.release(conn, true, now, out);
    auto acts = take(s);
    // Order kept: the statement first (sent), then the interaction (pinned).
    ASSERT_EQ(acts.size(), 2u);
    EXPECT_EQ(acts[0].kind, Kind::send);
    EXPECT_EQ(acts[0].ticket, st.ticket);
    EXPECT_EQ(acts[1].kind, Kind::pin);
    EXPECT_EQ(acts[1].ticket, second.ticket);
    EXPECT_TRUE(s.pinned(conn));
}

TEST_F(PoolStateTest, UnhealthyReleaseClosesAndReplaces) {
    PoolState s(limits(1, 1), backoff());
    start_ready(s);
    auto conn = pipes.begin()->first;
    ASSERT_EQ(s.interaction(now, out).kind, DKind::use);
    s.release(conn, false, now, out);
    auto acts = take(s);
    ASSERT_NE(first(acts, Kind::close), nullptr);
    EXPECT_EQ(first(acts, Kind::close)->conn, conn);
    ASSERT_NE(first(acts, Kind::open), nullptr);
    EXPECT_NE(first(acts, Kind::open)->conn, conn);
}

TEST_F(PoolStateTest, WithdrawnWaiterIsGone) {
    PoolState s(limits(1, 1), backoff());
    s.start(now, out);
    auto opened = take(s);
    auto d = s.statement(now, out);
    EXPECT_TRUE(s.withdraw(d.ticket));
    EXPECT_FALSE(s.withdraw(d.ticket));
    s.connected(opened[0].conn, now, out);
    EXPECT_EQ(count(take(s), Kind::send), 0u);
}

TEST_F(PoolStateTest, UnreachableDatabaseFailsWaitersAndNewWorkAtOnce) {
    PoolState s(limits(1, 2), backoff());
    s.start(now, out);
    auto opened = take(s);
    auto d = s.statement(now, out);
    s.connect_failed(opened[0].conn, now, "refused", out);
    auto acts = take(s);
    ASSERT_NE(first(acts, Kind::unavailable), nullptr);
    ASSERT_NE(first(acts, Kind::fail), nullptr);
    EXPECT_EQ(first(acts, Kind::fail)->ticket, d.ticket);
    EXPECT_EQ(first(acts, Kind::fail)->error, Errc::unavailable);
    EXPECT_FALSE(s.available());
    EXPECT_EQ(s.unavailable_reason(), "refused");
    EXPECT_EQ(s.statement(now, out).error, Errc::unavailable);
    EXPECT_EQ(s.interaction(now, out).error, Errc::unavailable);
}

TEST_F(PoolStateTest, ReconnectsFirstAtOnceThenWithBackoff) {
    PoolState s(limits(1, 1), backoff());
    s.start(now, out);
    auto opened = take(s);
    s.connect_failed(opened[0].conn, now, "refused", out);
    take(s);
    ASSERT_TRUE(s.next_wakeup());
    EXPECT_EQ(*s.next_wakeup(), now) << "the first retry is at once";
    s.timer(now, out);
    auto acts = take(s);
    ASSERT_EQ(count(acts, Kind::open), 1u);
    EXPECT_FALSE(s.next_wakeup()) << "nothing scheduled while the attempt runs";
    s.connect_failed(first(acts, Kind::open)->conn, now, "refused", out);
    take(s);
    ASSERT_TRUE(s.next_wakeup());
    EXPECT_GT(*s.next_wakeup(), now);
    // Before the wake-up, a timer firing early opens nothing.
    s.timer(now + 1ms, out);
    EXPECT_EQ(count(take(s), Kind::open), 0u);
    now = *s.next_wakeup();
    s.timer(now, out);
    EXPECT_EQ(count(take(s), Kind::open), 1u);
}

TEST_F(PoolStateTest, WaitingCallersBringTheNextAttemptWithin250ms) {
    PoolState s(limits(1, 1), backoff());
    s.start(now, out);
    auto conn = take(s)[0].conn;
    // Fail until the backoff step is long.
    for (int i = 0; i < 8; ++i) {
        s.connect_failed(conn, now, "refused", out);
        take(s);
        now = *s.next_wakeup();
        s.timer(now, out);
        conn = take(s)[0].conn;
    }
    s.connect_failed(conn, now, "refused", out);
    take(s);
    auto last_attempt = now;
    ASSERT_GT(*s.next_wakeup() - last_attempt, 1s) << "the backoff step should be long by now";
    now += 10ms;
    EXPECT_EQ(s.statement(now, out).error, Errc::unavailable) << "calls still fail at once";
    ASSERT_TRUE(s.next_wakeup());
    EXPECT_LE(*s.next_wakeup(), last_attempt + 250ms);
}

TEST_F(PoolStateTest, SuccessAfterFailureIsARecovery) {
    PoolState s(limits(1, 1), backoff());
    s.start(now, out);
    s.connect_failed(take(s)[0].conn, now, "refused", out);
    take(s);
    s.timer(now, out);
    auto conn = take(s)[0].conn;
    s.connected(conn, now, out);
    auto acts = take(s);
    EXPECT_NE(first(acts, Kind::recovered), nullptr);
    EXPECT_TRUE(s.available());
    EXPECT_EQ(s.statement(now, out).kind, DKind::use);
}

TEST_F(PoolStateTest, LostConnectionIsReplacedAtOnce) {
    PoolState s(limits(1, 1), backoff());
    start_ready(s);
    auto conn = pipes.begin()->first;
    s.lost(conn, now, out);
    auto acts = take(s);
    ASSERT_EQ(count(acts, Kind::open), 1u);
    EXPECT_NE(first(acts, Kind::open)->conn, conn);
    EXPECT_TRUE(s.available()) << "work waits for the replacement rather than failing";
    EXPECT_EQ(s.statement(now, out).kind, DKind::queued);
}

TEST_F(PoolStateTest, GivesUpAfterMaxAttempts) {
    // max_attempts counts the retries after the first failure.
    PoolState s(limits(1, 1), backoff(2));
    s.start(now, out);
    s.connect_failed(take(s)[0].conn, now, "refused", out);
    for (int retry = 1; retry <= 2; ++retry) {
        EXPECT_EQ(first(take(s), Kind::gave_up), nullptr) << "retry " << retry;
        ASSERT_TRUE(s.next_wakeup());
        now = *s.next_wakeup();
        s.timer(now, out);
        s.connect_failed(take(s)[0].conn, now, "refused", out);
    }
    EXPECT_NE(first(take(s), Kind::gave_up), nullptr);
    EXPECT_FALSE(s.next_wakeup());
    s.statement(now, out);  // demand does not revive it
    EXPECT_FALSE(s.next_wakeup());
    s.timer(now + 1h, out);
    EXPECT_EQ(count(take(s), Kind::open), 0u);
}

TEST_F(PoolStateTest, IdleConnectionsBeyondMinCloseAfterTheTimeout) {
    PoolState s(limits(1, 3), backoff());
    start_ready(s);
    // Grow to two: the first is stalled.
    auto& p1 = *pipes.begin()->second;
    p1.load_ = 1;
    p1.oldest_sent = now;
    now += 10ms;
    s.statement(now, out);
    auto acts = take(s);
    auto second = first(acts, Kind::open)->conn;
    s.connected(second, now, out);
    take(s);
    p1.load_ = 0;
    p1.oldest_sent.reset();
    s.capacity(pipes.begin()->first, now, out);
    s.capacity(second, now, out);  // its statement answered too
    take(s);
    ASSERT_TRUE(s.next_wakeup());
    EXPECT_EQ(*s.next_wakeup(), now + 60s);
    s.timer(now + 59s, out);
    EXPECT_EQ(count(take(s), Kind::close), 0u);
    s.timer(now + 60s, out);
    acts = take(s);
    EXPECT_EQ(count(acts, Kind::close), 1u) << "one closes, min stays";
    EXPECT_EQ(s.connection_count(), 1u);
    EXPECT_FALSE(s.next_wakeup()) << "at min: no idle check";
}

TEST_F(PoolStateTest, ZeroIdleTimeoutKeepsConnections) {
    auto l = limits(0, 2);
    l.idle_timeout = 0ms;
    PoolState s(l, backoff());
    start_ready(s);
    EXPECT_FALSE(s.next_wakeup());
    s.timer(now + 1h, out);
    EXPECT_EQ(count(take(s), Kind::close), 0u);
}

TEST_F(PoolStateTest, SetLimitsShrinksIdleAndGrows) {
    PoolState s(limits(3, 3), backoff());
    start_ready(s, 3);
    auto it = pipes.begin();
    it->second->load_ = 1;  // busy: closed only once idle
    s.set_limits(1, 1, now, out);
    auto acts = take(s);
    EXPECT_EQ(count(acts, Kind::close), 2u);
    EXPECT_EQ(s.connection_count(), 1u);
    s.set_limits(2, 4, now, out);
    EXPECT_EQ(count(take(s), Kind::open), 1u);
}

TEST_F(PoolStateTest, CapacityBeyondMaxTrimsTheIdleConnection) {
    PoolState s(limits(2, 2), backoff());
    start_ready(s, 2);
    auto it = pipes.begin();
    it->second->load_ = 1;
    std::next(it)->second->load_ = 1;
    s.set_limits(1, 1, now, out);
    EXPECT_EQ(count(take(s), Kind::close), 0u) << "both busy";
    it->second->load_ = 0;
    s.capacity(it->first, now, out);
    auto acts = take(s);
    ASSERT_EQ(count(acts, Kind::close), 1u);
    EXPECT_EQ(first(acts, Kind::close)->conn, it->first);
}

TEST_F(PoolStateTest, CloseFailsWaitersAndClosesEverything) {
    PoolState s(limits(2, 2), backoff());
    start_ready(s, 2);
    ASSERT_EQ(s.interaction(now, out).kind, DKind::use);
    ASSERT_EQ(s.interaction(now, out).kind, DKind::use);
    auto waiting = s.statement(now, out);
    ASSERT_EQ(waiting.kind, DKind::queued);
    take(s);
    s.close(out);
    auto acts = take(s);
    EXPECT_EQ(count(acts, Kind::close), 2u);
    ASSERT_NE(first(acts, Kind::fail), nullptr);
    EXPECT_EQ(first(acts, Kind::fail)->error, Errc::closed);
    EXPECT_EQ(s.statement(now, out).error, Errc::closed);
    EXPECT_FALSE(s.next_wakeup());
}

TEST_F(PoolStateTest, HoldingConnectionTakesNothingNew) {
    PoolState s(limits(1, 1), backoff());
    start_ready(s);
    pipes.begin()->second->accepting_ = false;  // holding sends back for a cancel
    auto d = s.statement(now, out);
    EXPECT_EQ(d.kind, DKind::queued);
    pipes.begin()->second->accepting_ = true;
    s.capacity(pipes.begin()->first, now, out);
    EXPECT_EQ(count(take(s), Kind::send), 1u);
}

}  // namespace
}  // namespace pgwamp::db
