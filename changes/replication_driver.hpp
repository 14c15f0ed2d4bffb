#pragma once
// The seam between the replication connection and libpq (as db/driver.hpp is
// the pool's): what ReplicationConnection asks of a connection in replication
// mode, as an interface, so a unit test can script a server and fail the
// connection at every step (tests/unit/changes/scripted_replication_driver.*).
// Connecting is the Connector half, driven by db/'s one connect loop.
// PgReplicationDriver (pg_replication_driver.cpp) is the real one. No Asio.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/connector.hpp"
#include "db/driver.hpp"
#include "pg/error.hpp"

namespace pgwamp::db {

class ReplicationDriver : public Connector {
public:
    // A command's rows as text (nullopt for NULL).
    using Rows = std::vector<std::vector<std::optional<std::string>>>;

    // Once connected: non-blocking writes. False when refused.
    virtual bool enter_nonblocking() = 0;
    // Session settings that differ from what we asked for, for a warning; empty when none.
    virtual std::string settings_mismatch() const = 0;
    virtual int backend_pid() const = 0;
    // The connection is dead (libpq's CONNECTION_BAD).
    virtual bool is_bad() const = 0;

    // One simple-protocol command. False when it could not be queued.
    virtual bool send_query(const std::string& sql) = 0;
    using Flush = Driver::Flush;  // the pool's: done, more (wait for the socket), failed
    virtual Flush flush() = 0;
    // Reads what the socket has. False when the connection is broken.
    virtual bool consume_input() = 0;

    struct Result {
        enum class Kind { rows, command_ok, copy_both, error } kind = Kind::command_ok;
        Rows rows;                // Kind::rows
        Diagnostics diagnostics;  // Kind::error
    };
    // The command's next result. nullopt either because it is complete
    // (*complete set) or because more must be read first (*complete unset).
    virtual std::optional<Result> next_result(bool* complete) = 0;

    // While copying: the next CopyData message, valid until the next call.
    enum class Copy { message, wait, ended, failed };  // ended: the server finished the copy
    virtual Copy next_copy_data(std::string_view& message) = 0;
    // After Copy::ended: the command's final results, and the server's error
    // among them, if it gave one (why it ended the stream).
    virtual std::optional<Diagnostics> end_of_copy() = 0;
    // Queues one CopyData message; then flush(). False when the connection is broken.
    virtual bool put_copy_data(std::string_view data) = 0;

    // Closes the connection (and its descriptor). Idempotent.
    virtual void finish() = 0;
};

// One driver per connection. Null in the options: libpq.
using ReplicationDriverFactory = std::function<std::unique_ptr<ReplicationDriver>()>;
std::unique_ptr<ReplicationDriver> make_pg_replication_driver();

}  // namespace pgwamp::db
