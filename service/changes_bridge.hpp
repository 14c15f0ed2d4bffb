#pragma once
// Row changes (db::ChangeStream) → WAMP events, nothing lost.
//
// Each change of a configured table becomes one event on the table's topic,
// published with acknowledge: true; the change is acknowledged to the stream
// (so the slot may move past it) only once the router answered PUBLISHED. A
// publish that fails restarts the stream from the slot, which sends again
// everything not acknowledged, with the same positions; subscribers drop
// duplicates by position. The stream runs only while the WAMP session is
// joined: without a router nothing could be made safe.
//
// Event: args [], kwargs {op, table ("schema.table"), new, old, position,
// commit_time}; `new`/`old` as db::RowChange says, limited to the table's
// configured columns, null when absent.
//
// Replay: every process keeps the last `history` events per topic
// (ChangeHistory) — the consumer from its acknowledgements, the others from
// their own subscription, so a process that takes over the slot has them —
// and the slot's consumer serves replay(topic, after[, limit]) →
// {events: [...], more}, or pgwamp.error.history_truncated when `after` is
// older than what is kept. Only the consumer registers it (while it
// consumes): a process that was cut off from the router may have missed
// events, and must not answer as if it had not. Every process serves
// status() → {state, reason, slot, ...}: whether changes are on, and why not.

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>

#include <boost/asio/steady_timer.hpp>

#include "config/config.hpp"
#include "changes/change_stream.hpp"
#include "db/pool.hpp"
#include "service/call_context.hpp"
#include "service/change_history.hpp"
#include "wamp/client.hpp"

namespace pgwamp::service {

class LiveQueries;
class Metrics;

class ChangesBridge {
public:
    ChangesBridge(boost::asio::io_context& io, db::Pool& pool, wamp::Client& client, const config::ChangesConfig& config,
                  db::ChangeStreamOptions stream_options, CallTracker& tracker, wamp::RegisterOptions register_options);
    ~ChangesBridge();

    // Subscribes to the topics (for replay history), provides status; the
    // stream follows the session.
    void start();
    void stop();
    void on_router_state(wamp::ClientState state);

    std::uint64_t published() const { return published_; }
    // For metrics and readiness.
    db::StreamState stream_state() const;
    const std::string& stream_reason() const;
    std::size_t unacknowledged() const;
    std::int64_t lag_bytes() const { return lag_bytes_; }
    void set_metrics(Metrics& metrics) { metrics_ = &metrics; }
    // Live queries follow the changes from here, in commit order (service/live_queries.hpp).
    void set_live(LiveQueries& live) { live_ = &live; }
    const ChangeHistory* history(const std::string& topic) const;
    std::size_t live_calls() const;

private:
    // A change whose events the router acknowledged, or a live query's
    // fence, handled in stream order (acknowledgements may come back in
    // another order when a change has several audiences).
    struct InOrder {
        bool complete = false;
        std::string fence;  // a fence's content; empty for a change
        std::string position;
        std::string table, topic;
        std::uint32_t xid = 0;
        Object kept;  // the whole change, for the replay history
        Audience old_row = Audience::everyone(), new_row = Audience::everyone();
        db::ChangeTicket ticket;
    };
    void on_change(db::RowChange change);
    void drain_in_order();
    void on_stream_state(db::StreamState state, const std::string& reason);
    void on_event(const std::string& topic, const wamp::Event& event);
    void serve_replay(wamp::Invocation call);
    void serve_status(wamp::Invocation call);
    void offer_replay(bool consuming);
    Object status() const;
    void log_lag();

    db::Pool& pool_;
    wamp::Client& client_;
    const config::ChangesConfig& config_;
    CallTracker& tracker_;
    wamp::RegisterOptions register_options_;
    std::shared_ptr<db::ChangeStream> stream_;
    std::map<std::string, ChangeHistory> histories_;  // by topic
    std::deque<std::shared_ptr<InOrder>> in_order_;
    LiveQueries* live_ = nullptr;
    boost::asio::steady_timer lag_timer_;
    bool joined_ = false;
    bool consumed_before_ = true;  // at the first join nobody has a head start
    std::chrono::milliseconds retry_interval_;
    bool stopped_ = false;
    std::int64_t lag_bytes_ = -1;  // the slot's distance from the server's WAL end; -1: unknown
    std::uint64_t published_ = 0;
    std::uint64_t failed_ = 0;
    Metrics* metrics_ = nullptr;
};

}  // namespace pgwamp::service
