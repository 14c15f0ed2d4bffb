#include "db/pool_core.hpp"

#include "db/local_settings.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "db/cancel_signal.hpp"
#include "db/completion_helpers.hpp"
#include "db/local_settings.hpp"
#include "pg/type_registry.hpp"

namespace pgwamp::db {

namespace asio = boost::asio;
using detail::describe;
using Kind = PoolState::Action::Kind;

// ---- start and close -------------------------------------------------------

void PoolCore::start(std::function<void(std::exception_ptr)> done) {
    if (state_.started() || state_.closed()) {
        asio::post(ex_, [done] { done(make_error(Errc::closed, "the pool was already started or closed")); });
        return;
    }
    start_done_ = std::move(done);
    state_.start(PoolClock::now(), actions_);
    for (const auto& a : actions_) start_ids_.insert(a.conn);
    start_ids_.insert(0);  // the control connection
    apply();
    control_reconnector_.start();
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
    if (!state_.closed()) {
        state_.close(actions_);
        closing_.cancel();
        timer_.cancel();
        control_reconnector_.cancel();
        if (deadlines_) deadlines_->clear();
        apply();
        conns_.clear();  // (apply took the ones PoolState knew; connecting ones too)
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

// ---- applying PoolState's decisions -------------------------------------------

void PoolCore::apply() {
    // Applying never calls back into PoolState (connections and handlers
    // answer from their own handlers), so actions_ is stable here.
    for (auto& a : actions_) apply(a);
    actions_.clear();
    rearm_timer();
}

void PoolCore::apply(PoolState::Action& a) {
    switch (a.kind) {
        case Kind::open: spawn(a.conn); return;
        case Kind::send: {
            auto it = waiting_.find(a.ticket);
            if (it == waiting_.end()) return;
            RequestPtr r = std::move(it->second.statement);
            waiting_.erase(it);
            r->ticket = 0;
            if (auto c = connection(a.conn)) return c->submit(std::move(r));
            return r->finish(make_error(Errc::connection_lost, "its connection closed before the statement was sent"));
        }
        case Kind::pin: {
            auto it = waiting_.find(a.ticket);
            if (it == waiting_.end()) return;
            PinHandler h = std::move(it->second.pin);
            waiting_.erase(it);
            asio::post(ex_, [h = std::move(h), c = connection(a.conn)] { h(nullptr, c); });
            return;
        }
        case Kind::fail: {
            auto it = waiting_.find(a.ticket);
            if (it == waiting_.end()) return;
            Waiting w = std::move(it->second);
            waiting_.erase(it);
            auto e = a.error == Errc::unavailable ? make_error(a.error, "database unavailable: " + a.why)
                                                  : make_error(a.error, a.why);
            if (w.statement) w.statement->finish(e);
            if (w.pin) asio::post(ex_, [h = std::move(w.pin), e] { h(e, nullptr); });
            return;
        }
        case Kind::close: {
            auto c = take(a.conn);
            if (!c) return;
            // The pool closing (a caller's close, never inside a connection's
            // handler) closes at once, so what runs fails now; any other
            // decision may come from inside the connection's own read handler
            // (its last statement just completed): posted.
            if (state_.closed()) return c->close(Errc::closed, a.why);
            spdlog::info("event=database_connection_closing connection={} reason=\"{}\"", a.conn, a.why);
            asio::post(ex_, [c, why = std::move(a.why)] { c->close(Errc::closed, why); });
            return;
        }
        case Kind::unavailable: spdlog::warn("event=database_unavailable reason=\"{}\"", a.why); return;
        case Kind::recovered:
            spdlog::info("event=database_restored");
            run_recovered_handlers();
            return;
        case Kind::gave_up:
            spdlog::error("event=database_gave_up reason=max_attempts error=\"{}\"", a.why);
            return;
    }
}

void PoolCore::rearm_timer() {
    // Moved only when the wanted wake-up is earlier than the armed one; a
    // timer that fires early just asks PoolState again (a per-call re-arm
    // would cost a timerfd_settime per statement).
    auto next = state_.next_wakeup();
    if (!next || (timer_at_ && *timer_at_ <= *next)) return;
    timer_at_ = next;
    timer_.expires_at(*next);
    std::weak_ptr<PoolCore> wp = weak_from_this();
    timer_.async_wait([wp](const boost::system::error_code& ec) {
        auto p = wp.lock();
        if (!p || ec) return;  // aborted: re-armed earlier, or closed
        p->timer_at_.reset();
        p->on_timer();
    });
}

void PoolCore::on_timer() {
    state_.timer(PoolClock::now(), actions_);
    apply();
}

void PoolCore::run_recovered_handlers() {
    for (auto& h : recovered_handlers_) {
        asio::post(ex_, [h] {
            try {
                h();
            } catch (const std::exception& x) {
                spdlog::warn("event=handler_threw handler=recovery error=\"{}\"", x.what());
            } catch (...) {
                spdlog::warn("event=handler_threw handler=recovery");
            }
        });
    }
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
    r->local_settings =
        options.read_only && !r->in_transaction ? with_read_only(options.local_settings) : options.local_settings;
    // Inside an explicit transaction the commit is the COMMIT's (db/interaction.cpp).
    if (!r->in_transaction) r->commit_position = options.commit_position;
    r->read_group = options.read_only && !r->in_transaction && !options.commit_position;
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

std::exception_ptr PoolCore::failure(Errc error) const {
    switch (error) {
        case Errc::unavailable: return make_error(error, "database unavailable: " + state_.unavailable_reason());
        case Errc::overloaded:
            return make_error(error, "pool queue full (" + std::to_string(options_.max_queue) + " waiting)");
        default: return make_error(error, "pool closed");
    }
}

void PoolCore::fail(const RequestPtr& r, Errc error) { r->finish(failure(error)); }

void PoolCore::submit(const RequestPtr& r, const StatementOptions& options) {
    // Armed only when it can run: an unavailable pool fails it at once.
    r->prepare = options.prepare;
    if (state_.available() && !arm(r, options)) return;
    auto d = state_.statement(PoolClock::now(), actions_);
    switch (d.kind) {
        case PoolState::Decision::Kind::use: connection(d.conn)->submit(r); break;
        case PoolState::Decision::Kind::queued:
            r->ticket = d.ticket;
            waiting_.emplace(d.ticket, Waiting{r, nullptr});
            break;
        case PoolState::Decision::Kind::fail: fail(r, d.error); break;
    }
    // Placed at once with nothing else decided: the hot path, no timer work.
    if (d.kind != PoolState::Decision::Kind::use || !actions_.empty()) apply();
}

void PoolCore::submit_to(const std::shared_ptr<Connection>& c, const RequestPtr& r, const StatementOptions& options) {
    r->prepare = options.prepare;
    if (!arm(r, options)) return;
    c->submit(r);
}

void PoolCore::cancel_request(const RequestPtr& r, Errc reason) {
    if (r->finished) return;
    if (auto c = r->connection.lock()) return c->cancel(r, reason);
    if (!r->ticket || !state_.withdraw(r->ticket)) return;
    waiting_.erase(r->ticket);
    r->ticket = 0;
    r->finish(make_error(reason, reason == Errc::timeout ? "statement timed out waiting for a connection"
                                                         : "statement canceled while waiting for a connection"));
}

// ---- interactions ------------------------------------------------------------

std::uint64_t PoolCore::acquire(PinHandler handler) {
    auto d = state_.interaction(PoolClock::now(), actions_);
    std::uint64_t ticket = 0;
    switch (d.kind) {
        case PoolState::Decision::Kind::use:
            asio::post(ex_, [h = std::move(handler), c = connection(d.conn)] { h(nullptr, c); });
            break;
        case PoolState::Decision::Kind::queued:
            ticket = d.ticket;
            waiting_.emplace(d.ticket, Waiting{nullptr, std::move(handler)});
            break;
        case PoolState::Decision::Kind::fail:
            asio::post(ex_, [h = std::move(handler), e = failure(d.error)] { h(e, nullptr); });
            break;
    }
    apply();
    return ticket;
}

void PoolCore::cancel_acquire(std::uint64_t ticket, Errc reason) {
    if (!state_.withdraw(ticket)) return;
    auto it = waiting_.find(ticket);
    if (it == waiting_.end()) return;
    PinHandler h = std::move(it->second.pin);
    waiting_.erase(it);
    asio::post(ex_, [h = std::move(h), reason] {
        h(make_error(reason, reason == Errc::timeout ? "interaction timed out waiting for a connection"
                                                     : "interaction canceled while waiting for a connection"),
          nullptr);
    });
}

void PoolCore::release(const std::shared_ptr<Connection>& c, bool healthy) {
    state_.release(c->id(), healthy, PoolClock::now(), actions_);
    apply();
}

void PoolCore::set_limits(std::size_t min_connections, std::size_t max_connections) {
    state_.set_limits(min_connections, max_connections, PoolClock::now(), actions_);
    apply();
}

// ---- connections ---------------------------------------------------------------

void PoolCore::spawn(std::size_t id) {
    auto c = std::make_shared<Connection>(ex_, settings_, weak_from_this(), id);
    conns_.push_back(c);
    state_.attach(id, c.get());
    std::weak_ptr<PoolCore> wp = weak_from_this();
    // Weak: a connection must not own itself through its own connect
    // handler (a pool dropped mid-connect would leak it).
    std::weak_ptr<Connection> wc = c;
    c->async_connect([wp, wc](std::exception_ptr e) {
        auto p = wp.lock();
        auto conn = wc.lock();
        if (p && conn) p->on_connected(conn, e);
    });
}

std::shared_ptr<Connection> PoolCore::connection(std::size_t id) const {
    for (const auto& c : conns_)
        if (c->id() == id) return c;
    return nullptr;
}

std::shared_ptr<Connection> PoolCore::take(std::size_t id) {
    auto it = std::find_if(conns_.begin(), conns_.end(), [id](const auto& c) { return c->id() == id; });
    if (it == conns_.end()) return nullptr;
    auto c = std::move(*it);
    conns_.erase(it);
    return c;
}

void PoolCore::on_connected(const std::shared_ptr<Connection>& c, std::exception_ptr e) {
    if (state_.closed()) return;
    auto now = PoolClock::now();
    if (e) {
        take(c->id());
        finish_start(c->id(), "connection " + std::to_string(c->id()) + ": " + c->last_error());
        state_.connect_failed(c->id(), now, describe(e), actions_);
    } else {
        finish_start(c->id(), "");
        state_.connected(c->id(), now, actions_);
    }
    apply();
}

void PoolCore::on_capacity(Connection& c) {
    state_.capacity(c.id(), PoolClock::now(), actions_);
    apply();
}

void PoolCore::on_lost(Connection& c, const std::string& why) {
    if (state_.closed()) return;
    if (control_ && &c == control_.get()) {
        spdlog::warn("event=database_connection_lost connection=control error=\"{}\"", why);
        control_.reset();
        control_reconnector_.on_failure(control_generation_);  // the first retry runs at once
        return;
    }
    spdlog::warn("event=database_connection_lost connection={} error=\"{}\"", c.id(), why);
    auto keep = take(c.id());  // alive until this handler returns
    state_.lost(c.id(), PoolClock::now(), actions_);
    apply();
}

void PoolCore::set_statement_logger(StatementLogger logger, bool include_params) {
    settings_->logger = std::move(logger);
    settings_->log_params = include_params && settings_->logger;
}

}  // namespace pgwamp::db
