#include "db/pool_core.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "db/completion_helpers.hpp"
#include "pg/identifier.hpp"

// The pool's control connection (LISTEN/UNLISTEN, re-LISTEN after a
// reconnect, cancel requests) and notification dispatch to observers.

namespace pgwamp::db {

namespace asio = boost::asio;
using detail::describe;
using detail::posted;

PoolCore::PoolCore(asio::any_io_executor ex, PoolOptions options)
    : ex_(ex),
      options_(std::move(options)),
      settings_(std::make_shared<ConnectionSettings>()),
      state_(static_cast<const PoolLimits&>(options_), options_.backoff, random_seed()),
      timer_(ex),
      control_reconnector_(ex, options_.backoff, [this](std::uint64_t generation) { open_control(generation); }) {
    if (options_.max_connections == 0) options_.max_connections = 1;
    options_.min_connections = std::min(options_.min_connections, options_.max_connections);
    settings_->conninfo = options_.conninfo;
    settings_->resolver = options_.resolver;
    settings_->connect_timeout = options_.connect_timeout;
    settings_->max_in_flight = options_.max_in_flight_per_connection;
    settings_->prepared_statements = options_.prepared_statements;
    settings_->types = options_.types ? options_.types : TypeRegistry::defaults();
    settings_->driver_factory = options_.driver_factory;
}

PoolCore::~PoolCore() {
    for (auto& c : conns_) c->close(Errc::closed, "pool destroyed");
    if (control_) control_->close(Errc::closed, "pool destroyed");
}

// ---- control connection: LISTEN and cancels ---------------------------------

void PoolCore::open_control(std::uint64_t generation) {
    if (state_.closed()) return;
    control_generation_ = generation;
    control_ = std::make_shared<Connection>(ex_, settings_, weak_from_this(), 0);
    std::weak_ptr<PoolCore> wp = weak_from_this();
    std::weak_ptr<Connection> wc = control_;
    control_->async_connect([wp, wc, generation](std::exception_ptr e) {
        auto p = wp.lock();
        auto c = wc.lock();
        if (p && c) p->on_control_connected(c, generation, e);
    });
}

void PoolCore::on_control_connected(const std::shared_ptr<Connection>& c, std::uint64_t generation,
                                    std::exception_ptr e) {
    if (state_.closed() || c != control_) return;
    if (e) {
        finish_start(0, "control connection: " + c->last_error());
        control_.reset();
        control_reconnector_.on_failure(generation);
        return;
    }
    finish_start(0, "");
    control_reconnector_.on_success(generation);
    // LISTEN again on the new connection; waiting listen() calls complete
    // when their channel's LISTEN does.
    auto waiting = std::move(listens_waiting_for_control_);
    listens_waiting_for_control_.clear();
    auto all_done = std::make_shared<std::vector<std::function<void(std::exception_ptr)>>>(std::move(waiting));
    std::size_t n = channels_.size();
    if (n == 0) {
        for (auto& d : *all_done) asio::post(ex_, [d] { d(nullptr); });
        return;
    }
    auto remaining = std::make_shared<std::size_t>(n);
    auto first_error = std::make_shared<std::exception_ptr>();
    for (const auto& ch : channels_) {
        send_listen("LISTEN", ch, [all_done, remaining, first_error](std::exception_ptr err) {
            if (err && !*first_error) *first_error = err;
            if (--*remaining == 0)
                for (auto& d : *all_done) d(*first_error);
        });
    }
}

int PoolCore::control_backend_pid() const { return control_ && control_->ready() ? control_->backend_pid() : 0; }

void PoolCore::send_listen(const std::string& verb, const std::string& channel,
                           std::function<void(std::exception_ptr)> done) {
    std::string sql;
    try {
        sql = verb + " " + quote_identifier(channel);
    } catch (...) {
        asio::post(ex_, [done, e = std::current_exception()] { done(e); });
        return;
    }
    auto r = make_request(RequestKind::execute, std::move(sql), {},
                          posted(ex_, [done, verb, channel](std::exception_ptr e, Result) {
                              if (e) spdlog::warn("event=listen_failed command={} channel={} error=\"{}\"", verb, channel, describe(e));
                              done(e);
                          }));
    if (r) control_->submit(r);
}

void PoolCore::listen(const std::string& channel, std::function<void(std::exception_ptr)> done) {
    if (state_.closed()) return asio::post(ex_, [done] { done(make_error(Errc::closed, "pool closed")); });
    try {
        quote_identifier(channel);
    } catch (...) {
        return asio::post(ex_, [done, e = std::current_exception()] { done(e); });
    }
    channels_.insert(channel);
    if (control_ && control_->ready()) return send_listen("LISTEN", channel, std::move(done));
    // Not connected yet (or reconnecting): the LISTEN is issued on connect.
    listens_waiting_for_control_.push_back(std::move(done));
}

void PoolCore::unlisten(const std::string& channel, std::function<void(std::exception_ptr)> done) {
    channels_.erase(channel);
    if (!state_.closed() && control_ && control_->ready()) return send_listen("UNLISTEN", channel, std::move(done));
    asio::post(ex_, [done] { done(nullptr); });  // a new control connection will not LISTEN to it
}

void PoolCore::request_cancel(Connection& c, int backend_pid, std::function<void()> answered) {
    // The cancel must not queue behind the statement it cancels: prefer the
    // control connection, else the least loaded other connection.
    std::shared_ptr<Connection> via;
    if (control_ && control_->ready() && control_.get() != &c) via = control_;
    for (const auto& p : conns_) {
        if (via) break;
        if (p.get() != &c && p->accepting() && !state_.pinned(p->id()) && p->load() == 0) via = p;
    }
    if (!via) {
        spdlog::warn("event=cancel_not_sent reason=no_free_connection backend_pid={}", backend_pid);
        asio::post(ex_, std::move(answered));
        return;
    }
    auto r = make_request(RequestKind::execute, "SELECT pg_cancel_backend($1)", {Value(backend_pid)},
                          posted(ex_, [answered](std::exception_ptr, Result) { answered(); }));
    if (r) via->submit(r);
}

// ---- notifications -----------------------------------------------------------

void PoolCore::on_notification(const Notification& n) {
    // Observers run from their own handlers, one notification per handler,
    // in the order the server sent them. The next one is posted only when
    // the previous is done, so I/O and queries get their turn in between: a
    // burst of notifications to a slow observer delays statements by one
    // observer call, not by the whole burst.
    pending_notifications_.push_back(n);
    if (dispatching_) return;
    dispatching_ = true;
    post_next_dispatch();
}

void PoolCore::post_next_dispatch() {
    std::weak_ptr<PoolCore> wp = weak_from_this();
    asio::post(ex_, [wp] {
        auto p = wp.lock();
        if (!p) return;
        if (p->pending_notifications_.empty()) {
            p->dispatching_ = false;
            return;
        }
        Notification n = std::move(p->pending_notifications_.front());
        p->pending_notifications_.pop_front();
        p->dispatch(n);
        if (p->pending_notifications_.empty())
            p->dispatching_ = false;
        else
            p->post_next_dispatch();
    });
}

void PoolCore::dispatch(const Notification& n) {
    if (observers_.empty()) return;
    auto snapshot = observers_;  // an observer may add or remove observers
    for (const auto& [id, observer] : snapshot) {
        bool still = std::any_of(observers_.begin(), observers_.end(), [id = id](const auto& o) { return o.first == id; });
        if (!still) continue;
        try {
            (*observer)(n);
        } catch (const std::exception& x) {
            spdlog::warn("event=handler_threw handler=notification_observer id={} error=\"{}\"", id, x.what());
        } catch (...) {
            spdlog::warn("event=handler_threw handler=notification_observer id={}", id);
        }
    }
}

ObserverId PoolCore::add_observer(std::shared_ptr<const NotifyObserver> observer) {
    for (const auto& [id, o] : observers_)
        if (o == observer) return id;  // the same observer twice: ignored
    observers_.emplace_back(++observer_seq_, std::move(observer));
    return observer_seq_;
}

void PoolCore::remove_observer(ObserverId id) {
    observers_.erase(std::remove_if(observers_.begin(), observers_.end(), [id](const auto& o) { return o.first == id; }),
                     observers_.end());
}

std::vector<ObserverId> PoolCore::observers() const {
    std::vector<ObserverId> ids;
    for (const auto& o : observers_) ids.push_back(o.first);
    return ids;
}

}  // namespace pgwamp::db
