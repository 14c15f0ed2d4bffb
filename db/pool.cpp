#include "db/pool.hpp"

#include <spdlog/spdlog.h>

#include "db/pool_core.hpp"

namespace pgwamp::db {

Pool::Pool(boost::asio::any_io_executor ex, PoolOptions options)
    : core_(std::make_shared<PoolCore>(ex, std::move(options))) {}

Pool::~Pool() {
    core_->close([] {});
}

const boost::asio::any_io_executor& Pool::executor() const { return core_->executor(); }

void Pool::start_impl(std::function<void(std::exception_ptr)> done) { core_->start(std::move(done)); }

void Pool::submit_impl(RequestKind kind, std::string sql, std::vector<Value> params, const StatementOptions& options,
                       std::function<void(std::exception_ptr, Result)> complete) {
    if (auto r = core_->make_request(kind, std::move(sql), std::move(params), std::move(complete)))
        core_->submit(r, options);
}

void Pool::interaction_impl(detail::InteractionRun::Body body, StatementOptions options,
                            std::function<void(std::exception_ptr, Value)> complete) {
    auto run = std::make_shared<detail::InteractionRun>(core_, std::move(body), std::move(options), std::move(complete));
    run->start();
}

void Pool::listen_impl(std::string channel, bool on, std::function<void(std::exception_ptr)> done) {
    if (on)
        core_->listen(channel, std::move(done));
    else
        core_->unlisten(channel, std::move(done));
}

void Pool::listen(std::string channel) {
    core_->listen(channel, [channel](std::exception_ptr e) {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& x) {
            spdlog::warn("event=listen_failed command=LISTEN channel={} error=\"{}\"", channel, x.what());
        }
    });
}

void Pool::unlisten(std::string channel) {
    core_->unlisten(channel, [](std::exception_ptr) {});
}

ObserverId Pool::add_notify_observer(std::shared_ptr<const NotifyObserver> observer) {
    return core_->add_observer(std::move(observer));
}

ObserverId Pool::add_notify_observer(NotifyObserver observer) {
    return core_->add_observer(std::make_shared<const NotifyObserver>(std::move(observer)));
}

void Pool::remove_notify_observer(ObserverId id) { core_->remove_observer(id); }
std::vector<ObserverId> Pool::notify_observers() const { return core_->observers(); }
void Pool::on_recovered(std::function<void()> handler) { core_->on_recovered(std::move(handler)); }
bool Pool::available() const { return core_->available(); }

void Pool::set_statement_logger(StatementLogger logger, bool include_params) {
    core_->set_statement_logger(std::move(logger), include_params);
}

void Pool::close_impl(std::function<void()> done) { core_->close(std::move(done)); }

void Pool::set_limits(std::size_t min_connections, std::size_t max_connections) {
    core_->set_limits(min_connections, max_connections);
}

std::size_t Pool::connection_count() const { return core_->connection_count(); }
std::size_t Pool::waiting() const { return core_->waiting(); }
int Pool::control_backend_pid() const { return core_->control_backend_pid(); }

}  // namespace pgwamp::db
