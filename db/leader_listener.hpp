#pragma once
// db::LeaderListener: LISTEN on a channel only while this process leads it,
// so that several processes on one database deliver each NOTIFY once.
//
// Leadership is a PostgreSQL session-level advisory lock, one per channel,
//   SELECT pg_try_advisory_lock(hashtext('pgwamp.notify:' || $1))
// taken on the very connection that LISTENs. When the leader's process or
// connection dies, the server ends the session, which drops the lock and the
// LISTEN together; a follower, trying the lock every retry_interval, takes
// over. After this connection is lost and comes back, the locks went with the
// old session: each is tried again and LISTENed to only if acquired, so a
// process that lost its seat to another meanwhile stays a follower.
//
// It has a connection of its own rather than the pool's control connection:
// the pool re-issues every LISTEN as soon as its control connection is back,
// before anyone could try a lock, which would publish twice.
//
//   auto leader = LeaderListener::create(ex, options, {"demo"}, on_notify, on_role);
//   leader->start();  ...  leader->close();
//
// Single-threaded: call everything from the executor. Handlers are posted,
// never run inside the call that caused them.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/reconnector.hpp"
#include "db/connection.hpp"
#include "db/notification.hpp"
#include "db/options.hpp"

namespace pgwamp::db {

struct LeaderListenerOptions {
    std::string conninfo;  // as PoolOptions::conninfo (names resolved by Asio's resolver)
    std::chrono::milliseconds connect_timeout{5000};
    // How often a follower tries to take a channel's lock.
    std::chrono::milliseconds retry_interval{1000};
    // Reconnecting after the connection was lost or could not be opened
    // (the first retry at once; max_attempts retries, then it stays down).
    BackoffOptions backoff;
};

enum class ChannelRole {
    leader,    // holds the lock and LISTENs: its notifications are delivered
    follower,  // another session holds the lock
    none,      // no connection: leads nothing
};
const char* to_string(ChannelRole role);

class LeaderListener : public ConnectionListener, public std::enable_shared_from_this<LeaderListener> {
public:
    // A channel changed role; `reason` says why, for the log.
    using RoleHandler = std::function<void(const std::string& channel, ChannelRole role, const std::string& reason)>;

    // Notifications reach on_notify only for channels this process leads.
    static std::shared_ptr<LeaderListener> create(boost::asio::any_io_executor ex, LeaderListenerOptions options,
                                                  const std::vector<std::string>& channels, NotifyObserver on_notify,
                                                  RoleHandler on_role);
    ~LeaderListener() override;

    void start();
    // Ends the session, which releases every lock at once. Idempotent.
    void close();

    ChannelRole role(const std::string& channel) const;
    int backend_pid() const;

    // The lock's key text for `channel`, hashed by the server (hashtext).
    static std::string lock_name(const std::string& channel);

    // ConnectionListener
    void on_capacity(Connection& c) override;
    void on_lost(Connection& c, const std::string& why) override;
    void on_notification(const Notification& n) override;
    void request_cancel(Connection& c, int backend_pid, std::function<void()> answered) override;

    LeaderListener(boost::asio::any_io_executor ex, LeaderListenerOptions options,
                   const std::vector<std::string>& channels, NotifyObserver on_notify, RoleHandler on_role);

private:
    struct Channel {
        ChannelRole role = ChannelRole::none;  // leader once the LISTEN is done
        bool locked = false;                   // holds the lock (its LISTEN may still be on the way)
        bool trying = false;                   // a lock attempt or its LISTEN is on the way
    };

    void connect(std::uint64_t attempt);
    void on_connected(const std::shared_ptr<Connection>& c, std::exception_ptr e);
    void schedule_reconnect();
    void try_locks();
    void try_lock(const std::string& channel);
    void on_lock_answer(const std::string& channel, std::uint64_t session, std::exception_ptr e, bool acquired);
    void on_listen_answer(const std::string& channel, std::uint64_t session, std::exception_ptr e);
    void schedule_lock_retry();
    void set_role(const std::string& channel, ChannelRole role, const std::string& reason);
    void run(const std::string& sql, std::vector<Value> params,
             std::function<void(std::exception_ptr, Result)> done);
    bool current(std::uint64_t session) const;

    boost::asio::any_io_executor ex_;
    LeaderListenerOptions options_;
    std::shared_ptr<ConnectionSettings> settings_;
    std::map<std::string, Channel> channels_;
    NotifyObserver on_notify_;
    RoleHandler on_role_;

    std::shared_ptr<Connection> conn_;
    std::uint64_t session_ = 0;  // bumped per connection, so late answers from an old one are ignored
    Reconnector reconnector_;    // calls connect() when a (re)connection is due
    std::uint64_t attempt_ = 0;  // conn_'s generation in reconnector_
    boost::asio::steady_timer lock_timer_;
    bool lock_retry_pending_ = false;
    bool started_ = false;
    bool closed_ = false;
};

}  // namespace pgwamp::db
