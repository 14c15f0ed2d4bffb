#pragma once
// Runs an event loop until something happened. The limit only turns a hang
// into a failure (nothing waits it out): the loop returns as soon as done()
// is true after any handler.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>

namespace pgwamp::test {

inline bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds limit = std::chrono::seconds(60)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        io.restart();
        io.run_one_for(std::chrono::milliseconds(20));
    }
    return true;
}

}  // namespace pgwamp::test
