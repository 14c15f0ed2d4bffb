#pragma once
// One WAMP session over RawSocket + MessagePack for the bench programs:
// connect, start, join, and report the outcome once on the io_context.
// Until the project's wamp::Client is ready, the bench talks Autobahn|Cpp
// directly; this is the only file that knows how a session is brought up.

#include "asio_executor.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/thread/future.hpp>

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>

namespace autobahn {
class wamp_session;
class wamp_transport;
}  // namespace autobahn

namespace pgwamp::bench {

// "rs://host:port" or "tcp://host:port" (the forms Crossbar and our config use).
// Throws std::invalid_argument with a readable message for anything else.
boost::asio::ip::tcp::endpoint parse_rawsocket_url(const std::string& url);

class Connection {
public:
    using Done = std::function<void(std::exception_ptr)>;

    Connection(boost::asio::io_context& io, AsioExecutor& executor, boost::asio::ip::tcp::endpoint endpoint,
               std::string realm);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Completes (posted, on the io_context) with nullptr once the realm is joined.
    void open(Done done);
    // Leaves the realm and stops the session; done runs even when leaving fails.
    void close(Done done);

    // Calls `procedure` without arguments; done(nullptr) on success, else
    // done(&error_uri), always posted on the io_context.
    void call(const std::string& procedure, std::function<void(const std::string* error_uri)> done);

    autobahn::wamp_session& session() { return *session_; }
    AsioExecutor& executor() { return executor_; }

private:
    boost::asio::io_context& io_;
    AsioExecutor& executor_;
    boost::asio::ip::tcp::endpoint endpoint_;
    std::string realm_;
    std::shared_ptr<autobahn::wamp_session> session_;
    std::shared_ptr<autobahn::wamp_transport> transport_;
    // Autobahn asserts when a transport is detached from a running session.
    bool started_ = false;
    bool stopped_ = false;
    // Continuation futures are kept, one per step, so none is destroyed
    // (or replaced) while its own continuation runs.
    boost::future<void> connect_step_;
    boost::future<void> start_step_;
    boost::future<void> join_step_;
    boost::future<void> leave_step_;
    boost::future<void> stop_step_;
};

}  // namespace pgwamp::bench
