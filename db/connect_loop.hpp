#pragma once
// The one non-blocking connect loop, for the pool's connections and the
// replication connection alike: resolve the conninfo's host names off the
// event loop, start, then wait on the socket as the Connector asks, until it
// is done, fails or the timeout passes (the timeout covers the resolution).
//
// The descriptor is registered again at every step: libpq may replace its
// socket while connecting (another address, an SSL retry) and the new one
// may reuse the old number, so "same number, keep it" would wait on a dead
// registration.
//
// A member of its owner: handlers hold only the owner's weak_ptr and do
// nothing once it is gone or cancel() ran. Single-threaded (the executor).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "db/connector.hpp"
#include "db/host_resolver.hpp"

namespace pgwamp::db {

class ConnectLoop {
public:
    // nullopt when connected, else why not.
    using Done = std::function<void(std::optional<std::string> failure)>;

    ConnectLoop(boost::asio::any_io_executor ex, boost::asio::posix::stream_descriptor& socket, Connector& connector);

    // Starts connecting; `done` runs once, from a handler, never inline. On
    // failure the socket is already released; the owner closes the connector.
    // A timeout of zero or less waits forever. `resolver` null: Asio's.
    void start(const std::string& conninfo, std::shared_ptr<HostResolver> resolver,
               std::chrono::milliseconds timeout, std::weak_ptr<void> owner, Done done);
    // Stops; `done` will not run. Idempotent.
    void cancel();

    // Registers the connector's current descriptor with the socket. False
    // when there is none.
    bool sync_socket();

private:
    bool current(std::uint64_t run) const { return active_ && run == run_; }
    void step(std::uint64_t run, Connector::Step s);
    void finish(std::optional<std::string> failure);

    boost::asio::any_io_executor ex_;
    boost::asio::posix::stream_descriptor& socket_;
    Connector& connector_;
    boost::asio::steady_timer timer_;
    std::weak_ptr<void> owner_;
    Done done_;
    std::uint64_t run_ = 0;  // handlers of an earlier run do nothing
    bool active_ = false;
};

}  // namespace pgwamp::db
