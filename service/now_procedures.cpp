#include "service/now_procedures.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "db/args.hpp"

namespace pgwamp::service {
namespace {

using boost::asio::awaitable;
using boost::asio::use_awaitable;

// timestamptz arrives as ISO 8601 text (pg/TYPES.md), so the result is a
// string a browser can hand to new Date(), as the documents' str(now) is.
constexpr const char* now_sql = "SELECT now()";

Value first_value(const db::Result& result) { return result.rows.at(0).at(0); }

// Runs a coroutine procedure; whatever it throws becomes the call's error.
void spawn_procedure(db::Pool& pool, std::shared_ptr<CallContext> context,
                     awaitable<Value> (*body)(db::Pool&, std::shared_ptr<CallContext>)) {
    boost::asio::co_spawn(pool.executor(), body(pool, context),
                          [context](std::exception_ptr error, Value result) {
                              if (error) return context->fail(error);
                              context->reply(std::move(result));
                          });
}

// GCC 12 destroys temporaries built inside a co_await expression twice
// (db/POOL.md): every argument is a named variable first.
awaitable<Value> now_v2_body(db::Pool& pool, std::shared_ptr<CallContext> context) {
    const db::StatementOptions options = context->statement_options();
    auto result = co_await pool.async_query(now_sql, db::args(), options, use_awaitable);
    co_return first_value(result);
}

awaitable<Value> now_v4_body(db::Pool& pool, std::shared_ptr<CallContext> context) {
    db::CoroutineInteraction body = [](db::Transaction& txn) -> awaitable<Value> {
        auto result = co_await txn.async_query(now_sql, db::args(), use_awaitable);
        co_return first_value(result);
    };
    const db::StatementOptions options = context->statement_options();
    co_return co_await pool.async_interaction(body, options, use_awaitable);
}

}  // namespace

// Only reads: it runs on a standby when there is one (context->read, the
// hand-written equivalent of a procedure's "read_only").
void now_v1(db::Pool&, std::shared_ptr<CallContext> context) {
    context->read(std::nullopt, [context](db::Pool& pool) {
        pool.async_query(now_sql, {}, context->statement_options(),
                         [context](std::exception_ptr error, db::Result result) {
                             if (error) return context->fail(error);
                             context->reply(first_value(result));
                         });
    });
}

void now_v2(db::Pool& pool, std::shared_ptr<CallContext> context) {
    spawn_procedure(pool, std::move(context), &now_v2_body);
}

void now_v3(db::Pool& pool, std::shared_ptr<CallContext> context) {
    db::CallbackInteraction run = [](db::Transaction& txn, db::InteractionDone done) {
        txn.async_query(now_sql, {}, [done](std::exception_ptr error, db::Result result) {
            if (error) return done(error, {});
            done(nullptr, first_value(result));
        });
    };
    pool.async_interaction(std::move(run), context->statement_options(),
                           [context](std::exception_ptr error, Value result) {
                               if (error) return context->fail(error);
                               context->reply(std::move(result));
                           });
}

void now_v4(db::Pool& pool, std::shared_ptr<CallContext> context) {
    spawn_procedure(pool, std::move(context), &now_v4_body);
}

}  // namespace pgwamp::service
