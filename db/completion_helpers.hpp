#pragma once
// Small helpers shared by the pool's internal completions. Internal to db/.

#include <exception>
#include <functional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>

#include "pg/result.hpp"

namespace pgwamp::db::detail {

// Internal completions are posted too, so nothing ever runs inside the
// connection's read loop (the one rule that keeps re-entrancy out).
inline std::function<void(std::exception_ptr, Result)> posted(const boost::asio::any_io_executor& ex,
                                                              std::function<void(std::exception_ptr, Result)> fn) {
    return [ex, fn = std::move(fn)](std::exception_ptr e, Result r) mutable {
        boost::asio::post(ex, [fn = std::move(fn), e = std::move(e), r = std::move(r)]() mutable {
            fn(e, std::move(r));
        });
    };
}

inline std::string describe(std::exception_ptr e) {
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& x) {
        return x.what();
    } catch (...) {
        return "unknown error";
    }
}

}  // namespace pgwamp::db::detail
