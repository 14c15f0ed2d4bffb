#pragma once
// The connect half of the driver seam (driver.hpp): what the connect loop
// (connect_loop.hpp) asks of a libpq connection while opening it. Driver
// (the pool's connections) and the replication connection implement it. No
// Asio here: the loop turns these answers into waits on socket().

#include <string>

namespace pgwamp::db {

class Connector {
public:
    virtual ~Connector() = default;

    enum class Step { wait_read, wait_write, done, failed };

    // Starts a non-blocking connect; then connect_poll() after each wait the
    // previous step asked for, until done or failed.
    virtual Step connect_start(const std::string& conninfo) = 0;
    virtual Step connect_poll() = 0;

    // The descriptor to wait on; it may change while connecting.
    virtual int socket() const = 0;
    virtual std::string error_message() const = 0;  // the last error, trimmed
};

// libpq's PostgresPollingStatusType as a step (pg_driver.cpp).
Connector::Step connect_step_of(int polling_status);

}  // namespace pgwamp::db
