#pragma once
// The one place that talks to libpq for a connection's socket and protocol
// (STYLE.md habit 2): connect steps, sending a statement + Sync in pipeline
// mode, reading results and notifications. The Driver interface it
// implements is documented in driver.hpp; libpq's headers stay in the .cpp.

#include <string>

#include "db/driver.hpp"
#include "db/statement_cache.hpp"

struct pg_conn;
struct pg_result;

namespace pgwamp::db {

class PgDriver final : public Driver {
public:
    // `prepared_statements`: the bound of this connection's statement cache
    // (db/statement_cache.hpp); 0 sends every statement unnamed.
    explicit PgDriver(std::size_t prepared_statements = 0) : cache_(prepared_statements) {}
    ~PgDriver() override { finish(); }
    PgDriver(const PgDriver&) = delete;
    PgDriver& operator=(const PgDriver&) = delete;

    // PQconnectStart / PQconnectPoll. A host=<name> without hostaddr= would
    // make libpq resolve the name with a blocking lookup here: Connection
    // passes a conninfo whose names were resolved (db/host_resolution.hpp).
    Step connect_start(const std::string& conninfo) override;
    Step connect_poll() override;
    bool enter_pipeline() override;

    int socket() const override;
    int backend_pid() const override;
    bool is_bad() const override;
    std::string error_message() const override;  // libpq's last message, trimmed

    bool send(Request& r) override;
    bool send_sync() override;

    // TCP_CORK around a batch of sends: libpq 15 flushes at every Sync, and
    // on loopback each flush costs a full TCP transmit (most of the client's
    // CPU). Corked, a batch goes out as few segments. No-op on Unix sockets.
    void cork(bool on) override;

    Flush flush() override;
    bool consume_input() override;
    Event next_event(Request* head, const TypeRegistry& types) override;
    bool next_notification(Notification& out) override;
    void finish() override;

private:
    // One statement of r's segment, prepared or unnamed as the cache says;
    // `executed` gets the prepared name run (empty: unnamed). The one place
    // that chooses, for the request's statement and any statement sent
    // before it in the same segment.
    bool send_statement(Request& r, const std::string& sql, const BoundParams& p, std::string& executed);
    bool send_close(Request& r, const std::string& name);
    bool send_queued_closes(Request& r);
    // The answer to r's next sent step (a Parse or DEALLOCATE).
    void on_step_result(Request& r, const pg_result* res);
    void on_position_result(Request& r, const pg_result* res);
    void on_stale_plan(Request& r);

    pg_conn* conn_ = nullptr;
    StatementCache cache_;
    // libpq took part of a segment and refused the rest: the pipeline's
    // results no longer match the requests, so the connection is unusable.
    bool desynced_ = false;
    // A read group member's result was taken: its end-of-results NULL is still to come.
    bool terminator_pending_ = false;
    bool cork_unsupported_ = false;
};

}  // namespace pgwamp::db
