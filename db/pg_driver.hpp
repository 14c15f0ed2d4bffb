#pragma once
// The one place that talks to libpq for a connection's socket and protocol
// (STYLE.md habit 2): connect steps, sending a statement + Sync in pipeline
// mode, reading results and notifications. The Driver interface it
// implements is documented in driver.hpp; libpq's headers stay in the .cpp.

#include <string>

#include "db/driver.hpp"

struct pg_conn;

namespace pgwamp::db {

class PgDriver final : public Driver {
public:
    PgDriver() = default;
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

    bool send(const Request& r) override;

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
    bool send_statement(const std::string& sql, const BoundParams& params);
    pg_conn* conn_ = nullptr;
    bool cork_unsupported_ = false;
};

}  // namespace pgwamp::db
