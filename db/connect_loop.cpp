#include "db/connect_loop.hpp"

#include <utility>

#include "db/host_resolution.hpp"

namespace pgwamp::db {

namespace asio = boost::asio;
using wait_type = asio::posix::descriptor_base::wait_type;

ConnectLoop::ConnectLoop(asio::any_io_executor ex, asio::posix::stream_descriptor& socket, Connector& connector)
    : ex_(ex), socket_(socket), connector_(connector), timer_(ex) {}

void ConnectLoop::start(const std::string& conninfo, std::shared_ptr<HostResolver> resolver,
                        std::chrono::milliseconds timeout, std::weak_ptr<void> owner, Done done) {
    cancel();
    owner_ = std::move(owner);
    done_ = std::move(done);
    active_ = true;
    const std::uint64_t run = ++run_;
    if (timeout.count() > 0) {
        timer_.expires_after(timeout);
        timer_.async_wait([this, owner = owner_, run, timeout](const boost::system::error_code& ec) {
            auto alive = owner.lock();
            if (ec || !alive || !current(run)) return;
            finish("timed out after " + std::to_string(timeout.count()) + " ms");
        });
    }
    // libpq would look host names up on the event loop: resolved first.
    async_resolve_hosts(ex_, std::move(resolver), conninfo, [this, owner = owner_, run](HostResolution resolved) {
        auto alive = owner.lock();
        if (!alive || !current(run)) return;
        if (!resolved.ok()) return finish(resolved.error);
        step(run, connector_.connect_start(resolved.conninfo));
    });
}

void ConnectLoop::cancel() {
    active_ = false;
    done_ = nullptr;
    timer_.cancel();
}

bool ConnectLoop::sync_socket() {
    if (socket_.is_open()) socket_.release();  // libpq owns the descriptor
    const int fd = connector_.socket();
    if (fd < 0) return false;
    boost::system::error_code ec;
    socket_.assign(fd, ec);
    return !ec;
}

void ConnectLoop::step(std::uint64_t run, Connector::Step s) {
    switch (s) {
        case Connector::Step::failed: return finish(connector_.error_message());
        case Connector::Step::done: return finish(std::nullopt);
        case Connector::Step::wait_read:
        case Connector::Step::wait_write: {
            if (!sync_socket()) return finish("no socket: " + connector_.error_message());
            const auto w = s == Connector::Step::wait_read ? wait_type::wait_read : wait_type::wait_write;
            socket_.async_wait(w, [this, owner = owner_, run](const boost::system::error_code& ec) {
                auto alive = owner.lock();
                if (ec || !alive || !current(run)) return;
                step(run, connector_.connect_poll());
            });
            return;
        }
    }
}

void ConnectLoop::finish(std::optional<std::string> failure) {
    active_ = false;
    timer_.cancel();
    if (failure && socket_.is_open()) socket_.release();
    auto done = std::move(done_);
    done_ = nullptr;
    if (done) done(std::move(failure));
}

}  // namespace pgwamp::db
