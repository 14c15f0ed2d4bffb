#pragma once
// Runs boost::future continuations on our io_context instead of on a thread.
//
// Autobahn|Cpp 17.5 hands back a boost::future for every call, join and
// registration. A plain then() starts a thread per continuation, and
// launch::deferred runs only when someone waits; both are wrong on an event
// loop. Boost.Thread's then(executor, f) submits the continuation to an
// executor object; this one posts it, so it runs later on the loop thread
// (never inside the call that completed the future).

// Order matters: Autobahn's Boost.Thread switches, then the executor types
// that boost/thread/future.hpp expects to be declared when
// BOOST_THREAD_PROVIDES_EXECUTORS is on (set by bench/wamp/CMakeLists.txt).
#include <autobahn/boost_config.hpp>
#include <boost/thread/executors/executor.hpp>
#include <boost/thread/executors/generic_executor_ref.hpp>
#include <boost/thread/executors/work.hpp>
#include <boost/thread/future.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <utility>

namespace pgwamp::bench {

class AsioExecutor {
public:
    explicit AsioExecutor(boost::asio::io_context& io) : io_(io) {}
    AsioExecutor(const AsioExecutor&) = delete;
    AsioExecutor& operator=(const AsioExecutor&) = delete;

    // The executor concept Boost.Thread's executor_ref<> forwards to.
    void submit(boost::executors::work&& closure) {
        boost::asio::post(io_, [closure = std::move(closure)]() mutable { closure(); });
    }
    boost::asio::io_context& context() { return io_; }

    void close() { closed_ = true; }
    bool closed() const { return closed_; }
    // Only meaningful for executors that own a queue; ours belongs to Asio.
    bool try_executing_one() { return io_.poll_one() > 0; }

private:
    boost::asio::io_context& io_;
    bool closed_ = false;
};

}  // namespace pgwamp::bench
