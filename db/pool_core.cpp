#include "db/pool_core.hpp"

#include <algorithm>
#include <chrono>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "db/cancel_signal.hpp"
#include "db/completion_helpers.hpp"
#include "db/type_registry.hpp"

namespace pgwamp::db {

namespace asio = boost::asio;
using detail::describe;
using detail::posted;

// ---- start and close -------------------------------------------------------

void PoolCore::start(std::function<void(std::exception_ptr)> done) {
    if (started_ || closed_) {
        asio::post(ex_, [done] { done(make_error(Errc::closed, "the pool was already started or closed")); });
        return;
    }
    started_ = true;
    available_ = true;  // optimistic: calls queue while the first connections open
    start_done_ = std::move(done);
    for (std::size_t i = 0; i < std::max<std::size_t>(options_.min_connections, 1); ++i) {
        spawn();
        start_ids_.insert(conn_seq_);
    }
    start_ids_.insert(0);  // the control connection
    spawn_control();
}

void PoolCore::finish_start(std::size_t id, const std::string& failure) {
    if (!start_done_ || start_ids_.erase(id) == 0) return;
    if (!failure.empty()) start_failures_ += (start_failures_.empty() ? "" : "; ") + failure;
    if (!start_ids_.empty()) return;
    auto done = std::move(start_done_);
    start_done_ = nullptr;
    std::exception_ptr e;
    if (!start_failures_.empty()) e = make_error(Errc::connect_failed, "pool start failed: " + start_failures_);
    asio::post(ex_, [done, e] { done(e); });
}

void PoolCore::close(std::function<void()> done) {
    if (!closed_) {
        closed_ = true;
        available_ = false;
        closing_.cancel();
        retry_timer_.cancel();
        control_timer_.cancel();
        if (deadlines_) deadlines_->clear();
        auto waiters = std::move(waiters_);
        waiters_.clear();
        for (auto& w : waiters) {
            if (w.statement) w.statement->finish(make_error(Errc::closed, "pool closed"));
            if (w.pin) asio::post(ex_, [h = std::move(w.pin)] { h(make_error(Errc::closed, "pool closed"), nullptr); });
        }
        auto conns = std::move(conns_);
        conns_.clear();
        for (auto& c : conns) c->close(Errc::closed, "pool closed");
        if (control_) control_->close(Errc::closed, "pool closed");
        control_.reset();
        for (auto& d : listens_waiting_for_control_) asio::post(ex_, [d] { d(make_error(Errc::closed, "pool closed")); });
        listens_waiting_for_control_.clear();
        if (start_done_) {
            asio::post(ex_, [d = std::move(start_done_)] { d(make_error(Errc::closed, "pool closed while starting")); });
            start_done_ = nullptr;
        }
    }
    asio::post(ex_, std::move(done));
}

// ---- statements --------------------------------------------------------------

RequestPtr PoolCore::make_request(RequestKind kind, std::string sql, std::vector<Value> params,
                                  std::function<void(std::exception_ptr, Result)> complete) {
    auto r = std::make_shared<Request>();
    r->kind = kind;
    r->sql = std::move(sql);
    r->complete = std::move(complete);
    try {
        // libpq takes the SQL as a C string: a NUL would silently cut it short.
        if (r->sql.find('\0') != std::string::npos)
            throw Error(make_error_code(Errc::bad_value), "SQL text contains a NUL byte");
        r->bound = bind_params(params);
    } catch (...) {
        r->finish(std::current_exception());
        return nullptr;
    }
    if (settings_->log_params) r->params = std::move(params);
    return r;
}

bool PoolCore::arm(const RequestPtr& r, const StatementOptions& options) {
    if (options.cancel) {
        if (options.cancel->canceled()) {
            r->finish(make_error(Errc::canceled, "statement canceled before it started"));
            return false;
        }
        r->signal = options.cancel;
        std::weak_ptr<Request> wr = r;
        std::weak_ptr<PoolCore> wp = weak_from_this();
        r->signal_slot = options.cancel->attach([wr, wp] {
            auto req = wr.lock();
            auto pool = wp.lock();
            if (req && pool) pool->cancel_request(req, Errc::canceled);
        });
    }
    auto timeout = options.timeout.count() > 0 ? options.timeout : options_.statement_timeout;
    if (timeout.count() > 0) {
        std::weak_ptr<Request> wr = r;
        std::weak_ptr<PoolCore> wp = weak_from_this();
        r->deadlines = deadlines();
        r->deadline = r->deadlines->add(timeout, [wr, wp] {
            auto req = wr.lock();
            auto pool = wp.lock();
            if (req && pool) pool->cancel_request(req, Errc::timeout);
        });
    }
    return true;
}

const std::shared_ptr<DeadlineQueue>& PoolCore::deadlines() {
    if (!deadlines_) deadlines_ = DeadlineQueue::create(ex_);
    return deadlines_;
}

void PoolCore::submit(const RequestPtr& r, const StatementOptions& options) {
    if (closed_) return r->finish(make_error(Errc::closed, "pool closed"));
    if (!available_) return r->finish(make_error(Errc::unavailable, "database unavailable: " + unavailable_reason_));
    if (!arm(r, options)) return;
    if (waiters_.empty()) {
        if (Connection* c = place_for_statement()) {
            bool was_idle = c->load() == 0;
            c->submit(r);
            if (!was_idle) maintain();  // may be stalled everywhere: grow toward max
            return;
        }
    }
    if (waiters_.size() >= options_.max_queue) {
        return r->finish(make_error(Errc::overloaded, "pool queue full (" + std::to_string(options_.max_queue) +
                                                          " waiting)"));
    }
    waiters_.push_back(Waiter{++ticket_seq_, r, nullptr});
    maintain();
}

void PoolCore::submit_to(const std::shared_ptr<Connection>& c, const RequestPtr& r, const StatementOptions& options) {
    if (!arm(r, options)) return;
    c->submit(r);
}

void PoolCore::cancel_request(const RequestPtr& r, Errc reason) {
    if (r->finished) return;
    if (auto c = r->connection.lock()) return c->cancel(r, reason);
    auto it = std::find_if(waiters_.begin(), waiters_.end(), [&](const Waiter& w) { return w.statement == r; });
    if (it == waiters_.end()) return;
    waiters_.erase(it);
    r->finish(make_error(reason, reason == Errc::timeout ? "statement timed out waiting for a connection"
                                                         : "statement canceled while waiting for a connection"));
}

Connection* PoolCore::place_for_statement() const {
    // An idle connection first, else the least loaded one under its cap that
    // is not stalled behind a slow statement, else the least loaded one.
    Connection* best = nullptr;
    bool best_stalled = true;
    auto now = std::chrono::steady_clock::now();
    for (const auto& c : conns_) {
        if (c->pinned || !c->accepting() || !c->has_capacity()) continue;
        if (c->load() == 0) return c.get();
        bool stalled = c->stalled(now, options_.grow_after);
        if (!best || (best_stalled && !stalled) || (stalled == best_stalled && c->load() < best->load())) {
            best = c.get();
            best_stalled = stalled;
        }
    }
    if (!best || !best_stalled) return best;
    // Every candidate is stuck behind a slow statement: rather than queue
    // behind it too, wait for a connection that is opening or can be opened.
    bool another_coming = connecting_ > 0 || (conns_.size() < options_.max_connections && !retry_pending_);
    return another_coming ? nullptr : best;
}

Connection* PoolCore::pick_for_pin() const {
    Connection* best = nullptr;
    for (const auto& c : conns_) {
        if (c->pinned || !c->accepting()) continue;
        if (c->load() == 0) return c.get();
        if (!best || c->load() < best->load()) best = c.get();
    }
    return best;
}

std::shared_ptr<Connection> PoolCore::shared(Connection* c) const {
    for (const auto& p : conns_)
        if (p.get() == c) return p;
    return nullptr;
}

void PoolCore::feed() {
    while (!waiters_.empty()) {
        Waiter& w = waiters_.front();
        if (w.statement) {
            Connection* c = place_for_statement();
            if (!c) return;
            RequestPtr r = std::move(w.statement);
            waiters_.pop_front();
            c->submit(r);
        } else {
            Connection* c = pick_for_pin();
            if (!c) return;
            c->pinned = true;
            PinHandler h = std::move(w.pin);
            waiters_.pop_front();
            asio::post(ex_, [h = std::move(h), sc = shared(c)] { h(nullptr, sc); });
        }
    }
}

// ---- interactions ------------------------------------------------------------

std::uint64_t PoolCore::acquire(PinHandler handler) {
    auto fail = [&](Errc code, std::string what) {
        asio::post(ex_, [h = std::move(handler), code, what] { h(make_error(code, what), nullptr); });
        return std::uint64_t{0};
    };
    if (closed_) return fail(Errc::closed, "pool closed");
    if (!available_) return fail(Errc::unavailable, "database unavailable: " + unavailable_reason_);
    if (waiters_.empty()) {
        if (Connection* c = pick_for_pin()) {
            c->pinned = true;
            asio::post(ex_, [h = std::move(handler), sc = shared(c)] { h(nullptr, sc); });
            return 0;
        }
    }
    if (waiters_.size() >= options_.max_queue) return fail(Errc::overloaded, "pool queue full");
    waiters_.push_back(Waiter{++ticket_seq_, nullptr, std::move(handler)});
    maintain();
    return ticket_seq_;
}

void PoolCore::cancel_acquire(std::uint64_t ticket, Errc reason) {
    auto it = std::find_if(waiters_.begin(), waiters_.end(), [&](const Waiter& w) { return w.ticket == ticket; });
    if (it == waiters_.end() || !it->pin) return;
    PinHandler h = std::move(it->pin);
    waiters_.erase(it);
    asio::post(ex_, [h = std::move(h), reason] {
        h(make_error(reason, reason == Errc::timeout ? "interaction timed out waiting for a connection"
                                                     : "interaction canceled while waiting for a connection"),
          nullptr);
    });
}

void PoolCore::release(const std::shared_ptr<Connection>& c, bool healthy) {
    c->pinned = false;
    if (!healthy) {
        c->close(Errc::closed, "connection closed after a failed ROLLBACK");
        remove(c.get());
        maintain();
    }
    feed();
    trim();
    if (healthy) note_idle(*c);
}

// ---- connections, loss and reconnection ------------------------------------

void PoolCore::spawn() {
    auto c = std::make_shared<Connection>(ex_, settings_, weak_from_this(), ++conn_seq_);
    conns_.push_back(c);
    ++connecting_;
    std::weak_ptr<PoolCore> wp = weak_from_this();
    c->async_connect([wp, c](std::exception_ptr e) {
        if (auto p = wp.lock()) p->on_connected(c, e);
    });
}

void PoolCore::remove(Connection* c) {
    conns_.erase(std::remove_if(conns_.begin(), conns_.end(), [c](const auto& p) { return p.get() == c; }),
                 conns_.end());
}

void PoolCore::on_connected(const std::shared_ptr<Connection>& c, std::exception_ptr e) {
    --connecting_;
    if (closed_) return;
    if (e) {
        remove(c.get());
        finish_start(c->id(), "connection " + std::to_string(c->id()) + ": " + c->last_error());
        connect_failed(e);
        return;
    }
    finish_start(c->id(), "");
    backoff_.reset();
    available_ = true;
    bool recovered = degraded_;
    degraded_ = false;
    if (recovered) {
        spdlog::info("pgwamp.db: database connection restored");
        for (auto& h : recovered_handlers_) {
            asio::post(ex_, [h] {
                try {
                    h();
                } catch (const std::exception& x) {
                    spdlog::warn("pgwamp.db: recovery handler threw: {}", x.what());
                } catch (...) {
                    spdlog::warn("pgwamp.db: recovery handler threw");
                }
            });
        }
    }
    feed();
    maintain();
    note_idle(*c);  // nothing waited for it: it may never see work
}

void PoolCore::connect_failed(std::exception_ptr e) {
    degraded_ = true;
    bool any_ready = std::any_of(conns_.begin(), conns_.end(), [](const auto& p) { return p->ready(); });
    if (!any_ready) become_unavailable(describe(e));  // unreachable: fail fast, do not queue
    schedule_retry();
}

void PoolCore::become_unavailable(const std::string& why) {
    if (available_) spdlog::warn("pgwamp.db: database unavailable: {}", why);
    available_ = false;
    unavailable_reason_ = why;
    auto waiters = std::move(waiters_);
    waiters_.clear();
    for (auto& w : waiters) {
        if (w.statement) w.statement->finish(make_error(Errc::unavailable, "database unavailable: " + why));
        if (w.pin)
            asio::post(ex_, [h = std::move(w.pin), why] {
                h(make_error(Errc::unavailable, "database unavailable: " + why), nullptr);
            });
    }
}

void PoolCore::schedule_retry() {
    if (retry_pending_ || closed_) return;
    auto delay = backoff_.next();
    if (!delay) {
        spdlog::error("pgwamp.db: giving up reconnecting after {} attempts", backoff_.attempts());
        return;
    }
    retry_pending_ = true;
    retry_timer_.expires_after(*delay);
    std::weak_ptr<PoolCore> wp = weak_from_this();
    retry_timer_.async_wait([wp](const boost::system::error_code& ec) {
        auto p = wp.lock();
        if (!p || ec) return;
        p->retry_pending_ = false;
        p->maintain();
    });
}

void PoolCore::maintain() {
    if (closed_ || retry_pending_ || !started_) return;
    std::size_t have = conns_.size();
    std::size_t want = std::max<std::size_t>(options_.min_connections, 1);
    while (have < want) {
        spawn();
        ++have;
    }
    // Grow by one at a time while work waits (every connection pinned or at
    // its pipeline cap) or every connection is stalled behind a slow
    // statement. A connection that answers quickly takes more pipelined work.
    if (have < options_.max_connections && connecting_ == 0) {
        auto now = std::chrono::steady_clock::now();
        bool spare = std::any_of(conns_.begin(), conns_.end(), [&](const auto& c) {
            return c->accepting() && !c->pinned && !c->stalled(now, options_.grow_after);
        });
        if (!waiters_.empty() || !spare) spawn();
    }
}

void PoolCore::on_capacity(Connection& c) {
    if (!waiters_.empty()) feed();
    note_idle(c);
    if (conns_.size() > options_.max_connections && c.load() == 0 && !c.pinned) {
        // Posted: the connection is in the middle of its own read handler.
        std::weak_ptr<PoolCore> wp = weak_from_this();
        asio::post(ex_, [wp] {
            if (auto p = wp.lock()) p->trim();
        });
    }
}

void PoolCore::set_limits(std::size_t min_connections, std::size_t max_connections) {
    options_.max_connections = std::max<std::size_t>(max_connections, 1);
    options_.min_connections = std::min(min_connections, options_.max_connections);
    trim();
    maintain();
    feed();
}

void PoolCore::note_idle(Connection& c) {
    if (c.load() != 0 || c.pinned || closed_) return;
    c.idle_since = std::chrono::steady_clock::now();
    schedule_idle_check();
}

void PoolCore::schedule_idle_check() {
    if (conns_.size() <= options_.min_connections || options_.idle_timeout.count() <= 0 || idle_check_) return;
    std::weak_ptr<PoolCore> wp = weak_from_this();
    idle_check_ = deadlines()->add(options_.idle_timeout, [wp] {
        if (auto p = wp.lock()) {
            p->idle_check_ = {};
            p->close_idle();
        }
    });
}

void PoolCore::close_idle() {
    if (closed_) return;
    auto now = std::chrono::steady_clock::now();
    bool more_idle = false;
    for (std::size_t i = 0; i < conns_.size() && conns_.size() > options_.min_connections;) {
        auto c = conns_[i];
        bool idle = c->ready() && !c->pinned && c->load() == 0;
        if (idle && now - c->idle_since >= options_.idle_timeout) {
            spdlog::info("pgwamp.db: closing connection {}: idle for {} ms", c->id(), options_.idle_timeout.count());
            c->close(Errc::closed, "idle");
            conns_.erase(conns_.begin() + static_cast<std::ptrdiff_t>(i));
            continue;
        }
        more_idle = more_idle || idle;
        ++i;
    }
    // Idle ones not due yet: look again one timeout later (a busy one is
    // noted again when its work ends).
    if (more_idle) schedule_idle_check();
}

void PoolCore::trim() {
    if (closed_) return;
    for (std::size_t i = 0; i < conns_.size() && conns_.size() > options_.max_connections;) {
        auto c = conns_[i];
        if (c->ready() && !c->pinned && c->load() == 0) {
            c->close(Errc::closed, "pool shrunk");
            conns_.erase(conns_.begin() + static_cast<std::ptrdiff_t>(i));
        } else {
            ++i;
        }
    }
}

void PoolCore::on_lost(Connection& c, const std::string& why) {
    if (closed_) return;
    if (control_ && &c == control_.get()) {
        spdlog::warn("pgwamp.db: control connection lost: {}", why);
        control_.reset();
        spawn_control();
        return;
    }
    spdlog::warn("pgwamp.db: connection {} lost: {}", c.id(), why);
    degraded_ = true;
    remove(&c);
    maintain();
}

void PoolCore::set_statement_logger(StatementLogger logger, bool include_params) {
    settings_->logger = std::move(logger);
    settings_->log_params = include_params && settings_->logger;
}

}  // namespace pgwamp::db
