#pragma once
// The pool's state machine behind db::Pool's templates (which only adapt
// completion tokens): which connection takes a statement, the bounded wait
// queue, pinning for interactions, growth, dead-connection detection and
// reconnection with backoff, the control connection (LISTEN and cancels),
// notification dispatch. Single-threaded: everything on one executor.

#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "db/backoff.hpp"
#include "db/cancel_signal.hpp"
#include "db/connection.hpp"
#include "db/deadline_queue.hpp"
#include "db/notification.hpp"
#include "db/options.hpp"
#include "db/request.hpp"

namespace pgwamp::db {

class PoolCore : public ConnectionListener, public std::enable_shared_from_this<PoolCore> {
public:
    using PinHandler = std::function<void(std::exception_ptr, std::shared_ptr<Connection>)>;

    PoolCore(boost::asio::any_io_executor ex, PoolOptions options);
    ~PoolCore() override;

    const boost::asio::any_io_executor& executor() const { return ex_; }

    void start(std::function<void(std::exception_ptr)> done);
    void close(std::function<void()> done);

    // A request for `sql`; binds the parameters now so a bad value fails
    // before anything is sent. Null (and `complete` already called) on failure.
    RequestPtr make_request(RequestKind kind, std::string sql, std::vector<Value> params,
                            std::function<void(std::exception_ptr, Result)> complete);
    void submit(const RequestPtr& r, const StatementOptions& options);
    // For interactions: straight onto their pinned connection.
    void submit_to(const std::shared_ptr<Connection>& c, const RequestPtr& r, const StatementOptions& options);
    void cancel_request(const RequestPtr& r, Errc reason);

    // Pins a connection for an interaction. Returns a ticket for
    // cancel_acquire while it waits (0 when already answered).
    std::uint64_t acquire(PinHandler handler);
    void cancel_acquire(std::uint64_t ticket, Errc reason);
    // healthy = false closes and replaces the connection (failed ROLLBACK).
    void release(const std::shared_ptr<Connection>& c, bool healthy);

    void listen(const std::string& channel, std::function<void(std::exception_ptr)> done);
    void unlisten(const std::string& channel, std::function<void(std::exception_ptr)> done);
    ObserverId add_observer(std::shared_ptr<const NotifyObserver> observer);
    void remove_observer(ObserverId id);
    std::vector<ObserverId> observers() const;

    // Changes the pool's size at run time: grows at once, shrinks by closing
    // idle connections (busy ones as soon as they are idle).
    void set_limits(std::size_t min_connections, std::size_t max_connections);

    void on_recovered(std::function<void()> handler) { recovered_handlers_.push_back(std::move(handler)); }
    bool available() const { return available_ && !closed_; }
    // Statement and interaction timeouts, on one timer for the whole pool.
    const std::shared_ptr<DeadlineQueue>& deadlines();
    // Fired by close(): interactions attach to it to end with Errc::closed.
    CancelSignal& closing_signal() { return closing_; }
    bool closed() const { return closed_; }
    void set_statement_logger(StatementLogger logger, bool include_params);

    // Introspection for tests and metrics.
    std::size_t connection_count() const { return conns_.size(); }
    std::size_t waiting() const { return waiters_.size(); }
    int control_backend_pid() const;

    // ConnectionListener
    void on_capacity(Connection& c) override;
    void on_lost(Connection& c, const std::string& why) override;
    void on_notification(const Notification& n) override;
    void request_cancel(Connection& c, int backend_pid, std::function<void()> answered) override;

private:
    struct Waiter {
        std::uint64_t ticket = 0;
        RequestPtr statement;  // either a statement...
        PinHandler pin;        // ...or an interaction waiting for a connection
    };

    bool arm(const RequestPtr& r, const StatementOptions& options);
    Connection* place_for_statement() const;  // null: wait in waiters_
    Connection* pick_for_pin() const;
    std::shared_ptr<Connection> shared(Connection* c) const;
    void feed();
    void spawn();
    void on_connected(const std::shared_ptr<Connection>& c, std::exception_ptr e);
    void connect_failed(std::exception_ptr e);
    void schedule_retry();
    void maintain();
    void become_unavailable(const std::string& why);
    void spawn_control();
    void on_control_connected(const std::shared_ptr<Connection>& c, std::exception_ptr e);
    void schedule_control_retry();
    void send_listen(const std::string& sql_verb, const std::string& channel,
                     std::function<void(std::exception_ptr)> done);
    void dispatch(const Notification& n);
    void post_next_dispatch();
    void finish_start(std::size_t id, const std::string& failure);
    void remove(Connection* c);
    void trim();
    // Idle connections beyond min_connections close after idle_timeout.
    void note_idle(Connection& c);
    void schedule_idle_check();
    void close_idle();

    boost::asio::any_io_executor ex_;
    PoolOptions options_;
    std::shared_ptr<ConnectionSettings> settings_;
    std::vector<std::shared_ptr<Connection>> conns_;  // ready and connecting
    std::size_t connecting_ = 0;
    std::size_t conn_seq_ = 0;
    std::deque<Waiter> waiters_;
    std::uint64_t ticket_seq_ = 0;

    bool started_ = false;
    bool closed_ = false;
    bool available_ = false;
    bool degraded_ = false;  // lost a connection or failed to connect since the last success
    std::string unavailable_reason_ = "the pool was not started";
    Backoff backoff_;
    boost::asio::steady_timer retry_timer_;
    bool retry_pending_ = false;

    std::shared_ptr<Connection> control_;
    Backoff control_backoff_;
    boost::asio::steady_timer control_timer_;
    bool control_retry_pending_ = false;
    std::set<std::string> channels_;
    std::vector<std::function<void(std::exception_ptr)>> listens_waiting_for_control_;

    std::vector<std::pair<ObserverId, std::shared_ptr<const NotifyObserver>>> observers_;
    std::deque<Notification> pending_notifications_;
    bool dispatching_ = false;
    ObserverId observer_seq_ = 0;
    std::vector<std::function<void()>> recovered_handlers_;

    CancelSignal closing_;
    std::shared_ptr<DeadlineQueue> deadlines_;  // made on first use
    DeadlineQueue::Handle idle_check_;           // armed while a connection beyond min is idle
    std::function<void(std::exception_ptr)> start_done_;
    std::set<std::size_t> start_ids_;  // connections whose first connect start() waits for
    std::string start_failures_;
};

// SQL identifier quoting for LISTEN/UNLISTEN, whose channel cannot be a
// bound parameter. Throws db::Error(bad_value) for empty names or NUL bytes.
std::string quote_identifier(const std::string& name);

}  // namespace pgwamp::db
