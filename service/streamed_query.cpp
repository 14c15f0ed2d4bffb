#include "service/streamed_query.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "pg/error.hpp"
#include "service/error_mapping.hpp"

namespace pgwamp::service {

namespace {

using boost::asio::awaitable;
using boost::asio::use_awaitable;

constexpr const char* cursor = "pgwamp_stream";

Array shaped(const config::ProcedureConfig& procedure, db::Result result) {
    return procedure.rows == config::RowFormat::tuples ? std::move(result).rows_as_tuples()
                                                       : std::move(result).rows_as_maps();
}

std::exception_ptr canceled() { return db::make_error(db::Errc::canceled, "the caller canceled the stream"); }

// Sends `rows` as YIELDs of at most chunk_bytes each (one row alone may be
// more); returns how many YIELDs went out.
std::size_t send_rows(CallContext& context, Array rows, std::uint64_t offset, const StreamLimits& limits) {
    std::size_t sent = 0;
    Array chunk;
    std::size_t bytes = 0;
    auto flush = [&] {
        if (chunk.empty()) return;
        if (context.interrupted()) std::rethrow_exception(canceled());  // nothing after the INTERRUPT
        const auto n = chunk.size();
        // Value(...): with a lone Array inside braces clang would move the chunk in as the args themselves.
        if (!context.progress(Array{Value(std::move(chunk))}, {{"offset", static_cast<std::int64_t>(offset)}})) {
            if (context.interrupted()) std::rethrow_exception(canceled());
            throw ResultRejected("a chunk of " + std::to_string(n) + " rows (about " + std::to_string(bytes) +
                                 " bytes) is larger than the router accepts in one message (" +
                                 std::to_string(context.max_send_size()) + " bytes)");
        }
        offset += n;
        chunk = Array{};
        bytes = 0;
        ++sent;
    };
    for (auto& row : rows) {
        const auto size = approximate_size(row);
        if (!chunk.empty() && bytes + size > limits.chunk_bytes) flush();
        bytes += size;
        chunk.push_back(std::move(row));
    }
    flush();
    return sent;
}

}  // namespace

std::size_t approximate_size(const Value& value) {
    return std::visit(
        [](const auto& v) -> std::size_t {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, Bytes>) {
                return v.size() + 5;
            } else if constexpr (std::is_same_v<T, Array>) {
                std::size_t n = 5;
                for (const auto& e : v) n += approximate_size(e);
                return n;
            } else if constexpr (std::is_same_v<T, Object>) {
                std::size_t n = 5;
                for (const auto& [k, e] : v) n += k.size() + 5 + approximate_size(e);
                return n;
            } else {
                return 9;  // null, bool, integer, double
            }
        },
        value.data);
}

void stream_config_procedure(db::Pool& pool, const config::ProcedureConfig& procedure, std::vector<Value> params,
                             std::shared_ptr<CallContext> context, StreamLimits limits) {
    // Each FETCH gets the call's deadline (the caller's timeout, or the procedure's).
    const auto per_chunk = context->timeout();
    db::CoroutineInteraction body = [&procedure, params = std::move(params), context, limits,
                                     per_chunk](db::Transaction& txn) mutable -> awaitable<Value> {
        // Named first: GCC 12 destroys temporaries inside co_await twice (db/POOL.md).
        const std::string declare =
            std::string("DECLARE ") + cursor + " NO SCROLL CURSOR FOR " + procedure.statements.front().sql;
        auto declare_options = db::statement_options(per_chunk, context->cancel_signal());
        declare_options.prepare = procedure.prepare;
        co_await txn.async_execute(declare, std::move(params), declare_options, use_awaitable);
        const std::string fetch = "FETCH FORWARD " + std::to_string(limits.chunk_rows) + " FROM " + cursor;
        boost::asio::steady_timer pause(txn.executor());
        std::uint64_t total = 0;
        std::uint64_t chunks = 0;
        for (;;) {
            auto options = db::statement_options(per_chunk, context->cancel_signal());
            options.prepare = procedure.prepare;
            db::Result result = co_await txn.async_query(fetch, {}, options, use_awaitable);
            const std::size_t n = result.rows.size();
            if (total + n > procedure.stream_max_rows) {
                throw ResultRejected("more than " + std::to_string(procedure.stream_max_rows) +
                                     " rows (stream_max_rows of " + procedure.uri + ")");
            }
            chunks += send_rows(*context, shaped(procedure, std::move(result)), total, limits);
            total += n;
            if (n < limits.chunk_rows) break;
            // Back-pressure: the router (and the caller behind it) reads slower
            // than PostgreSQL sends; wait for the queue to drain before the next FETCH.
            if (context->send_backlog() > limits.high_water) {
                while (context->send_backlog() > limits.low_water) {
                    if (context->interrupted()) std::rethrow_exception(canceled());
                    pause.expires_after(std::chrono::milliseconds(2));
                    co_await pause.async_wait(use_awaitable);
                }
            }
        }
        co_return Object{{"rows", static_cast<std::int64_t>(total)}, {"chunks", static_cast<std::int64_t>(chunks)}};
    };
    // No deadline for the whole stream (it takes as long as the caller
    // reads); the caller's cancel ends it. As the caller, when it runs as one.
    auto options = db::statement_options(context->cancel_signal());
    options.local_settings = context->statement_options().local_settings;
    pool.async_interaction(std::move(body), options,
                           [context](std::exception_ptr error, Value result) {
                               if (error) return context->fail(error);
                               context->reply(std::move(result));
                           });
}

}  // namespace pgwamp::service
