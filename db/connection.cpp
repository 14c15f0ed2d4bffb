#include "db/connection.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>

#include "db/local_settings.hpp"
#include "db/pg_driver.hpp"
#include "pg/type_registry.hpp"

namespace pgwamp::db {

namespace asio = boost::asio;
using wait_type = asio::posix::descriptor_base::wait_type;

Connection::Connection(asio::any_io_executor ex, std::shared_ptr<const ConnectionSettings> settings,
                       std::weak_ptr<ConnectionListener> listener, std::size_t id)
    : ex_(ex),
      settings_(std::move(settings)),
      listener_(std::move(listener)),
      id_(id),
      driver_owner_(settings_->driver_factory ? settings_->driver_factory() : std::make_unique<PgDriver>(settings_->prepared_statements)),
      driver_(*driver_owner_),
      fifo_(settings_->max_in_flight),
      socket_(ex),
      connect_loop_(ex, socket_, driver_),
      cancel_retry_timer_(ex) {}

Connection::~Connection() {
    // libpq owns the socket: take it back from Asio before PQfinish closes it.
    if (socket_.is_open()) socket_.release();
}

void Connection::async_connect(std::function<void(std::exception_ptr)> done) {
    connect_done_ = std::move(done);
    state_ = State::connecting;
    connect_loop_.start(settings_->conninfo, settings_->resolver, settings_->connect_timeout, weak_from_this(),
                        [this](std::optional<std::string> failure) {
                            if (state_ != State::connecting) return;
                            if (failure) return connect_failed(*failure);
                            connected();
                        });
}

void Connection::connected() {
    if (!driver_.enter_pipeline() || !connect_loop_.sync_socket()) {
        connect_failed("cannot enter pipeline mode: " + driver_.error_message());
        return;
    }
    backend_pid_ = driver_.backend_pid();
    state_ = State::ready;
    arm_read();
    auto done = std::move(connect_done_);
    connect_done_ = nullptr;
    if (done) done(nullptr);
}

void Connection::connect_failed(const std::string& why) {
    last_error_ = why;
    state_ = State::closed;
    connect_loop_.cancel();
    if (socket_.is_open()) socket_.release();
    driver_.finish();
    auto done = std::move(connect_done_);
    connect_done_ = nullptr;
    if (done) done(make_error(Errc::connect_failed, "cannot connect to PostgreSQL: " + why));
}

void Connection::submit(RequestPtr r) {
    if (state_ != State::ready) {
        r->finish(make_error(Errc::closed, "connection is closed"));
        return;
    }
    r->connection = weak_from_this();
    fifo_.enqueue(std::move(r));
    schedule_pump();
}

void Connection::schedule_pump() {
    // Statements submitted in one turn of the loop (typically by the
    // handlers of the previous batch of results) go out together.
    if (pump_posted_) return;
    pump_posted_ = true;
    asio::post(ex_, [self = shared_from_this()] {
        self->pump_posted_ = false;
        self->pump();
    });
}

bool Connection::stalled(PoolClock::time_point now, PoolClock::duration longer_than) const {
    const Request* oldest = fifo_.head();  // null: nothing sent yet, the next pump sends it
    return oldest && now - oldest->sent_at >= longer_than;
}

void Connection::requeue(std::vector<RequestPtr>& requests) {
    for (auto it = requests.rbegin(); it != requests.rend(); ++it) fifo_.requeue_front(std::move(*it));
    requests.clear();
}

bool Connection::same_settings(const Request& a, const Request& b) {
    if (a.local_settings == b.local_settings) return true;
    return a.local_settings && b.local_settings && a.local_settings->settings() == b.local_settings->settings();
}

bool Connection::close_group() {
    // The member before the refused one carries no Sync: one of its own, now.
    if (Request* last = fifo_.last_sent()) last->shares_sync = false;
    if (driver_.send_sync()) return true;
    lose(driver_.error_message());
    return false;
}

void Connection::pump() {
    std::size_t sent = 0;
    bool corked = false;
    bool open_group = false;  // the last request sent shares its Sync with the next
    std::chrono::steady_clock::time_point now{};
    while (state_ == State::ready) {
        RequestPtr r = fifo_.next_to_send();
        if (!r) break;
        if (sent == 0) {
            now = std::chrono::steady_clock::now();  // one clock read per batch
            if (fifo_.unsent() > 0) {
                driver_.cork(true);
                corked = true;
            }
        }
        r->sent_at = now;
        // Read groups (Request::read_group): reads sent back to back with
        // the same settings share one implicit transaction and one Sync.
        r->group_follower = open_group;
        const Request* next = fifo_.peek_next();
        r->shares_sync = r->read_group && next && next->read_group && same_settings(*r, *next);
        if (!driver_.send(*r)) {
            if (driver_.is_bad()) {
                lose(driver_.error_message());
                return;
            }
            // libpq refused this request alone (e.g. too many parameters):
            // fail it, keep the connection and its neighbours.
            fifo_.unsend_last();
            r->finish(make_error(Errc::bad_value, "libpq refused the statement: " + driver_.error_message()));
            if (open_group && !close_group()) return;
            open_group = false;
            continue;
        }
        open_group = r->shares_sync;
        ++sent;
    }
    if (corked) driver_.cork(false);
    if (sent) flush();
}

void Connection::flush() {
    if (writing_ || state_ != State::ready) return;  // a pending write wait flushes
    switch (driver_.flush()) {
        case Driver::Flush::done: return;
        case Driver::Flush::failed: lose(driver_.error_message()); return;
        case Driver::Flush::more:
            writing_ = true;
            socket_.async_wait(wait_type::wait_write, [self = shared_from_this()](const boost::system::error_code& ec) {
                self->writing_ = false;
                if (!ec && self->state_ == State::ready) self->flush();
            });
            return;
    }
}

void Connection::arm_read() {
    if (reading_ || state_ != State::ready) return;
    reading_ = true;
    socket_.async_wait(wait_type::wait_read, [self = shared_from_this()](const boost::system::error_code& ec) {
        self->reading_ = false;
        if (!ec && self->state_ == State::ready) self->on_readable();
    });
}

void Connection::on_readable() {
    if (!driver_.consume_input()) {
        std::string why = driver_.error_message();
        process_results();  // deliver what arrived before the end
        lose(why);
        return;
    }
    process_results();
    if (state_ != State::ready) return;
    if (auto l = listener_.lock()) {
        Notification n;
        while (driver_.next_notification(n)) l->on_notification(n);
    }
    flush();  // reading may have unblocked libpq's pending output
    if (state_ != State::ready) return;
    // libpq reads one buffer per call, so bytes may be left on the socket.
    // They are not lost on the edge-triggered epoll: a wait (unlike a read)
    // is never speculative in Asio, and re-arming it is an EPOLL_CTL_MOD,
    // which re-checks readiness and wakes us on the next turn. No peek
    // before re-arming, then: it was a syscall per response for nothing.
    arm_read();
}

void Connection::process_results() {
    if (in_process_) return;
    in_process_ = true;
    bool completed = false;
    std::vector<RequestPtr> resend;  // first in line again, in their order
    while (state_ == State::ready) {
        Driver::Event ev = driver_.next_event(fifo_.head(), *settings_->types);
        if (ev == Driver::Event::none) break;
        if (ev == Driver::Event::statement) {
            // A read group member without its own Sync is done with its result.
            const Request* head = fifo_.head();
            if (!head || !head->shares_sync) continue;
        } else if (ev != Driver::Event::sync) {
            in_process_ = false;
            requeue(resend);
            lose(ev == Driver::Event::broken ? driver_.error_message() : "unsupported protocol message (COPY?)");
            return;
        }
        if (RequestPtr r = fifo_.on_sync()) {
            if (r->aborted_in_group && !r->cancel_requested) {
                // A neighbour's failure skipped it: it never ran. Sent again, in order.
                r->reset_for_retry();
                resend.push_back(std::move(r));
            } else if (r->aborted_in_group) {
                r->finish(make_error(r->cancel_reason, r->cancel_reason == Errc::timeout ? "statement timed out"
                                                                                          : "statement canceled"));
            } else if (r->retry_stale_plan && !r->cancel_requested) {
                // It did not run (db/pg_driver.cpp on_stale_plan): once
                // more, first in line, re-prepared.
                r->reset_for_retry();
                resend.push_back(std::move(r));
            } else {
                complete(r);
            }
            completed = true;
        }
        send_due_cancel();
    }
    in_process_ = false;
    requeue(resend);
    if (completed && state_ == State::ready) {
        pump();
        if (auto l = listener_.lock(); l && state_ == State::ready) l->on_capacity(*this);
    }
}

void Connection::complete(const RequestPtr& r) {
    if (!r->has_outcome) r->error = make_error(Errc::sql_error, "no result for the statement");
    if (settings_->logger) {
        StatementLogEntry e;
        e.sql = r->sql;
        e.param_count = static_cast<std::size_t>(r->bound.size());
        e.duration = std::chrono::steady_clock::now() - r->sent_at;
        if (r->error) {
            try {
                std::rethrow_exception(r->error);
            } catch (const Error& x) {
                e.error = x.code();
            } catch (...) {
                e.error = make_error_code(Errc::sql_error);
            }
        }
        if (settings_->log_params) e.params = &r->params;
        try {
            settings_->logger(e);
        } catch (...) {
            // A logger's failure must not lose the statement's result.
        }
    }
    r->finish_with_outcome();
}

void Connection::cancel(const RequestPtr& r, Errc reason) {
    switch (fifo_.cancel(r.get(), reason)) {
        case PipelineFifo::CancelStep::not_here: return;
        case PipelineFifo::CancelStep::removed:
            r->finish(make_error(reason, reason == Errc::timeout ? "statement timed out before it was sent"
                                                                 : "statement canceled before it was sent"));
            if (auto l = listener_.lock()) l->on_capacity(*this);
            return;
        case PipelineFifo::CancelStep::pending: send_due_cancel(); return;
    }
}

void Connection::send_due_cancel() {
    RequestPtr target = fifo_.take_cancel_to_send();
    if (!target) return;
    std::weak_ptr<Connection> weak = weak_from_this();
    std::weak_ptr<Request> weak_target = target;
    auto answered = [weak, weak_target] {
        auto self = weak.lock();
        if (!self || self->state_ != State::ready) return;
        self->fifo_.cancel_answered();
        auto t = weak_target.lock();
        if (t && self->fifo_.rearm_cancel(t.get())) {
            // Still running: the signal may have arrived before the backend
            // started it. Ask again, a little later each time (max 1 s).
            auto delay = std::chrono::milliseconds(std::min(1000, 20 << std::min(t->cancel_attempts, 6)));
            self->cancel_retry_timer_.expires_after(delay);
            self->cancel_retry_timer_.async_wait([weak](const boost::system::error_code& ec) {
                auto s = weak.lock();
                if (!ec && s && s->state_ == State::ready) s->send_due_cancel();
            });
            return;
        }
        self->pump();
        if (auto l = self->listener_.lock(); l && self->accepting()) l->on_capacity(*self);
    };
    if (auto l = listener_.lock()) {
        l->request_cancel(*this, backend_pid_, std::move(answered));
    } else {
        asio::post(ex_, std::move(answered));
    }
}

void Connection::lose(const std::string& why) {
    if (state_ != State::ready) return;
    last_error_ = why;
    close(Errc::connection_lost, "connection lost: " + why);
    if (auto l = listener_.lock()) l->on_lost(*this, why);
}

void Connection::close(Errc reason, const std::string& why) {
    if (state_ == State::closed) return;
    bool was_connecting = state_ == State::connecting;
    state_ = State::closed;
    connect_loop_.cancel();
    cancel_retry_timer_.cancel();
    for (RequestPtr& r : fifo_.drain()) {
        // A statement that failed on its own keeps its own error; one that
        // succeeded but whose Sync never came is not known to be committed.
        if (r->has_outcome && r->error)
            r->finish(r->error);
        else
            r->finish(make_error(reason, why));
    }
    if (socket_.is_open()) socket_.release();
    driver_.finish();
    if (was_connecting) {
        auto done = std::move(connect_done_);
        connect_done_ = nullptr;
        if (done) asio::post(ex_, [done, why] { done(make_error(Errc::closed, why)); });
    }
}

}  // namespace pgwamp::db
