#pragma once
// runInteraction: a body runs inside BEGIN ... COMMIT on one pinned
// connection and its value is the interaction's result. An error or
// exception in the body rolls back and is returned as is (a non-db exception
// as Errc::interaction_failed); a failed COMMIT is rolled back and its error
// returned; a failed ROLLBACK gives Errc::rollback_failed carrying the
// original error, and that connection is closed and replaced. Canceling (or
// the interaction's timeout) cancels the running statement, fails the
// body's later statements at once, and always ends in ROLLBACK, without
// waiting for the body to return.

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include <utility>  // before awaitable.hpp: Boost 1.74 uses std::exchange without it

#include <boost/asio/awaitable.hpp>

#include "common/value.hpp"
#include "db/deadline_queue.hpp"
#include "db/options.hpp"
#include "db/request.hpp"
#include "db/transaction.hpp"

namespace pgwamp::db {

class PoolCore;
class Connection;

using InteractionDone = std::function<void(std::exception_ptr, Value)>;
// txpostgres/Deferred style: call `done` exactly once (later calls are ignored).
using CallbackInteraction = std::function<void(Transaction&, InteractionDone done)>;
// inlineCallbacks style: co_return the value, or throw.
using CoroutineInteraction = std::function<boost::asio::awaitable<Value>(Transaction&)>;

namespace detail {

class InteractionRun : public std::enable_shared_from_this<InteractionRun> {
public:
    using Body = std::variant<CallbackInteraction, CoroutineInteraction>;

    InteractionRun(std::shared_ptr<PoolCore> core, Body body, StatementOptions options,
                   std::function<void(std::exception_ptr, Value)> complete);
    void start();

    // Transaction's statements.
    void statement(RequestKind kind, std::string sql, std::vector<Value> params, StatementOptions options,
                   std::function<void(std::exception_ptr, Result)> complete);
    const boost::asio::any_io_executor& executor() const;

private:
    enum class Phase { acquiring, beginning, body, ending, done };

    void on_pinned(std::exception_ptr e, std::shared_ptr<Connection> c);
    void run_body();
    void on_body_done(std::exception_ptr e, Value v);
    void commit(Value v);
    void rollback_then_fail(std::exception_ptr original);
    void cancel(Errc reason);
    void begun();  // BEGIN (and the local settings) done: the body may run
    void exec(const char* sql, std::function<void(std::exception_ptr, Result)> then,
              std::shared_ptr<std::string> status = nullptr, std::shared_ptr<CommitPosition> position = nullptr);
    // No timeout, no cancel: transaction control and settings must run.
    void exec(std::string sql, BoundParams bound, std::function<void(std::exception_ptr, Result)> then,
              std::shared_ptr<std::string> status = nullptr, std::shared_ptr<CommitPosition> position = nullptr);
    void finish(std::exception_ptr e, Value v = {});
    std::exception_ptr cancel_error() const;

    std::shared_ptr<PoolCore> core_;
    Body body_;
    StatementOptions options_;
    std::function<void(std::exception_ptr, Value)> complete_;
    Transaction tx_;
    std::shared_ptr<Connection> conn_;
    Phase phase_ = Phase::acquiring;
    std::uint64_t ticket_ = 0;
    bool canceled_ = false;
    Errc cancel_reason_ = Errc::canceled;
    bool body_done_ = false;
    std::exception_ptr last_statement_error_;
    std::vector<std::weak_ptr<Request>> running_;
    DeadlineQueue::Handle deadline_;
    std::uint64_t signal_slot_ = 0;
    std::uint64_t close_slot_ = 0;
    // The run owns itself from start() to finish(): nothing else may hold it
    // (a callback body can drop `done`), yet its timeout must still fire.
    std::shared_ptr<InteractionRun> keep_alive_;
};

}  // namespace detail
}  // namespace pgwamp::db
