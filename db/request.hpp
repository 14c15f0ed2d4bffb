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

#include "db/deadline_queue.hpp"
#include "db/error.hpp"
#include "db/params.hpp"
#include "db/result.hpp"

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
    // Sent just before the statement, ahead of the same Sync; its failure is
    // the statement's error (the statement itself is then skipped).
    std::shared_ptr<const LocalSettings> local_settings;
    bool local_settings_answered = false;  // the driver read their result

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
};

using RequestPtr = std::shared_ptr<Request>;

}  // namespace pgwamp::db
