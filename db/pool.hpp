#pragma once
// db::Pool: the asynchronous PostgreSQL pool callers use (txpostgres'
// ConnectionPool with runQuery/runOperation/runInteraction, pipelined).
//
// Every operation takes an Asio completion token (a callback, or
// boost::asio::use_awaitable to co_await) and completes on the handler's
// associated executor, never inside the call that started it. Errors arrive
// as std::exception_ptr holding a db::Error (see error.hpp for the codes).
// One executor, one thread: call everything from the pool's executor.
//
//   Pool pool(io.get_executor(), {.conninfo = "hostaddr=127.0.0.1 port=5432 dbname=app"});
//   co_await pool.async_start(use_awaitable);
//   Result r = co_await pool.async_query("SELECT now()", {}, use_awaitable);
//
// The pool keeps one extra "control" connection beside max_connections: it
// holds the LISTENs and sends cancel requests, so neither ever waits behind
// a long statement.

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>

#include "common/value.hpp"
#include "db/args.hpp"
#include "db/cancel_signal.hpp"
#include "db/completion.hpp"
#include "pg/error.hpp"
#include "db/interaction.hpp"
#include "db/notification.hpp"
#include "db/options.hpp"
#include "pg/result.hpp"
#include "db/transaction.hpp"

namespace pgwamp::db {

class PoolCore;

class Pool {
public:
    Pool(boost::asio::any_io_executor ex, PoolOptions options);
    // Closes (failing whatever is pending with Errc::closed).
    ~Pool();
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;

    const boost::asio::any_io_executor& executor() const;

    // void(std::exception_ptr): opens min_connections plus the control
    // connection. On failure the error (connect_failed) names each connection
    // that failed and libpq's reason; the pool keeps retrying in the
    // background (calls fail with Errc::unavailable meanwhile).
    template <class Token>
    auto async_start(Token&& token) {
        return boost::asio::async_initiate<Token, void(std::exception_ptr)>(
            [this](auto handler) {
                auto done = detail::make_completion<int>(handler_adapter(std::move(handler)), executor());
                start_impl([done](std::exception_ptr e) { done(e, 0); });
            },
            token);
    }

    // runQuery: void(std::exception_ptr, Result)
    template <class Token>
    auto async_query(std::string sql, std::vector<Value> params, Token&& token) {
        return async_query(std::move(sql), std::move(params), StatementOptions{}, std::forward<Token>(token));
    }
    template <class Token>
    auto async_query(std::string sql, std::vector<Value> params, StatementOptions options, Token&& token) {
        return boost::asio::async_initiate<Token, void(std::exception_ptr, Result)>(
            [this](auto handler, std::string s, std::vector<Value> p, StatementOptions o) {
                submit_impl(RequestKind::query, std::move(s), std::move(p), o,
                            detail::make_completion<Result>(std::move(handler), executor()));
            },
            token, std::move(sql), std::move(params), std::move(options));
    }

    // runOperation: void(std::exception_ptr, std::uint64_t affected_rows)
    template <class Token>
    auto async_execute(std::string sql, std::vector<Value> params, Token&& token) {
        return async_execute(std::move(sql), std::move(params), StatementOptions{}, std::forward<Token>(token));
    }
    template <class Token>
    auto async_execute(std::string sql, std::vector<Value> params, StatementOptions options, Token&& token) {
        return boost::asio::async_initiate<Token, void(std::exception_ptr, std::uint64_t)>(
            [this](auto handler, std::string s, std::vector<Value> p, StatementOptions o) {
                auto done = detail::make_completion<std::uint64_t>(std::move(handler), executor());
                submit_impl(RequestKind::execute, std::move(s), std::move(p), o,
                            [done = std::move(done)](std::exception_ptr e, Result r) { done(e, r.affected_rows); });
            },
            token, std::move(sql), std::move(params), std::move(options));
    }

