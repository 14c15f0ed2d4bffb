#include "db/leader_listener.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "db/completion_helpers.hpp"
#include "pg/params.hpp"
#include "pg/identifier.hpp"
#include "db/request.hpp"
#include "pg/type_registry.hpp"

namespace pgwamp::db {

namespace asio = boost::asio;
using detail::describe;
using detail::posted;

namespace {

// Session-level: held until unlocked or the session ends, whatever
// transactions do meanwhile. hashtext() runs on the server, so every process
// on the database derives the same key from the channel name.
constexpr const char* try_lock_sql = "SELECT pg_try_advisory_lock(hashtext($1))";
constexpr const char* unlock_sql = "SELECT pg_advisory_unlock(hashtext($1))";

}  // namespace

const char* to_string(ChannelRole role) {
    switch (role) {
        case ChannelRole::leader: return "leader";
        case ChannelRole::follower: return "follower";
        case ChannelRole::none: return "none";
    }
    return "none";
}

std::string LeaderListener::lock_name(const std::string& channel) { return "pgwamp.notify:" + channel; }

std::shared_ptr<LeaderListener> LeaderListener::create(asio::any_io_executor ex, LeaderListenerOptions options,
                                                       const std::vector<std::string>& channels,
                                                       NotifyObserver on_notify, RoleHandler on_role) {
    return std::make_shared<LeaderListener>(ex, std::move(options), channels, std::move(on_notify),
                                            std::move(on_role));
}

LeaderListener::LeaderListener(asio::any_io_executor ex, LeaderListenerOptions options,
                               const std::vector<std::string>& channels, NotifyObserver on_notify,
                               RoleHandler on_role)
    : ex_(ex),
      options_(std::move(options)),
      settings_(std::make_shared<ConnectionSettings>()),
      on_notify_(std::move(on_notify)),
      on_role_(std::move(on_role)),
      reconnector_(ex, options_.backoff, [this](std::uint64_t attempt) { connect(attempt); }),
      lock_timer_(ex) {
    settings_->conninfo = options_.conninfo;
    settings_->connect_timeout = options_.connect_timeout;
    settings_->types = TypeRegistry::defaults();
    for (const auto& ch : channels) {
        quote_identifier(ch);  // refuse an impossible channel now, not at the first LISTEN
        channels_.emplace(ch, Channel{});
    }
}

LeaderListener::~LeaderListener() {
    if (conn_) conn_->close(Errc::closed, "leader listener destroyed");
}

void LeaderListener::start() {
    if (started_ || closed_) return;
    started_ = true;
    reconnector_.start();  // connect() now
}

void LeaderListener::close() {
    if (closed_) return;
    closed_ = true;
    reconnector_.cancel();
    lock_timer_.cancel();
    if (conn_) conn_->close(Errc::closed, "leader listener closed");
    conn_.reset();
    for (auto& [name, ch] : channels_) {
        ch.locked = false;
        set_role(name, ChannelRole::none, "closed");
    }
}

ChannelRole LeaderListener::role(const std::string& channel) const {
    const auto found = channels_.find(channel);
    return found == channels_.end() ? ChannelRole::none : found->second.role;
}

int LeaderListener::backend_pid() const { return conn_ && conn_->ready() ? conn_->backend_pid() : 0; }

bool LeaderListener::current(std::uint64_t session) const {
    return !closed_ && session == session_ && conn_ && conn_->ready();
}

// ---- connection --------------------------------------------------------------

void LeaderListener::connect(std::uint64_t attempt) {
    if (closed_) return;
    attempt_ = attempt;
    ++session_;
    conn_ = std::make_shared<Connection>(ex_, settings_, weak_from_this(), 0);
    std::weak_ptr<LeaderListener> wp = weak_from_this();
    auto c = conn_;
    c->async_connect([wp, c](std::exception_ptr e) {
        if (auto self = wp.lock()) self->on_connected(c, e);
    });
}

void LeaderListener::on_connected(const std::shared_ptr<Connection>& c, std::exception_ptr e) {
    if (closed_ || c != conn_) return;
    if (e) {
        spdlog::warn("event=leader_connect_failed error=\"{}\"", c->last_error());
        conn_.reset();
        schedule_reconnect();
        return;
    }
    reconnector_.on_success(attempt_);
    try_locks();
}

void LeaderListener::schedule_reconnect() {
    if (closed_ || reconnector_.on_failure(attempt_) || !reconnector_.exhausted()) return;
    spdlog::error("event=leader_gave_up failed_attempts={}",
                  reconnector_.failures());
}

void LeaderListener::on_lost(Connection& c, const std::string& why) {
    if (closed_ || &c != conn_.get()) return;
    spdlog::warn("event=leader_connection_lost error=\"{}\"", why);
    conn_.reset();
    // The server dropped the session's locks and LISTENs with it.
    for (auto& [name, ch] : channels_) {
        ch.trying = false;
        ch.locked = false;
        set_role(name, ChannelRole::none, "connection_lost");
    }
    schedule_reconnect();
}

void LeaderListener::on_capacity(Connection&) {}  // the connection queues what it cannot send yet

void LeaderListener::request_cancel(Connection&, int, std::function<void()> answered) {
    asio::post(ex_, std::move(answered));  // nothing here is ever cancelled
}

void LeaderListener::on_notification(const Notification& n) {
    // Decided on arrival: the channel was LISTENed under this session's lock.
    // (A NOTIFY can arrive right behind the LISTEN's own result, before its
    // completion runs, so `locked` rather than the role.)
    const auto found = channels_.find(n.channel);
    if (found == channels_.end() || !found->second.locked || !on_notify_) return;
    std::weak_ptr<LeaderListener> wp = weak_from_this();
    asio::post(ex_, [wp, n] {
        auto self = wp.lock();
        if (!self || self->closed_) return;
        try {
            self->on_notify_(n);
        } catch (const std::exception& x) {
            spdlog::warn("event=handler_threw handler=notification_observer error=\"{}\"", x.what());
        } catch (...) {
            spdlog::warn("event=handler_threw handler=notification_observer");
        }
    });
}

// ---- leadership ----------------------------------------------------------------

void LeaderListener::try_locks() {
    for (auto& [name, ch] : channels_)
        if (!ch.locked && !ch.trying) try_lock(name);
}

void LeaderListener::try_lock(const std::string& channel) {
    channels_[channel].trying = true;
    std::weak_ptr<LeaderListener> wp = weak_from_this();
    const auto session = session_;
    run(try_lock_sql, {Value(lock_name(channel))}, [wp, channel, session](std::exception_ptr e, Result r) {
        auto self = wp.lock();
        if (!self) return;
        bool acquired = false;
        if (!e && !r.rows.empty() && !r.rows[0].empty() && r.rows[0][0].is<bool>()) acquired = r.rows[0][0].as<bool>();
        self->on_lock_answer(channel, session, e, acquired);
    });
}

void LeaderListener::on_lock_answer(const std::string& channel, std::uint64_t session, std::exception_ptr e,
                                    bool acquired) {
    if (!current(session)) return;  // that session is gone, and its lock with it
    auto& ch = channels_[channel];
    if (e) {
        ch.trying = false;
        spdlog::warn("event=leader_lock_failed channel={} error=\"{}\"", channel, describe(e));
        schedule_lock_retry();
        return;
    }
    if (!acquired) {
        ch.trying = false;
        set_role(channel, ChannelRole::follower, "lock_held_elsewhere");
        schedule_lock_retry();
        return;
    }
    ch.locked = true;
    std::weak_ptr<LeaderListener> wp = weak_from_this();
    run("LISTEN " + quote_identifier(channel), {}, [wp, channel, session](std::exception_ptr err, Result) {
        if (auto self = wp.lock()) self->on_listen_answer(channel, session, err);
    });
}

void LeaderListener::on_listen_answer(const std::string& channel, std::uint64_t session, std::exception_ptr e) {
    if (!current(session)) return;
    auto& ch = channels_[channel];
    ch.trying = false;
    if (!e) return set_role(channel, ChannelRole::leader, "lock_acquired");
    // Leading without listening would leave the channel silent: hand the
    // lock back so another process (or this one, later) can lead.
    spdlog::warn("event=listen_failed command=LISTEN channel={} error=\"{}\"", channel, describe(e));
    ch.locked = false;
    set_role(channel, ChannelRole::follower, "listen_failed");
    run(unlock_sql, {Value(lock_name(channel))}, [](std::exception_ptr, Result) {});
    schedule_lock_retry();
}

void LeaderListener::schedule_lock_retry() {
    if (lock_retry_pending_ || closed_) return;
    lock_retry_pending_ = true;
    std::weak_ptr<LeaderListener> wp = weak_from_this();
    lock_timer_.expires_after(options_.retry_interval);
    lock_timer_.async_wait([wp](const boost::system::error_code& ec) {
        auto self = wp.lock();
        if (!self || ec) return;
        self->lock_retry_pending_ = false;
        // Without a connection the reconnect tries every lock when it is back.
        if (self->conn_ && self->conn_->ready()) self->try_locks();
    });
}

void LeaderListener::set_role(const std::string& channel, ChannelRole role, const std::string& reason) {
    auto& ch = channels_[channel];
    if (ch.role == role) return;
    ch.role = role;
    if (!on_role_) return;
    std::weak_ptr<LeaderListener> wp = weak_from_this();
    asio::post(ex_, [wp, handler = on_role_, channel, role, reason] {
        if (wp.expired()) return;
        handler(channel, role, reason);
    });
}

void LeaderListener::run(const std::string& sql, std::vector<Value> params,
                         std::function<void(std::exception_ptr, Result)> done) {
    auto r = std::make_shared<Request>();
    r->kind = RequestKind::query;
    r->sql = sql;
    r->complete = posted(ex_, std::move(done));
    try {
        r->bound = bind_params(params);
    } catch (...) {
        r->finish(std::current_exception());
        return;
    }
    if (!conn_) return r->finish(make_error(Errc::closed, "no connection"));
    conn_->submit(r);
}

}  // namespace pgwamp::db
