#pragma once
// A db::Driver without a server, for unit tests of the connection and the
// pool: a ScriptedServer answers every statement (one row "ok", or the tag of
// BEGIN/COMMIT/ROLLBACK) unless a rule says to fail it, and a connect can be
// failed at each of its steps. The waits are real: each driver owns an
// eventfd that is readable exactly while the "server" has sent something the
// connection has not read yet, so Connection's Asio waits work as on a socket.
//
// The wire is modelled in chunks: consume_input() reads one chunk per call, so
// "the result arrived, then the connection ended" is two reads, as on a
// socket where the end comes later than the result.

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "db/driver.hpp"

namespace pgwamp::db::testing {

enum class Fault {
    none,
    send_fails,           // send() fails: the connection is broken
    send_refused,         // send() refuses this request only (libpq: too many parameters)
    flush_fails,          // the flush after sending it fails: broken
    flush_blocks,         // that flush says "more" once (full socket buffer), then completes
    lost_before_result,   // the connection ends before its result
    lost_after_result,    // its result arrives, then the end, before its Sync
    broken_after_result,  // its result, then libpq reports the connection bad, in one read
    error,                // its result is an error with `sqlstate`
    error_then_lost,      // an error with `sqlstate` (e.g. 57P01), then the end
    hang,                 // no answer until pg_cancel_backend(pid) arrives, then 57014
    lost_on_cancel,       // no answer; when pg_cancel_backend arrives the connection ends
};

struct Rule {
    std::string sql;  // the exact statement text it applies to
    Fault fault = Fault::none;
    std::string sqlstate;
    int times = 1;  // sends it applies to; negative: every one
};

enum class ConnectFault {
    none,
    at_start,          // connect_start fails
    at_first_poll,     // the first connect_poll fails
    at_second_poll,    // the second (after a wait for reading) fails
    entering_pipeline, // connected, but pipeline mode is refused
    never_ready,       // waits for reading for ever: the connect timeout must end it
    first_address_refuses,  // libpq moves to the next address on a new socket (same number): connects
};

class ScriptedDriver;

class ScriptedServer : public std::enable_shared_from_this<ScriptedServer> {
public:
    explicit ScriptedServer(boost::asio::any_io_executor ex) : ex_(std::move(ex)) {}

    // For PoolOptions::driver_factory.
    DriverFactory factory();

    void add(Rule r) { rules_.push_back(std::move(r)); }
    // The next `times` connects fail at `f`; negative: until cleared with none.
    void fail_connects(ConnectFault f, int times = -1);
    // Runs (posted) each time a statement starts to hang.
    void on_hang(std::function<void()> f) { on_hang_ = std::move(f); }
    // Every open connection ends, as when the server restarts.
    void break_all();
    // A NOTIFY: every connection that LISTENs on `channel` gets it.
    void notify(const std::string& channel, const std::string& payload);

    // What tests check.
    std::size_t sends(const std::string& sql) const;  // attempts to send it, over all connections
    std::size_t drivers_made() const { return made_; }
    std::size_t open_connections() const;
    std::size_t finished_connections() const { return finished_; }
    std::size_t listeners(const std::string& channel) const;  // open connections that LISTEN on it

private:
    friend class ScriptedDriver;

    ConnectFault take_connect_fault();
    Rule take_rule(const std::string& sql);
    bool cancel(int pid);  // pg_cancel_backend: true when something was running
    void hung() const;

    boost::asio::any_io_executor ex_;
    std::vector<Rule> rules_;
    ConnectFault connect_fault_ = ConnectFault::none;
    int connect_fault_times_ = 0;
    std::function<void()> on_hang_;
    std::vector<ScriptedDriver*> drivers_;
    std::vector<std::string> sent_;
    std::size_t made_ = 0;
    std::size_t finished_ = 0;
    int next_pid_ = 1000;
};

}  // namespace pgwamp::db::testing
