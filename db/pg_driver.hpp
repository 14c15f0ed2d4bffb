#pragma once
// The one place that talks to libpq for a connection's socket and protocol
// (STYLE.md habit 2): connect steps, sending a statement + Sync in pipeline
// mode, reading results and notifications. No Asio here: Connection turns
// these answers into socket waits.

#include <string>

#include "db/notification.hpp"
#include "db/request.hpp"

struct pg_conn;

namespace pgwamp::db {

class TypeRegistry;

class PgDriver {
public:
    PgDriver() = default;
    ~PgDriver() { finish(); }
    PgDriver(const PgDriver&) = delete;
    PgDriver& operator=(const PgDriver&) = delete;

    enum class Step { wait_read, wait_write, done, failed };

    // PQconnectStart / PQconnectPoll. A host=<name> without hostaddr= would
    // make libpq resolve the name with a blocking lookup here: Connection
    // passes a conninfo whose names were resolved (db/host_resolution.hpp).
    Step connect_start(const std::string& conninfo);
    Step connect_poll();
    // After connect: non-blocking sends and pipeline mode.
    bool enter_pipeline();

    int socket() const;
    int backend_pid() const;
    bool is_open() const { return conn_ != nullptr; }
    bool is_bad() const;
    std::string error_message() const;  // libpq's last message, trimmed

    // Queues one statement and its Sync. False when libpq refused (the
    // connection is then broken); error_message() says why.
    bool send(const Request& r);

    // TCP_CORK around a batch of sends: libpq 15 flushes at every Sync, and
    // on loopback each flush costs a full TCP transmit (most of the client's
    // CPU). Corked, a batch goes out as few segments. No-op on Unix sockets.
    void cork(bool on);

    enum class Flush { done, more, failed };
    Flush flush();

    // Reads what the socket has. False when the connection is broken.
    bool consume_input();

    enum class Event {
        none,       // nothing more can be read without waiting
        statement,  // the head's result was stored into it
        sync,       // the head's sync point: it is complete
        broken,     // the connection is dead
        protocol,   // something we do not support arrived (COPY, ...)
    };
    // Takes the next result, if one is ready, and stores the outcome of a
    // statement into `head` (types cast with `types`).
    Event next_event(Request* head, const TypeRegistry& types);

    bool next_notification(Notification& out);

    void finish();

private:
    pg_conn* conn_ = nullptr;
    bool cork_unsupported_ = false;
};

}  // namespace pgwamp::db
