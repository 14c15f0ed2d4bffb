#include "service/config_procedures.hpp"

#include <algorithm>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "db/pool.hpp"
#include "service/call_arguments.hpp"
#include "service/read_routing.hpp"
#include "service/result_shape.hpp"
#include "service/streamed_query.hpp"

namespace pgwamp::service {
namespace {

using boost::asio::awaitable;
using boost::asio::use_awaitable;

// The call's deadline and cancel, and the procedure's "prepare".
db::StatementOptions options_for(const config::ProcedureConfig& procedure, const CallContext& context) {
    db::StatementOptions o = context.statement_options();
    o.prepare = procedure.prepare;
    return o;
}

void run_single(db::Pool& pool, const config::ProcedureConfig& procedure, std::vector<Value> params,
                std::shared_ptr<CallContext> context) {
    const auto& sql = procedure.statements.front().sql;
    // A read that a standby could not serve runs again on the primary.
    auto again = [&procedure, context, params = context->on_standby() ? params : std::vector<Value>{}](db::Pool& p) {
        run_single(p, procedure, params, context);
    };
    if (procedure.mode == config::Mode::operation) {
        pool.async_execute(sql, std::move(params), options_for(procedure, *context),
                           [context, again](std::exception_ptr error, std::uint64_t) {
                               if (error && context->read_again_on_primary(error, again)) return;
                               if (error) return context->fail(error);
                               context->reply(Null{});
                           });
        return;
    }
    pool.async_query(sql, std::move(params), options_for(procedure, *context),
                     [context, &procedure, again](std::exception_ptr error, db::Result result) {
                         if (error && context->read_again_on_primary(error, again)) return;
                         if (error) return context->fail(error);
                         try {
                             context->reply(shape_result(procedure, result));
                         } catch (...) {
                             context->fail(std::current_exception());
                         }
                     });
}

// All statements in one transaction; the last one's rows are the result.
// shape_result runs inside, so a result over max_rows rolls the work back.
void run_interaction(db::Pool& pool, const config::ProcedureConfig& procedure, std::vector<Value> bound,
                     std::shared_ptr<CallContext> context) {
    db::CoroutineInteraction run = [&procedure, bound](db::Transaction& txn) -> awaitable<Value> {
        db::Result last;
        for (const auto& statement : procedure.statements) {
            // Named first: GCC 12 destroys temporaries inside co_await twice (db/POOL.md).
            auto params = statement_params(statement, bound);
            db::StatementOptions options;
            options.prepare = procedure.prepare;
            last = co_await txn.async_query(statement.sql, std::move(params), options, use_awaitable);
        }
        co_return shape_result(procedure, last);
    };
    auto again = [&procedure, context, bound](db::Pool& p) { run_interaction(p, procedure, bound, context); };
    pool.async_interaction(std::move(run), context->statement_options(),
                           [context, again](std::exception_ptr error, Value result) {
                               if (error && context->read_again_on_primary(error, again)) return;
                               if (error) return context->fail(error);
                               context->reply(std::move(result));
                           });
}

void run_on(db::Pool& pool, const config::ProcedureConfig& procedure, std::vector<Value> bound,
            std::shared_ptr<CallContext> context) {
    if (procedure.mode == config::Mode::interaction) {
        run_interaction(pool, procedure, std::move(bound), std::move(context));
    } else if (procedure.mode == config::Mode::query && procedure.single == config::Single::none &&
               context->call().receive_progress()) {
        // Rows as they come, in chunks; an operation or a single row is one result as always.
        auto params = statement_params(procedure.statements.front(), bound);
        stream_config_procedure(pool, procedure, std::move(params), std::move(context));
    } else {
        auto params = statement_params(procedure.statements.front(), bound);
        run_single(pool, procedure, std::move(params), std::move(context));
    }
}

}  // namespace

void serve_config_procedure(db::Pool& pool, const config::ProcedureConfig& procedure,
                            std::shared_ptr<CallContext> context) {
    std::vector<Value> bound;
    std::optional<WalPosition> requested;
    try {
        const Object& kwargs = context->call().kwargs();
        requested = requested_position(kwargs);
        const bool asked = std::any_of(kwargs.begin(), kwargs.end(), [](const auto& kv) { return kv.first == after_keyword; });
        bound = asked ? bind_arguments(procedure, context->call().args(), without_requested_position(kwargs))
                      : bind_arguments(procedure, context->call().args(), kwargs);
    } catch (...) {
        return context->fail(std::current_exception());
    }
    if (!procedure.read_only) return run_on(pool, procedure, std::move(bound), std::move(context));
    context->read(requested, [&procedure, bound = std::move(bound), context](db::Pool& chosen) mutable {
        run_on(chosen, procedure, std::move(bound), context);
    });
}

}  // namespace pgwamp::service
