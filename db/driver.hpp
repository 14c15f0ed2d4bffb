#pragma once
// The seam between a connection and the wire protocol (STYLE.md habit 2):
// the operations Connection needs from libpq, as an interface, so unit tests
// can script results and fail a connection at every step (tests/unit/db
// scripted_driver.*). PgDriver is the one real implementation. No Asio here:
// Connection turns these answers into waits on socket().
//
// One virtual call per operation; the work behind each (a libpq call, a
// syscall) costs far more.

#include <exception>
#include <functional>
#include <memory>
#include <string>

#include "pg/error.hpp"
#include "db/connector.hpp"
#include "db/notification.hpp"
#include "db/request.hpp"

namespace pgwamp::db {

class TypeRegistry;

// Connecting (connect_start, connect_poll, socket, error_message) is the
// Connector half, shared with the replication connection.
class Driver : public Connector {
public:
    // After connect: non-blocking sends and pipeline mode.
    virtual bool enter_pipeline() = 0;

    virtual int backend_pid() const = 0;
    virtual bool is_bad() const = 0;

    // Queues one statement and its Sync (none when r.shares_sync; no local
    // settings step when r.group_follower). False when refused; is_bad() then
    // says whether the connection is broken or only this request was bad.
    // May record in r what else it sent in the same segment (r.steps: a
    // Parse, DEALLOCATEs) and which prepared statement it executes.
    virtual bool send(Request& r) = 0;

    // A bare Sync, to close a read group whose next member libpq refused
    // (see Request::shares_sync). False: the connection cannot go on.
    virtual bool send_sync() { return false; }

    // Hint around a batch of sends (TCP_CORK for libpq).
    virtual void cork(bool on) = 0;

    enum class Flush { done, more, failed };
    virtual Flush flush() = 0;

    // Reads what the socket has. False when the connection is broken.
    virtual bool consume_input() = 0;

    enum class Event {
        none,       // nothing more can be read without waiting
        statement,  // the head's outcome (has_outcome, error or result) was stored into it
        sync,       // the head's sync point: it is complete
        broken,     // the connection is dead
        protocol,   // something we do not support arrived (COPY, ...)
    };
    // Takes the next result, if one is ready, and stores the outcome of a
    // statement into `head` (types cast with `types`).
    virtual Event next_event(Request* head, const TypeRegistry& types) = 0;

    virtual bool next_notification(Notification& out) = 0;

    // Closes the connection (and its descriptor). Idempotent.
    virtual void finish() = 0;
};

// Makes one driver per connection. Null in the settings: libpq (PgDriver).
using DriverFactory = std::function<std::unique_ptr<Driver>()>;

// The error a statement's failed result becomes, from what the server said:
// canceled/timeout when it is the cancel we asked for (57014), connection_lost
// when the connection is going away (class 57P, no SQLSTATE, or broken),
// else sql_error. Every driver uses this, so the mapping is tested once.
std::exception_ptr statement_error(Diagnostics d, const Request& r, bool connection_bad);

}  // namespace pgwamp::db
