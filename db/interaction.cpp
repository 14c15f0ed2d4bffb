#include "db/interaction.hpp"

#include <algorithm>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>

#include "db/cancel_signal.hpp"
#include "db/connection.hpp"
#include "db/local_settings.hpp"
#include "db/pool_core.hpp"

namespace pgwamp::db {

namespace asio = boost::asio;

const asio::any_io_executor& Transaction::executor() const { return run_.executor(); }

void Transaction::submit(RequestKind kind, std::string sql, std::vector<Value> params, StatementOptions options,
                         std::function<void(std::exception_ptr, Result)> complete) {
    run_.statement(kind, std::move(sql), std::move(params), std::move(options), std::move(complete));
}

namespace detail {
namespace {

std::shared_ptr<const Error> as_error(std::exception_ptr e) {
    try {
        std::rethrow_exception(e);
    } catch (const Error& x) {
        return std::make_shared<Error>(x);
    } catch (const std::exception& x) {
        auto error = std::make_shared<Error>(make_error_code(Errc::interaction_failed), x.what());
        error->set_cause(e);
        return error;
    } catch (...) {
        return std::make_shared<Error>(make_error_code(Errc::interaction_failed), "unknown exception");
    }
}

// The body's error as the caller will get it: a db::Error unchanged, anything
// else as interaction_failed with its message.
std::exception_ptr as_db_exception(std::exception_ptr e) {
    try {
        std::rethrow_exception(e);
    } catch (const Error&) {
        return e;
    } catch (...) {
        return std::make_exception_ptr(*as_error(e));
    }
}

}  // namespace

InteractionRun::InteractionRun(std::shared_ptr<PoolCore> core, Body body, StatementOptions options,
                               std::function<void(std::exception_ptr, Value)> complete)
    : core_(std::move(core)),
      body_(std::move(body)),
      options_(std::move(options)),
      complete_(std::move(complete)),
      tx_(*this) {}

const asio::any_io_executor& InteractionRun::executor() const { return core_->executor(); }

std::exception_ptr InteractionRun::cancel_error() const {
    return make_error(cancel_reason_, cancel_reason_ == Errc::timeout ? "interaction timed out" : "interaction canceled");
}

void InteractionRun::start() {
    auto self = shared_from_this();
    keep_alive_ = self;
    {
        // Closing the pool ends the interaction with Errc::closed.
        std::weak_ptr<InteractionRun> weak = self;
        close_slot_ = core_->closing_signal().attach([weak] {
            if (auto s = weak.lock()) s->cancel(Errc::closed);
        });
    }
    if (options_.cancel) {
        if (options_.cancel->canceled()) {
            canceled_ = true;
            return finish(cancel_error());
        }
        std::weak_ptr<InteractionRun> weak = self;
        signal_slot_ = options_.cancel->attach([weak] {
            if (auto s = weak.lock()) s->cancel(Errc::canceled);
        });
    }
    if (options_.timeout.count() > 0) {
        std::weak_ptr<InteractionRun> weak = self;
        deadline_ = core_->deadlines()->add(options_.timeout, [weak] {
            if (auto s = weak.lock()) s->cancel(Errc::timeout);
        });
    }
    ticket_ = core_->acquire([self](std::exception_ptr e, std::shared_ptr<Connection> c) {
        self->on_pinned(e, std::move(c));
    });
}

void InteractionRun::cancel(Errc reason) {
    if (reason == Errc::closed) {
        // The pool closed every connection: the server rolls back by itself.
        return finish(make_error(Errc::closed, "pool closed during the interaction"));
    }
    if (canceled_ || phase_ == Phase::ending || phase_ == Phase::done) return;
    canceled_ = true;
    cancel_reason_ = reason;
    if (phase_ == Phase::acquiring) {
        if (ticket_) core_->cancel_acquire(ticket_, reason);
        return;  // if already granted, on_pinned sees canceled_
    }
    for (auto& w : running_)
        if (auto r = w.lock()) core_->cancel_request(r, reason);
    if (phase_ == Phase::body) {
        // Do not wait for the body: it may never finish (a callback body
        // that forgets `done`, a coroutine awaiting something else). Its
        // later statements are refused and its result ignored; the ROLLBACK
        // queues behind whatever it still has in flight.
        body_done_ = true;
        phase_ = Phase::ending;
        auto self = shared_from_this();
        asio::post(executor(), [self] { self->rollback_then_fail(self->cancel_error()); });
    }
}

void InteractionRun::on_pinned(std::exception_ptr e, std::shared_ptr<Connection> c) {
    ticket_ = 0;
    if (e) return finish(e);
    conn_ = std::move(c);
    if (canceled_) {
        core_->release(conn_, true);
        return finish(cancel_error());
    }
    phase_ = Phase::beginning;
    auto self = shared_from_this();
    const bool has_settings = options_.local_settings != nullptr;
    exec(options_.repeatable_read_only ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
         : options_.read_only          ? "BEGIN READ ONLY"
                                       : "BEGIN",
         [self, has_settings](std::exception_ptr err, Result) {
        if (err) {
            // Unknown transaction state: do not hand this connection on.
            self->core_->release(self->conn_, false);
            return self->finish(err);
        }
        if (!has_settings) self->begun();
    });
    if (has_settings) {
        // Sent with the BEGIN, before its answer: no extra round trip.
        const auto& settings = *options_.local_settings;
        exec(settings.sql(), settings.bound(), [self](std::exception_ptr err, Result) {
            if (self->phase_ != Phase::beginning) return;  // the BEGIN failed: already over
            if (err) return self->rollback_then_fail(err);
            self->begun();
        });
    }
}

void InteractionRun::begun() {
    if (canceled_) return rollback_then_fail(cancel_error());
    phase_ = Phase::body;
    run_body();
}

void InteractionRun::run_body() {
    auto self = shared_from_this();
    if (auto* cb = std::get_if<CallbackInteraction>(&body_)) {
        auto called = std::make_shared<bool>(false);
        InteractionDone done = [self, called](std::exception_ptr e, Value v) {
            if (*called) return;
            *called = true;
            // The body may call done inline: continue from a fresh handler.
            asio::post(self->executor(), [self, e, v = std::move(v)]() mutable { self->on_body_done(e, std::move(v)); });
        };
        try {
            (*cb)(tx_, done);
        } catch (...) {
            done(std::current_exception(), {});
        }
        return;
    }
    auto& co = std::get<CoroutineInteraction>(body_);
    try {
        asio::co_spawn(executor(), co(tx_), [self](std::exception_ptr e, Value v) { self->on_body_done(e, std::move(v)); });
    } catch (...) {
        auto e = std::current_exception();
        asio::post(executor(), [self, e] { self->on_body_done(e, {}); });
    }
}

void InteractionRun::statement(RequestKind kind, std::string sql, std::vector<Value> params, StatementOptions options,
                               std::function<void(std::exception_ptr, Result)> complete) {
    if (phase_ != Phase::body || body_done_) {
        complete(make_error(Errc::closed, "the interaction is over; its transaction can run no more statements"), {});
        return;
    }
    if (canceled_) return complete(cancel_error(), {});
    std::weak_ptr<InteractionRun> weak = weak_from_this();
    auto r = core_->make_request(kind, std::move(sql), std::move(params),
                                 [weak, complete = std::move(complete)](std::exception_ptr e, Result res) {
                                     if (auto s = weak.lock(); s && e) s->last_statement_error_ = e;
                                     complete(e, std::move(res));
                                 });
    if (!r) return;
    running_.erase(std::remove_if(running_.begin(), running_.end(), [](const auto& w) { return w.expired(); }),
                   running_.end());
    running_.push_back(r);
    r->in_transaction = true;  // a stale plan here is the caller's error, never retried
    core_->submit_to(conn_, r, options);
}

void InteractionRun::on_body_done(std::exception_ptr e, Value v) {
    if (body_done_) return;
    body_done_ = true;
    phase_ = Phase::ending;
    if (canceled_) return rollback_then_fail(cancel_error());
    if (e) return rollback_then_fail(as_db_exception(e));
    commit(std::move(v));
}

void InteractionRun::commit(Value v) {
    auto self = shared_from_this();
    auto status = std::make_shared<std::string>();
    exec(
        "COMMIT",
        [self, status, v = std::move(v)](std::exception_ptr err, Result) mutable {
            if (err) return self->rollback_then_fail(err);
            self->core_->release(self->conn_, true);
            if (*status == "ROLLBACK") {
                // The body swallowed a statement's error: the server rolled back.
                auto original = self->last_statement_error_
                                    ? self->last_statement_error_
                                    : make_error(Errc::sql_error, "the transaction had failed; COMMIT rolled it back");
                return self->finish(original);
            }
            self->finish(nullptr, std::move(v));
        },
        status, options_.commit_position);
}

void InteractionRun::rollback_then_fail(std::exception_ptr original) {
    phase_ = Phase::ending;
    if (!conn_->ready()) {
        // The connection is gone (lost during a statement or COMMIT): the
        // server rolls back by itself, and a ROLLBACK could only fail with
        // "closed", which would hide the real error (connection_lost: a lost
        // COMMIT may or may not have committed) behind rollback_failed.
        core_->release(conn_, false);
        return finish(original);
    }
    auto self = shared_from_this();
    exec("ROLLBACK", [self, original](std::exception_ptr err, Result) {
        if (!err) {
            self->core_->release(self->conn_, true);
            return self->finish(original);
        }
        auto why = as_error(err);
        auto first = as_error(original);
        self->core_->release(self->conn_, false);
        self->finish(std::make_exception_ptr(Error(make_error_code(Errc::rollback_failed),
                                                   std::string("ROLLBACK failed (") + why->what() +
                                                       ") after: " + first->what(),
                                                   why->diagnostics(), first)));
    });
}

void InteractionRun::exec(const char* sql, std::function<void(std::exception_ptr, Result)> then,
                          std::shared_ptr<std::string> status, std::shared_ptr<CommitPosition> position) {
    exec(sql, BoundParams{}, std::move(then), std::move(status), std::move(position));
}

void InteractionRun::exec(std::string sql, BoundParams bound, std::function<void(std::exception_ptr, Result)> then,
                          std::shared_ptr<std::string> status, std::shared_ptr<CommitPosition> position) {
    auto ex = executor();
    auto r = core_->make_request(RequestKind::execute, std::move(sql), {},
                                 [ex, then = std::move(then)](std::exception_ptr e, Result res) mutable {
                                     asio::post(ex, [then = std::move(then), e, res = std::move(res)]() mutable {
                                         then(e, std::move(res));
                                     });
                                 });
    if (!r) return;
    r->bound = std::move(bound);
    r->status_sink = std::move(status);
    r->commit_position = std::move(position);
    // Never carries a DEALLOCATE: in an aborted transaction it would fail
    // and take the ROLLBACK or COMMIT behind it down (db/pg_driver.cpp).
    r->in_transaction = true;
    conn_->submit(r);  // no timeout, no cancel: BEGIN/COMMIT/ROLLBACK must run
}

void InteractionRun::finish(std::exception_ptr e, Value v) {
    if (phase_ == Phase::done) return;
    phase_ = Phase::done;
    if (deadline_) core_->deadlines()->remove(deadline_);
    if (options_.cancel) options_.cancel->detach(signal_slot_);
    core_->closing_signal().detach(close_slot_);
    auto complete = std::move(complete_);
    complete_ = nullptr;
    if (complete) complete(e, std::move(v));
    keep_alive_.reset();  // may destroy *this: nothing after this line
}

}  // namespace detail
}  // namespace pgwamp::db
