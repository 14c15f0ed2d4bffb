#pragma once
// Runs an event loop until something happened. The limit only turns a hang
// into a failure (nothing waits it out). The loop runs in 10 ms slices, so
// what else is ready by then (the other client's loss of the same router)
// has run too when done() is first true.

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
        io.run_for(std::chrono::milliseconds(10));
    }
    return true;
}

}  // namespace pgwamp::test
