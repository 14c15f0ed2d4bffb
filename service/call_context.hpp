#pragma once
// What every procedure does around its SQL: tie the caller's INTERRUPT to a
// db::CancelSignal, apply the timeout, count the call for graceful shutdown,
// and answer exactly once through the one error mapping.

#include <chrono>
#include <exception>
#include <functional>
#include <optional>
#include <memory>

#include "common/value.hpp"
#include "config/config.hpp"
#include "db/cancel_signal.hpp"
#include "db/local_settings.hpp"
#include "db/options.hpp"
#include "pg/wal_position.hpp"
#include "wamp/invocation.hpp"

namespace pgwamp::db {
class Pool;
}

namespace pgwamp::service {

class ReadRouting;

// Counts calls in flight so shutdown can wait for them (bounded by a grace period).
class CallTracker {
public:
    void begin() { ++running_; }
    void end() { --running_; }
    std::size_t running() const { return running_; }
    bool draining = false;  // set at shutdown: new calls are refused

private:
    std::size_t running_ = 0;
};

class CallContext : public std::enable_shared_from_this<CallContext> {
public:
    // `timeout`: the procedure's deadline; the caller's, when smaller, wins.
    CallContext(wamp::Invocation call, CallTracker& tracker, std::chrono::milliseconds timeout);
    ~CallContext();
    CallContext(const CallContext&) = delete;
    CallContext& operator=(const CallContext&) = delete;

    // Options for every statement of this call: its cancel signal, timeout,
    // and whom it runs as (the caller, for an as_caller procedure).
    db::StatementOptions statement_options() const {
        db::StatementOptions o{timeout_, cancel_, local_settings_};
        o.commit_position = commit_position_;
        // A READ ONLY transaction, on a standby too: the reads of one turn
        // then share a Sync (db/POOL.md "Read groups").
        o.read_only = read_only_;
        return o;
    }
    // Run this call's statements as someone (service/caller_access.hpp).
    void run_as(std::shared_ptr<const db::LocalSettings> settings) { local_settings_ = std::move(settings); }
    const wamp::Invocation& call() const { return call_; }
    std::chrono::milliseconds timeout() const { return timeout_; }
    const std::shared_ptr<db::CancelSignal>& cancel_signal() const { return cancel_; }
    // A progressive result (the caller asked for them): false when it could
    // not be sent. Octets queued toward the router, for back-pressure.
    bool progress(Array args, Object kwargs = {}) { return call_.progress(std::move(args), std::move(kwargs)); }
    std::size_t send_backlog() const { return call_.send_backlog(); }
    std::size_t max_send_size() const { return call_.max_send_size(); }
    bool interrupted() const { return call_.interrupted(); }

    // Reads and writes (service/read_routing.hpp). A write's statements
    // report their commit position, filed under the caller's session when
    // the call ends. A read-only call (`read_only`, a procedure's
    // "read_only") runs where read(...) says.
    void use_read_routing(ReadRouting& routing, bool read_only);
    // Runs `run` (posted) with the pool this read-only call reads from: a
    // standby that has replayed the caller's writes and `requested` (the
    // caller's "pgwamp.after"), else the primary. Marks the call read-only.
    void read(std::optional<db::WalPosition> requested, std::function<void(db::Pool&)> run);
    // After a read on a standby failed because the standby is unavailable
    // (down, lost, overloaded): runs `run` again on the primary and returns
    // true. A read-only statement may run twice. False otherwise: fail the call.
    bool read_again_on_primary(std::exception_ptr error, std::function<void(db::Pool&)> run);
    bool on_standby() const { return on_standby_; }

    // How much of a PostgreSQL error this call's caller sees (default: the code only).
    void show_sql_errors(config::SqlErrorText text) { sql_error_text_ = text; }

    void reply(Value result);
    void fail(std::exception_ptr error);

private:
    wamp::Invocation call_;
    CallTracker& tracker_;
    std::chrono::milliseconds timeout_;
    std::shared_ptr<db::CancelSignal> cancel_ = std::make_shared<db::CancelSignal>();
    std::shared_ptr<const db::LocalSettings> local_settings_;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    config::SqlErrorText sql_error_text_ = config::SqlErrorText::code;
    ReadRouting* routing_ = nullptr;
    std::shared_ptr<db::CommitPosition> commit_position_;  // writes, with standbys
    bool read_only_ = false;
    bool on_standby_ = false;

    void file_writes();
};

// The smaller of a procedure's deadline and the caller's own (the WAMP
// `timeout` call option, which the router passes on in milliseconds); zero
// means none for either.
std::chrono::milliseconds effective_timeout(std::chrono::milliseconds procedure, std::chrono::milliseconds caller);

class CallerAccess;

// Starts a call, or answers it at once (and returns null): with
// error_uri::unavailable while shutting down, with wamp.error.not_authorized
// when `access` refuses the caller. Otherwise the call runs as `access` says.
std::shared_ptr<CallContext> begin_call(wamp::Invocation call, CallTracker& tracker,
                                        std::chrono::milliseconds timeout, const CallerAccess* access = nullptr);

}  // namespace pgwamp::service
