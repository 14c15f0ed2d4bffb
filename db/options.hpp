#pragma once
// Settings of the pool and of single statements. Plain data.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "common/backoff.hpp"
#include "common/value.hpp"
#include "db/commit_position.hpp"
#include "db/pool_limits.hpp"

namespace pgwamp::db {

class TypeRegistry;
class CancelSignal;
class HostResolver;
class Driver;
class LocalSettings;

// Reconnection delays: pgwamp's one backoff (common/backoff.hpp), shared with
// the WAMP client. max_attempts == 0 means retry for ever.
using BackoffOptions = pgwamp::BackoffOptions;

// What the statement log hook sees. Parameter values are only filled in when
// the logger was installed with include_params = true: they may be secrets.
struct StatementLogEntry {
    std::string_view sql;
    std::size_t param_count = 0;
    std::chrono::nanoseconds duration{0};  // from sending to the last result
    std::error_code error;                 // empty on success
    const std::vector<Value>* params = nullptr;
};
using StatementLogger = std::function<void(const StatementLogEntry&)>;

struct PoolOptions : PoolLimits {
    // libpq connection string (keyword/value or URI). Host names in it are
    // resolved off the event loop before libpq sees them (libpq would look
    // them up with a blocking getaddrinfo); several hosts are tried in order.
    std::string conninfo;
    // Resolves those names (db/host_resolver.hpp); null: Boost.Asio's. A
    // test gives a scripted one.
    std::shared_ptr<HostResolver> resolver;
    // min_connections, max_connections, max_queue, grow_after, idle_timeout:
    // PoolLimits (db/pool_limits.hpp).
    std::size_t max_in_flight_per_connection = 16;
    std::chrono::milliseconds statement_timeout{0};  // 0: none; per-call options override
    std::chrono::milliseconds connect_timeout{5000};
    // Statements each connection keeps prepared (LRU, by SQL text and
    // parameter types; db/statement_cache.hpp). 0: every statement is sent
    // unnamed, parsed and planned each time.
    std::size_t prepared_statements = 100;
    BackoffOptions backoff;
    std::shared_ptr<const TypeRegistry> types;  // null: TypeRegistry::defaults()
    // Makes the protocol driver of each connection. Null: libpq. Tests
    // script one to fail a connection at every step (tests/unit/db).
    std::function<std::unique_ptr<Driver>()> driver_factory;
};

// Per call. A zero timeout falls back to the pool's statement_timeout.
struct StatementOptions {
    std::chrono::milliseconds timeout{0};
    std::shared_ptr<CancelSignal> cancel;
    // Run with these SET LOCAL settings (db/local_settings.hpp): a statement
    // in its own implicit transaction, an interaction from its BEGIN on.
    std::shared_ptr<const LocalSettings> local_settings;
    // Use the connection's prepared statements (PoolOptions::
    // prepared_statements). false: unnamed, e.g. for SQL text built per
    // call, which would only churn the cache.
    bool prepare = true;
    // An interaction only: BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY,
    // so every statement sees one snapshot (a live query's rows and the
    // pg_current_snapshot() it is stitched to the stream with).
    bool repeatable_read_only = false;
    // Only reads: a statement runs in a READ ONLY implicit transaction
    // (db/local_settings.hpp with_read_only), an interaction in BEGIN READ
    // ONLY; a write fails with PostgreSQL's 25006. Ignored inside an interaction.
    bool read_only = false;
    // Filled with the primary's WAL position after this statement commits
    // (an interaction: after its COMMIT); db/commit_position.hpp. Null: not asked.
    std::shared_ptr<CommitPosition> commit_position;
};

// Prefer this to StatementOptions{...} inside a co_await expression: GCC 12
// destroys braced temporaries there twice (see db/POOL.md).
inline StatementOptions statement_options(std::chrono::milliseconds timeout,
                                          std::shared_ptr<CancelSignal> cancel = nullptr) {
    StatementOptions o;
    o.timeout = timeout;
    o.cancel = std::move(cancel);
    return o;
}
inline StatementOptions statement_options(std::shared_ptr<CancelSignal> cancel) {
    return statement_options(std::chrono::milliseconds{0}, std::move(cancel));
}

}  // namespace pgwamp::db
