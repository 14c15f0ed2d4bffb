#pragma once
// One statement on its way through the pool and a connection: what to send,
// where its answer goes, and what the server answered. Internal to db/.

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "db/commit_position.hpp"
#include "db/deadline_queue.hpp"
#include "pg/error.hpp"
#include "pg/params.hpp"
#include "pg/result.hpp"

namespace pgwamp::db {

class CancelSignal;
class Connection;
class LocalSettings;

enum class RequestKind {
    query,    // rows wanted: the result is cast into Values
    execute,  // only the affected-row count (and command tag) wanted
};

struct Request {
    RequestKind kind = RequestKind::query;
    std::string sql;
    BoundParams bound;
    std::vector<Value> params;  // kept only when the statement logger asked for values
    // Sent just before the statement, ahead of the same Sync (a `settings`
    // step); its failure is the statement's error (the statement itself is
    // then skipped).
    std::shared_ptr<const LocalSettings> local_settings;

    // Read groups (db/POOL.md "Read groups"): a read_only statement outside
    // a transaction may share its implicit transaction and its Sync with the
    // read_only statements sent right after it that run with the same local
    // settings, so a batch of reads is one write to the socket.
    // `read_group`: it may join one (set by the pool). `shares_sync`: sent
    // without a Sync, a later member carries it. `group_follower`: sent after
    // a member that shares its Sync, so without the settings step (the
    // group's first sent them for all). `aborted_in_group`: a neighbour's
    // failure skipped it (PIPELINE_ABORTED): it never ran and is sent again.
    bool read_group = false;
    bool shares_sync = false;
    bool group_follower = false;
    bool aborted_in_group = false;

    // Prepared statements (db/statement_cache.hpp). `prepare`: may use the
    // connection's cache (StatementOptions::prepare). `in_transaction`: part
    // of an explicit transaction, where a failed statement may have had
    // effects on the transaction, so a stale plan is never retried.
    bool prepare = false;
    bool in_transaction = false;
    // What the driver sent in this request's pipeline segment besides the
    // statement, in order, whose results come before the statement's
    // (DEALLOCATE of evicted names, the Parse of the statement, the local
    // settings' set_config).
    struct SentStep {
        enum class Kind { close, parse, settings } kind;
        std::string name;
    };
    std::vector<SentStep> steps;
    std::size_t steps_done = 0;
    // Read-your-writes (db/commit_position.hpp): a second segment after the
    // statement's Sync reads the WAL insert position into this sink.
    std::shared_ptr<CommitPosition> commit_position;
    enum class PositionStep { none, sent, statement_synced } position_step = PositionStep::none;
    std::string statement_name;  // the prepared statement executed; empty: unnamed
    // A stale cached plan (0A000) outside a transaction: the statement did
    // not run; the connection sends it once more, re-prepared.
    bool retry_stale_plan = false;
    bool retried = false;

    // Called exactly once, through finish(). Every completion given to a
    // Request posts its handler, so finish() never runs caller code inline.
    std::function<void(std::exception_ptr, Result)> complete;

    // Filled in by the driver when the statement's result arrives; delivered
    // when its pipeline sync point arrives.
    bool has_outcome = false;
    std::exception_ptr error;
    Result result;
    std::string command_status;  // PQcmdStatus, e.g. "COMMIT" or "ROLLBACK"
    // When set, finish() copies command_status here first: a COMMIT of an
    // aborted transaction succeeds with the tag "ROLLBACK", and only the tag
    // says so.
    std::shared_ptr<std::string> status_sink;

    // Cancellation: reason is Errc::canceled or Errc::timeout once asked.
    bool cancel_requested = false;
    bool cancel_sent = false;  // the server was asked to cancel it
    int cancel_attempts = 0;
    Errc cancel_reason = Errc::canceled;
    std::shared_ptr<CancelSignal> signal;
    std::uint64_t signal_slot = 0;
    std::shared_ptr<DeadlineQueue> deadlines;  // where `deadline` is armed, if it is
    DeadlineQueue::Handle deadline;

    std::uint64_t ticket = 0;               // while it waits for a connection (PoolState)
    std::weak_ptr<Connection> connection;  // set once handed to a connection
    std::chrono::steady_clock::time_point sent_at;
    bool finished = false;

    // Delivers the outcome once; later calls are ignored. Drops the deadline and
    // detaches the cancel signal so neither outlives the statement.
    void finish(std::exception_ptr e, Result r = {});
    void finish_with_outcome() { finish(error, std::move(result)); }
    // Forgets what the server answered so the request can be sent again
    // (a stale plan, retry_stale_plan); marks it retried.
    void reset_for_retry();
};

using RequestPtr = std::shared_ptr<Request>;

}  // namespace pgwamp::db
