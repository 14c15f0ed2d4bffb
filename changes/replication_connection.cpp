#include "changes/replication_connection.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "pg/error.hpp"
#include "pg/sqlstate.hpp"

namespace pgwamp::db {

namespace asio = boost::asio;
using wait_type = asio::posix::stream_descriptor::wait_type;

namespace {

std::exception_ptr server_error(Diagnostics d) {
    const Errc code = sqlstate_ends_connection(d.sqlstate) ? Errc::connection_lost : Errc::sql_error;
    std::string what = d.message;
    return make_error(code, std::move(what), std::move(d));
}

}  // namespace

ReplicationConnection::ReplicationConnection(asio::any_io_executor ex, std::string conninfo,
                                             std::shared_ptr<HostResolver> resolver,
                                             std::chrono::milliseconds connect_timeout,
                                             const ReplicationDriverFactory& driver_factory)
    : ex_(ex),
      conninfo_(std::move(conninfo)),
      resolver_(std::move(resolver)),
      connect_timeout_(connect_timeout),
      driver_(driver_factory ? driver_factory() : make_pg_replication_driver()),
      socket_(ex),
      connect_loop_(ex, socket_, *driver_) {}

ReplicationConnection::~ReplicationConnection() { close(); }

int ReplicationConnection::backend_pid() const { return state_ == State::closed ? 0 : driver_->backend_pid(); }

void ReplicationConnection::close() {
    if (state_ == State::closed) return;
    state_ = State::closed;
    connect_loop_.cancel();
    if (socket_.is_open()) socket_.release();  // the driver owns the descriptor
    driver_->finish();
    connect_done_ = nullptr;
    command_done_ = nullptr;
    on_started_ = nullptr;
    on_message_ = nullptr;
    copy_end_ = nullptr;
}

// ---- connect -------------------------------------------------------------------

void ReplicationConnection::async_connect(Done done) {
    if (state_ != State::fresh) {
        asio::post(ex_, [done = std::move(done)] { done(make_error(Errc::closed, "connection already used")); });
        return;
    }
    state_ = State::connecting;
    connect_done_ = std::move(done);
    connect_loop_.start(conninfo_, resolver_, connect_timeout_, weak_from_this(),
                        [this](std::optional<std::string> failure) {
                            if (state_ != State::connecting) return;
                            if (failure) return connect_failed(*failure);
                            connected();
                        });
}

void ReplicationConnection::connected() {
    if (!driver_->enter_nonblocking() || !connect_loop_.sync_socket()) {
        return connect_failed("cannot make the connection non-blocking: " + driver_->error_message());
    }
    const std::string mismatch = driver_->settings_mismatch();
    if (!mismatch.empty()) spdlog::warn("event=session_settings_mismatch connection=replication detail=\"{}\"", mismatch);
    state_ = State::idle;
    auto done = std::move(connect_done_);
    connect_done_ = nullptr;
    asio::post(ex_, [done = std::move(done)] { done(nullptr); });
}

void ReplicationConnection::connect_failed(const std::string& why) {
    last_error_ = why;
    auto done = std::move(connect_done_);
    close();
    if (done) {
        asio::post(ex_, [done = std::move(done), why] {
            done(make_error(Errc::connect_failed, "cannot open the replication connection: " + why));
        });
    }
}

// ---- commands ------------------------------------------------------------------

void ReplicationConnection::async_command(std::string sql, CommandDone done) {
    if (state_ != State::idle) {
        asio::post(ex_, [done = std::move(done)] { done(make_error(Errc::closed, "replication connection busy or closed"), {}); });
        return;
    }
    if (!driver_->send_query(sql)) {
        auto error = lost(driver_->error_message());
        asio::post(ex_, [done = std::move(done), error] { done(error, {}); });
        return;
    }
    state_ = State::command;
    command_done_ = std::move(done);
    command_rows_.clear();
    command_error_ = nullptr;
    flush();
    arm_read();
}

void ReplicationConnection::start_copy(std::string sql, std::function<void()> on_started, MessageHandler on_message,
                                       Done on_end) {
    on_started_ = std::move(on_started);
    on_message_ = std::move(on_message);
    copy_end_ = std::move(on_end);
    // START_REPLICATION answers with COPY BOTH; read_command_results switches over.
    async_command(std::move(sql), [weak = weak_from_this()](std::exception_ptr error, Rows) {
        auto self = weak.lock();
        if (!self || !error) return;
        // Refused (slot in use, no such slot, ...): the stream ended before it began.
        if (auto end = std::move(self->copy_end_)) {
            self->on_message_ = nullptr;
            self->copy_end_ = nullptr;
            end(error);
        }
    });
}

void ReplicationConnection::read_command_results() {
    while (state_ == State::command) {
        bool complete = false;
        auto result = driver_->next_result(&complete);
        if (complete) {
            state_ = State::idle;
            auto done = std::move(command_done_);
            command_done_ = nullptr;
            done(command_error_, std::move(command_rows_));
            return;
        }
        if (!result) break;  // more to read
        switch (result->kind) {
            case ReplicationDriver::Result::Kind::rows: command_rows_ = std::move(result->rows); break;
            case ReplicationDriver::Result::Kind::command_ok: break;
            case ReplicationDriver::Result::Kind::copy_both: {
                state_ = State::copying;
                command_done_ = nullptr;
                if (auto started = std::move(on_started_)) {
                    on_started_ = nullptr;
                    auto self = shared_from_this();
                    started();
                }
                read_copy_data();
                return;
            }
            case ReplicationDriver::Result::Kind::error:
                if (!command_error_) command_error_ = server_error(std::move(result->diagnostics));
        }
    }
    if (state_ == State::command) arm_read();
}

// ---- copy both -----------------------------------------------------------------

void ReplicationConnection::read_copy_data() {
    while (state_ == State::copying && !paused_) {
        std::string_view message;
        switch (driver_->next_copy_data(message)) {
            case ReplicationDriver::Copy::message: {
                // The handler may pause or close us; the loop checks again.
                auto self = shared_from_this();
                on_message_(message);
                continue;
            }
            case ReplicationDriver::Copy::wait: return arm_read();
            case ReplicationDriver::Copy::ended: {
                // The server ended the copy: its final result says why.
                auto error = driver_->end_of_copy();
                return fail(error ? server_error(std::move(*error)) : lost("the server ended the replication stream"));
            }
            case ReplicationDriver::Copy::failed: return fail(lost(driver_->error_message()));
        }
    }
}

void ReplicationConnection::pause_reading(bool paused) {
    if (paused_ == paused) return;
    paused_ = paused;
    if (paused || state_ != State::copying) return;
    // libpq may already hold whole messages: read them before waiting.
    asio::post(ex_, [weak = weak_from_this()] {
        if (auto self = weak.lock(); self && self->state_ == State::copying && !self->paused_) self->read_copy_data();
    });
}

bool ReplicationConnection::send_copy_data(std::string_view data) {
    if (state_ != State::copying) return false;
    if (!driver_->put_copy_data(data)) {
        fail(lost(driver_->error_message()));
        return false;
    }
    flush();
    return true;
}

// ---- socket --------------------------------------------------------------------

void ReplicationConnection::flush() {
    if (state_ == State::closed || writing_) return;
    const auto r = driver_->flush();
    if (r == ReplicationDriver::Flush::done) return;
    if (r == ReplicationDriver::Flush::failed) return fail(lost(driver_->error_message()));
    writing_ = true;
    socket_.async_wait(wait_type::wait_write, [weak = weak_from_this()](const boost::system::error_code& ec) {
        auto self = weak.lock();
        if (!self) return;
        self->writing_ = false;
        if (ec || self->state_ == State::closed) return;
        self->flush();
    });
}

void ReplicationConnection::arm_read() {
    if (reading_ || paused_ || state_ == State::closed) return;
    reading_ = true;
    socket_.async_wait(wait_type::wait_read, [weak = weak_from_this()](const boost::system::error_code& ec) {
        auto self = weak.lock();
        if (!self) return;
        self->reading_ = false;
        if (ec || self->state_ == State::closed) return;
        self->on_readable();
    });
}

void ReplicationConnection::on_readable() {
    if (!driver_->consume_input()) return fail(lost(driver_->error_message()));
    if (state_ == State::command) return read_command_results();
    if (state_ == State::copying) return read_copy_data();
    // Idle: only a server message (a FATAL before closing) can arrive.
    if (driver_->is_bad()) return fail(lost(driver_->error_message()));
    arm_read();
}

std::exception_ptr ReplicationConnection::lost(const std::string& why) {
    last_error_ = why;
    return make_error(Errc::connection_lost, "replication connection lost: " + why);
}

void ReplicationConnection::fail(std::exception_ptr error) {
    auto command_done = std::move(command_done_);
    auto copy_end = std::move(copy_end_);
    close();
    // A stream (starting or running) reports its end once; else the command fails.
    if (copy_end) {
        asio::post(ex_, [end = std::move(copy_end), error] { end(error); });
    } else if (command_done) {
        asio::post(ex_, [done = std::move(command_done), error] { done(error, {}); });
    }
}

}  // namespace pgwamp::db
