#pragma once
// One connection in logical replication mode (replication=database), on the
// replication driver seam (replication_driver.hpp; libpq unless a test
// scripts one), driven by Asio on the caller's executor: connect without blocking (db/'s
// connect loop, the pool's own), run simple-protocol commands
// one at a time (a replication connection accepts nothing else: no pipeline,
// no bound parameters), then enter COPY BOTH with START_REPLICATION and hand
// each CopyData message to the owner while sending standby status updates
// back on the same socket.
//
// Reading can be paused: libpq then reads nothing more, the kernel's buffers
// fill, and TCP pushes back on the walsender, which is how a slow consumer
// keeps memory bounded.
//
// Single-threaded: call everything from the executor. Handlers run from
// handlers, never inside the call that started them. After close() no
// handler runs.

#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include "changes/replication_driver.hpp"
#include "db/connect_loop.hpp"
#include "db/host_resolver.hpp"

namespace pgwamp::db {

class ReplicationConnection : public std::enable_shared_from_this<ReplicationConnection> {
public:
    using Rows = ReplicationDriver::Rows;
    using Done = std::function<void(std::exception_ptr)>;
    using CommandDone = std::function<void(std::exception_ptr, Rows)>;
    using MessageHandler = std::function<void(std::string_view)>;

    ReplicationConnection(boost::asio::any_io_executor ex, std::string conninfo,
                          std::shared_ptr<HostResolver> resolver, std::chrono::milliseconds connect_timeout,
                          const ReplicationDriverFactory& driver_factory = nullptr);
    ~ReplicationConnection();
    ReplicationConnection(const ReplicationConnection&) = delete;
    ReplicationConnection& operator=(const ReplicationConnection&) = delete;

    // done(nullptr) once connected, or a db::Error(connect_failed).
    void async_connect(Done done);
    // One command (SQL or a replication command) at a time. Errors carry the
    // server's Diagnostics (Errc::sql_error) or Errc::connection_lost.
    void async_command(std::string sql, CommandDone done);
    // Sends `sql` (START_REPLICATION ...), then calls on_message for each
    // CopyData message the server sends, until the stream ends: on_end(error)
    // once (the server ended the copy, the connection died, or it refused to
    // start; Errc::sql_error with its Diagnostics when the server said why).
    // on_started runs once the server accepted (COPY BOTH began).
    void start_copy(std::string sql, std::function<void()> on_started, MessageHandler on_message, Done on_end);
    // While paused nothing more is read from the socket.
    void pause_reading(bool paused);
    // Queues one CopyData message to the server (a standby status update);
    // written as the socket allows. False when the connection is not copying.
    bool send_copy_data(std::string_view data);
    // Closes the connection; no handler runs afterwards. Idempotent.
    void close();

    int backend_pid() const;
    std::string last_error() const { return last_error_; }

private:
    enum class State { fresh, connecting, idle, command, copying, closed };

    void connected();
    void connect_failed(const std::string& why);
    void arm_read();
    void on_readable();
    void read_command_results();
    void read_copy_data();
    void flush();
    void fail(std::exception_ptr error);
    std::exception_ptr lost(const std::string& why);

    boost::asio::any_io_executor ex_;
    std::string conninfo_;
    std::shared_ptr<HostResolver> resolver_;
    std::chrono::milliseconds connect_timeout_;
    std::unique_ptr<ReplicationDriver> driver_;
    boost::asio::posix::stream_descriptor socket_;  // the driver's descriptor, which the driver owns
    ConnectLoop connect_loop_;  // on socket_ and the driver
    State state_ = State::fresh;
    bool reading_ = false;  // a read wait is armed
    bool writing_ = false;  // a write wait is armed
    bool paused_ = false;
    std::string last_error_;

    Done connect_done_;
    CommandDone command_done_;
    Rows command_rows_;
    std::exception_ptr command_error_;
    std::function<void()> on_started_;
    MessageHandler on_message_;
    Done copy_end_;
};

}  // namespace pgwamp::db
