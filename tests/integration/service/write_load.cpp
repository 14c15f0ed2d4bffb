#include "tests/integration/service/write_load.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/steady_timer.hpp>
#include <algorithm>
#include <stdexcept>

#include "wamp/error.hpp"

namespace pgwamp::test::service {

struct WriteLoad::Writer {
    Writer(boost::asio::io_context& io, wamp::Client& client, int number)
        : session(client), index(number), pause(io) {}

    wamp::Client& session;
    int index;
    boost::asio::steady_timer pause;
    long long sequence = 0;
    bool outstanding = false;
    bool had_ack = false;
    Record current;
};

WriteLoad::WriteLoad(const Stack& stack, Options options) : options_(std::move(options)) {
    for (int i = 0; i < options_.sessions; ++i) {
        clients_.push_back(
            std::make_unique<wamp::Client>(io_, options_.client.value_or(stack.browser_client_options())));
        clients_.back()->start();
    }
    for (int i = 0; i < options_.writers; ++i) {
        writers_.push_back(std::make_unique<Writer>(io_, *clients_[i % clients_.size()], i));
    }
    const bool joined = run_until(io_, [&] {
        return std::all_of(clients_.begin(), clients_.end(),
                           [](const auto& c) { return c->state() == wamp::ClientState::joined; });
    }, std::chrono::seconds(30));
    if (!joined) throw std::runtime_error("the writers' sessions did not join within 30 s");
}

WriteLoad::~WriteLoad() {
    if (thread_.joinable()) stop(std::chrono::seconds(5));
}

void WriteLoad::start() {
    // Before the thread runs the io_context, so still on "its" thread.
    for (auto& writer : writers_) send(*writer);
    thread_ = std::thread([this] { run_until_drained(); });
}

std::vector<std::string> WriteLoad::stop(std::chrono::milliseconds limit) {
    drain_limit_ms_ = limit.count();
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
    return hung_;
}

void WriteLoad::send(Writer& writer) {
    if (stopping_) return;
    writer.outstanding = true;
    writer.current = Record{options_.prefix + "-" + std::to_string(writer.index) + "-" +
                                std::to_string(++writer.sequence),
                            Clock::now(), {}, {}};
    writer.session.call(options_.procedure, {Value(writer.current.body)}, {},
                        [this, &writer](std::exception_ptr error, Array, Object) { answered(writer, error); });
}

void WriteLoad::answered(Writer& writer, std::exception_ptr error) {
    // After the drain limit the sessions are stopped and fail what is still
    // pending; those calls count as hung, not as answered.
    if (closed_) return;
    writer.outstanding = false;
    Record record = writer.current;
    record.answered = Clock::now();
    if (error) {
        try {
            std::rethrow_exception(error);
        } catch (const wamp::CallError& e) {
            record.error_uri = e.uri();
        } catch (const std::exception& e) {
            record.error_uri = std::string("(not a CallError) ") + e.what();
        }
    }
    const bool ok = record.acknowledged();
    records_.push_back(std::move(record));
    if (ok) {
        ++acknowledged_;
        if (!writer.had_ack) ++writers_acknowledged_;
        writer.had_ack = true;
        return send(writer);
    }
    writer.pause.expires_after(options_.pause_after_error);
    writer.pause.async_wait([this, &writer](const boost::system::error_code& ec) {
        if (!ec) send(writer);
    });
}

// The thread's body: runs until stop(), then lets outstanding calls finish
// (up to the drain limit), marks the rest as hung and leaves.
void WriteLoad::run_until_drained() {
    auto work = boost::asio::make_work_guard(io_);
    while (!stopping_) io_.run_for(std::chrono::milliseconds(20));
    const auto drain_deadline = Clock::now() + std::chrono::milliseconds(drain_limit_ms_.load());
    const auto any_outstanding = [&] {
        return std::any_of(writers_.begin(), writers_.end(), [](const auto& w) { return w->outstanding; });
    };
    while (any_outstanding() && Clock::now() < drain_deadline) io_.run_for(std::chrono::milliseconds(20));
    for (auto& writer : writers_) {
        writer->pause.cancel();
        if (writer->outstanding) hung_.push_back(writer->current.body);
    }
    closed_ = true;

    int stopped = 0;
    for (auto& client : clients_) client->stop([&stopped] { ++stopped; });
    work.reset();
    const auto stop_deadline = Clock::now() + std::chrono::seconds(5);
    while (stopped < static_cast<int>(clients_.size()) && Clock::now() < stop_deadline) {
        io_.restart();
        io_.run_for(std::chrono::milliseconds(20));
    }
}

}  // namespace pgwamp::test::service
