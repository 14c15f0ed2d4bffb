#pragma once
// One pipelined PostgreSQL connection driven by Asio: the Asio half of the
// driver (its Driver, PgDriver by default, is the libpq half, PipelineFifo
// the bookkeeping). It keeps a read wait armed at all times, so a dead
// connection or a NOTIFY is seen even while idle, and sends each request as
// soon as the FIFO allows.
// Single-threaded: every call on the connection's executor.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "db/connect_loop.hpp"
#include "db/driver.hpp"
#include "db/notification.hpp"
#include "db/options.hpp"
#include "db/pipeline_fifo.hpp"
#include "db/pipeline_view.hpp"

namespace pgwamp::db {

class Connection;
class TypeRegistry;

// Shared by a pool and its connections; changed only on the executor.
struct ConnectionSettings {
    std::string conninfo;
    std::shared_ptr<HostResolver> resolver;  // resolves conninfo's host names; null: Asio's
    std::chrono::milliseconds connect_timeout{5000};
    std::size_t max_in_flight = 16;
    std::size_t prepared_statements = 0;  // the driver's statement cache bound (PgDriver)
    std::shared_ptr<const TypeRegistry> types;
    StatementLogger logger;
    bool log_params = false;
    DriverFactory driver_factory;  // null: libpq (PgDriver); tests script a driver
};

// What a connection tells its owner (the pool).
class ConnectionListener {
public:
    virtual ~ConnectionListener() = default;
    // Requests completed or a hold-back ended: it can take more work.
    virtual void on_capacity(Connection& c) = 0;
    // A ready connection died; its requests were already failed.
    virtual void on_lost(Connection& c, const std::string& why) = 0;
    virtual void on_notification(const Notification& n) = 0;
    // Ask the server (from another connection) to cancel what backend_pid
    // runs; call `answered` once that request completed, however it ended.
    virtual void request_cancel(Connection& c, int backend_pid, std::function<void()> answered) = 0;
};

class Connection final : public PipelineView, public std::enable_shared_from_this<Connection> {
public:
    enum class State { fresh, connecting, ready, closed };

    Connection(boost::asio::any_io_executor ex, std::shared_ptr<const ConnectionSettings> settings,
               std::weak_ptr<ConnectionListener> listener, std::size_t id);
    ~Connection() override;

    // Non-blocking connect with the settings' timeout. `done` runs from a
    // handler (never inline) with null or a db::Error(connect_failed).
    void async_connect(std::function<void(std::exception_ptr)> done);

    // Queues and sends when the pipeline allows. Fails the request with
    // `closed` when the connection is not ready.
    void submit(RequestPtr r);

    // Removes a queued request or asks the server to cancel a running one.
    void cancel(const RequestPtr& r, Errc reason);

    // Fails everything pending with `reason` and closes. Idempotent.
    void close(Errc reason, const std::string& why);

    State state() const { return state_; }
    bool ready() const { return state_ == State::ready; }
    // PipelineView, for the pool's decisions.
    bool accepting() const override { return state_ == State::ready && !fifo_.holding(); }
    std::size_t load() const override { return fifo_.load(); }
    std::size_t max_in_flight() const override { return fifo_.max_in_flight(); }
    bool stalled(PoolClock::time_point now, PoolClock::duration longer_than) const override;
    int backend_pid() const { return backend_pid_; }
    std::size_t id() const { return id_; }
    const std::string& last_error() const { return last_error_; }

private:
    void connected();
    void connect_failed(const std::string& why);
    void pump();
    static bool same_settings(const Request& a, const Request& b);
    bool close_group();  // a Sync for a read group whose next member libpq refused
    void requeue(std::vector<RequestPtr>& requests);  // first in line, in their order
    void schedule_pump();
    void flush();
    void arm_read();
    void on_readable();
    void process_results();
    void complete(const RequestPtr& r);
    void send_due_cancel();
    void lose(const std::string& why);

    boost::asio::any_io_executor ex_;
    std::shared_ptr<const ConnectionSettings> settings_;
    std::weak_ptr<ConnectionListener> listener_;
    std::size_t id_;
    State state_ = State::fresh;
    std::unique_ptr<Driver> driver_owner_;
    Driver& driver_;  // *driver_owner_, for the whole life of the connection
    PipelineFifo fifo_;
    boost::asio::posix::stream_descriptor socket_;
    ConnectLoop connect_loop_;  // on socket_ and driver_
    boost::asio::steady_timer cancel_retry_timer_;
    std::function<void(std::exception_ptr)> connect_done_;
    int backend_pid_ = 0;
    bool reading_ = false;
    bool writing_ = false;
    bool in_process_ = false;
    bool pump_posted_ = false;
    std::string last_error_;
};

}  // namespace pgwamp::db
