#pragma once
// Turns an Asio completion handler into the type-erased, posted completion
// the pool stores with each request: the handler runs on its associated
// executor (default: the pool's), never inside the call that started the
// operation. Handlers may be move-only (use_awaitable's are), hence the
// shared_ptr.

#include <exception>
#include <functional>
#include <memory>
#include <type_traits>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/post.hpp>

namespace pgwamp::db::detail {

template <class T, class Handler>
std::function<void(std::exception_ptr, T)> make_completion(Handler&& handler,
                                                           const boost::asio::any_io_executor& fallback) {
    using H = std::decay_t<Handler>;
    auto h = std::make_shared<H>(std::forward<Handler>(handler));
    auto ex = boost::asio::get_associated_executor(*h, fallback);
    return [h = std::move(h), ex](std::exception_ptr e, T value) mutable {
        boost::asio::post(ex, [h, e = std::move(e), value = std::move(value)]() mutable {
            std::move(*h)(std::move(e), std::move(value));
        });
    };
}

template <class Handler>
std::function<void()> make_completion0(Handler&& handler, const boost::asio::any_io_executor& fallback) {
    using H = std::decay_t<Handler>;
    auto h = std::make_shared<H>(std::forward<Handler>(handler));
    auto ex = boost::asio::get_associated_executor(*h, fallback);
    return [h = std::move(h), ex]() mutable { boost::asio::post(ex, [h]() mutable { std::move(*h)(); }); };
}

}  // namespace pgwamp::db::detail
