#pragma once
// What an interaction's body gets: statements on the one connection pinned
// for the interaction, inside its BEGIN ... COMMIT. Same tokens as the pool.
// Valid until the interaction completes (the callback style: until `done`
// was called; the coroutine style: until the coroutine returned).

#include <cstdint>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>

#include "common/value.hpp"
#include "db/completion.hpp"
#include "db/options.hpp"
#include "db/request.hpp"
#include "pg/result.hpp"

namespace pgwamp::db {

namespace detail {
class InteractionRun;
}

class Transaction {
public:
    explicit Transaction(detail::InteractionRun& run) : run_(run) {}
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    // void(std::exception_ptr, Result)
    template <class Token>
    auto async_query(std::string sql, std::vector<Value> params, Token&& token) {
        return async_query(std::move(sql), std::move(params), StatementOptions{}, std::forward<Token>(token));
    }
    template <class Token>
    auto async_query(std::string sql, std::vector<Value> params, StatementOptions options, Token&& token) {
        return boost::asio::async_initiate<Token, void(std::exception_ptr, Result)>(
            [this](auto handler, std::string s, std::vector<Value> p, StatementOptions o) {
                submit(RequestKind::query, std::move(s), std::move(p), std::move(o),
                       detail::make_completion<Result>(std::move(handler), executor()));
            },
            token, std::move(sql), std::move(params), std::move(options));
    }

    // void(std::exception_ptr, std::uint64_t affected_rows)
    template <class Token>
    auto async_execute(std::string sql, std::vector<Value> params, Token&& token) {
        return async_execute(std::move(sql), std::move(params), StatementOptions{}, std::forward<Token>(token));
    }
    template <class Token>
    auto async_execute(std::string sql, std::vector<Value> params, StatementOptions options, Token&& token) {
        return boost::asio::async_initiate<Token, void(std::exception_ptr, std::uint64_t)>(
            [this](auto handler, std::string s, std::vector<Value> p, StatementOptions o) {
                auto done = detail::make_completion<std::uint64_t>(std::move(handler), executor());
                submit(RequestKind::execute, std::move(s), std::move(p), std::move(o),
                       [done = std::move(done)](std::exception_ptr e, Result r) { done(e, r.affected_rows); });
            },
            token, std::move(sql), std::move(params), std::move(options));
    }

    const boost::asio::any_io_executor& executor() const;

private:
    void submit(RequestKind kind, std::string sql, std::vector<Value> params, StatementOptions options,
                std::function<void(std::exception_ptr, Result)> complete);

    detail::InteractionRun& run_;
};

}  // namespace pgwamp::db
