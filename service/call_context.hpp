#pragma once
// What every procedure does around its SQL: tie the caller's INTERRUPT to a
// db::CancelSignal, apply the timeout, count the call for graceful shutdown,
// and answer exactly once through the one error mapping.

#include <chrono>
#include <exception>
#include <memory>

#include "common/value.hpp"
#include "config/config.hpp"
#include "db/cancel_signal.hpp"
#include "db/local_settings.hpp"
#include "db/options.hpp"
#include "wamp/invocation.hpp"

namespace pgwamp::service {

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

class CallContext {
public:
    // `timeout`: the procedure's deadline; the caller's, when smaller, wins.
    CallContext(wamp::Invocation call, CallTracker& tracker, std::chrono::milliseconds timeout);
    ~CallContext();
    CallContext(const CallContext&) = delete;
    CallContext& operator=(const CallContext&) = delete;

    // Options for every statement of this call: its cancel signal, timeout,
    // and whom it runs as (the caller, for an as_caller procedure).
    db::StatementOptions statement_options() const { return {timeout_, cancel_, local_settings_}; }
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
