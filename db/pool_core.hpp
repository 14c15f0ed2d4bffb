#pragma once
// The pool's I/O driver behind db::Pool's templates (which only adapt
// completion tokens). Every decision (routing, the wait queue, pinning,
// growth, idle close, unavailability, when to reconnect) is PoolState's,
// which does no I/O; this applies its actions to connections, requests and
// one timer. It also owns the control connection (LISTEN and cancels) and
// notification dispatch. Single-threaded: everything on one executor.

#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <set>
#include <unordered_map>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/reconnector.hpp"

#include "db/cancel_signal.hpp"
#include "db/connection.hpp"
#include "db/deadline_queue.hpp"
#include "db/notification.hpp"
#include "db/options.hpp"
#include "db/pool_state.hpp"
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
    bool available() const { return state_.available(); }
    // Statement and interaction timeouts, on one timer for the whole pool.
    const std::shared_ptr<DeadlineQueue>& deadlines();
    // Fired by close(): interactions attach to it to end with Errc::closed.
    CancelSignal& closing_signal() { return closing_; }
    bool closed() const { return state_.closed(); }
    void set_statement_logger(StatementLogger logger, bool include_params);

    // Introspection for tests and metrics.
    std::size_t connection_count() const { return state_.connection_count(); }
    std::size_t waiting() const { return state_.waiting(); }
    int control_backend_pid() const;

    // ConnectionListener
    void on_capacity(Connection& c) override;
    void on_lost(Connection& c, const std::string& why) override;
    void on_notification(const Notification& n) override;
    void request_cancel(Connection& c, int backend_pid, std::function<void()> answered) override;

private:
    struct Waiting {
        RequestPtr statement;  // either a statement...
        PinHandler pin;        // ...or an interaction waiting for a connection
    };

    bool arm(const RequestPtr& r, const StatementOptions& options);
    void fail(const RequestPtr& r, Errc error);
    std::exception_ptr failure(Errc error) const;
    // Carries out what PoolState decided (actions_), then moves the timer.
    void apply();
    void apply(PoolState::Action& a);
    void rearm_timer();
    void on_timer();
    void spawn(std::size_t id);
    std::shared_ptr<Connection> connection(std::size_t id) const;
    std::shared_ptr<Connection> take(std::size_t id);  // removes it from conns_
    void on_connected(const std::shared_ptr<Connection>& c, std::exception_ptr e);
    void run_recovered_handlers();
    void open_control(std::uint64_t generation);
    void on_control_connected(const std::shared_ptr<Connection>& c, std::uint64_t generation, std::exception_ptr e);
    void send_listen(const std::string& sql_verb, const std::string& channel,
                     std::function<void(std::exception_ptr)> done);
    void dispatch(const Notification& n);
    void post_next_dispatch();
    void finish_start(std::size_t id, const std::string& failure);

    boost::asio::any_io_executor ex_;
    PoolOptions options_;
    std::shared_ptr<ConnectionSettings> settings_;
    PoolState state_;
    PoolState::Actions actions_;  // reused: no allocation per decision
    std::vector<std::shared_ptr<Connection>> conns_;  // ready and connecting, as PoolState knows them
    std::unordered_map<PoolState::Ticket, Waiting> waiting_;
    boost::asio::steady_timer timer_;  // PoolState::next_wakeup()
    std::optional<PoolClock::time_point> timer_at_;

    std::shared_ptr<Connection> control_;
    std::uint64_t control_generation_ = 0;
    Reconnector control_reconnector_;
    std::set<std::string> channels_;
    std::vector<std::function<void(std::exception_ptr)>> listens_waiting_for_control_;

    std::vector<std::pair<ObserverId, std::shared_ptr<const NotifyObserver>>> observers_;
    std::deque<Notification> pending_notifications_;
    bool dispatching_ = false;
    ObserverId observer_seq_ = 0;
    std::vector<std::function<void()>> recovered_handlers_;

    CancelSignal closing_;
    std::shared_ptr<DeadlineQueue> deadlines_;  // made on first use
    std::function<void(std::exception_ptr)> start_done_;
    std::set<std::size_t> start_ids_;  // connections whose first connect start() waits for
    std::string start_failures_;
};

}  // namespace pgwamp::db