    // runInteraction: void(std::exception_ptr, Value). options.timeout and
    // options.cancel apply to the whole interaction; statements inside get
    // their own options (and the pool's statement_timeout) as usual.
    template <class Token>
    auto async_interaction(CallbackInteraction body, Token&& token) {
        return async_interaction(std::move(body), StatementOptions{}, std::forward<Token>(token));
    }
    template <class Token>
    auto async_interaction(CallbackInteraction body, StatementOptions options, Token&& token) {
        return boost::asio::async_initiate<Token, void(std::exception_ptr, Value)>(
            [this](auto handler, CallbackInteraction b, StatementOptions o) {
                interaction_impl(std::move(b), std::move(o),
                                 detail::make_completion<Value>(std::move(handler), executor()));
            },
            token, std::move(body), std::move(options));
    }
    template <class Token>
    auto async_interaction(CoroutineInteraction body, Token&& token) {
        return async_interaction(std::move(body), StatementOptions{}, std::forward<Token>(token));
    }
    template <class Token>
    auto async_interaction(CoroutineInteraction body, StatementOptions options, Token&& token) {
        return boost::asio::async_initiate<Token, void(std::exception_ptr, Value)>(
            [this](auto handler, CoroutineInteraction b, StatementOptions o) {
                interaction_impl(std::move(b), std::move(o),
                                 detail::make_completion<Value>(std::move(handler), executor()));
            },
            token, std::move(body), std::move(options));
    }

    // LISTEN on the control connection; re-issued after every reconnect.
    // The channel is a name (quoted for you), not SQL.
    void listen(std::string channel);
    void unlisten(std::string channel);
    // The same with a completion: void(std::exception_ptr), once the server
    // has executed the LISTEN (or UNLISTEN).
    template <class Token>
    auto async_listen(std::string channel, Token&& token) {
        return boost::asio::async_initiate<Token, void(std::exception_ptr)>(
            [this](auto handler, std::string ch) {
                auto done = detail::make_completion<int>(handler_adapter(std::move(handler)), executor());
                listen_impl(std::move(ch), true, [done](std::exception_ptr e) { done(e, 0); });
            },
            token, std::move(channel));
    }
    template <class Token>
    auto async_unlisten(std::string channel, Token&& token) {
        return boost::asio::async_initiate<Token, void(std::exception_ptr)>(
            [this](auto handler, std::string ch) {
                auto done = detail::make_completion<int>(handler_adapter(std::move(handler)), executor());
                listen_impl(std::move(ch), false, [done](std::exception_ptr e) { done(e, 0); });
            },
            token, std::move(channel));
    }

    // Every notification goes to every observer, in the server's order, each
    // from its own posted handler. An observer's exception is logged and
    // contained. Adding the same shared observer twice returns its existing
    // id and changes nothing; the plain-function overload always adds.
    ObserverId add_notify_observer(std::shared_ptr<const NotifyObserver> observer);
    ObserverId add_notify_observer(NotifyObserver observer);
    void remove_notify_observer(ObserverId id);
    std::vector<ObserverId> notify_observers() const;

    // Runs (posted) each time the database comes back after a connection was
    // lost or could not be opened.
    void on_recovered(std::function<void()> handler);
    // False while the database is unreachable (calls fail with unavailable).
    bool available() const;

    // Off by default. Parameter values are only passed when include_params.
    void set_statement_logger(StatementLogger logger, bool include_params = false);

    // void(): fails everything pending or waiting with Errc::closed and
    // closes every connection. Safe to call twice.
    template <class Token>
    auto async_close(Token&& token) {
        return boost::asio::async_initiate<Token, void()>(
            [this](auto handler) { close_impl(detail::make_completion0(std::move(handler), executor())); }, token);
    }

    // Add or remove connections at run time: grows at once; shrinks by
    // closing idle connections, busy ones once they are idle.
    void set_limits(std::size_t min_connections, std::size_t max_connections);

    // For tests and metrics.
    std::size_t connection_count() const;
    std::size_t waiting() const;
    int control_backend_pid() const;

private:
    // Adapts a void(exception_ptr) handler to the (exception_ptr, int) shape
    // make_completion posts.
    template <class Handler>
    static auto handler_adapter(Handler&& h) {
        return [h = std::forward<Handler>(h)](std::exception_ptr e, int) mutable { std::move(h)(e); };
    }

    void start_impl(std::function<void(std::exception_ptr)> done);
    void submit_impl(RequestKind kind, std::string sql, std::vector<Value> params, const StatementOptions& options,
                     std::function<void(std::exception_ptr, Result)> complete);
    void interaction_impl(detail::InteractionRun::Body body, StatementOptions options,
                          std::function<void(std::exception_ptr, Value)> complete);
    void listen_impl(std::string channel, bool on, std::function<void(std::exception_ptr)> done);
    void close_impl(std::function<void()> done);

    std::shared_ptr<PoolCore> core_;
};

}  // namespace pgwamp::db
