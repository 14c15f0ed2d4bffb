#include "changes/replication_connection.hpp"

#include <libpq-fe.h>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "pg/error.hpp"
#include "pg/pg_result.hpp"
#include "pg/session_settings.hpp"
#include "pg/sqlstate.hpp"

namespace pgwamp::db {

namespace asio = boost::asio;
using wait_type = asio::posix::stream_descriptor::wait_type;

namespace {

std::string trimmed(const char* text) { return trimmed_message(text); }

std::exception_ptr server_error(const PGresult* res) {
    Diagnostics d = server_diagnostics(res);
    const Errc code = sqlstate_ends_connection(d.sqlstate) ? Errc::connection_lost : Errc::sql_error;
    std::string what = d.message;
    return make_error(code, std::move(what), std::move(d));
}

ReplicationConnection::Rows rows_of(const PGresult* res) {
    ReplicationConnection::Rows rows;
    const int n = PQntuples(res), cols = PQnfields(res);
    rows.reserve(static_cast<std::size_t>(n));
    for (int r = 0; r < n; ++r) {
        auto& row = rows.emplace_back();
        for (int c = 0; c < cols; ++c) {
            if (PQgetisnull(res, r, c)) row.emplace_back(std::nullopt);
            else row.emplace_back(std::string(PQgetvalue(res, r, c), static_cast<std::size_t>(PQgetlength(res, r, c))));
        }
    }
    return rows;
}

void log_notice(void*, const char* message) { spdlog::debug("event=server_notice connection=replication message=\"{}\"", trimmed(message)); }

}  // namespace

ReplicationConnection::ReplicationConnection(asio::any_io_executor ex, std::string conninfo,
                                             std::shared_ptr<HostResolver> resolver,
                                             std::chrono::milliseconds connect_timeout)
    : ex_(ex),
      conninfo_(std::move(conninfo)),
      resolver_(std::move(resolver)),
      connect_timeout_(connect_timeout),
      socket_(ex),
      connect_loop_(ex, socket_, *this) {}

ReplicationConnection::~ReplicationConnection() { close(); }

int ReplicationConnection::backend_pid() const { return conn_ ? PQbackendPID(conn_) : 0; }

void ReplicationConnection::close() {
    if (state_ == State::closed && !conn_) return;
    state_ = State::closed;
    connect_loop_.cancel();
    if (socket_.is_open()) socket_.release();  // libpq owns the descriptor
    if (conn_) PQfinish(conn_);
    conn_ = nullptr;
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

ReplicationConnection::Step ReplicationConnection::connect_start(const std::string& conninfo) {
    const std::string options = startup_options(conninfo);
    // expand_dbname: "dbname" holds the whole conninfo; the keywords after it win.
    const char* keywords[] = {"dbname", "options", "replication", nullptr};
    const char* values[] = {conninfo.c_str(), options.c_str(), "database", nullptr};
    conn_ = PQconnectStartParams(keywords, values, 1);
    if (!conn_ || PQstatus(conn_) == CONNECTION_BAD) return Step::failed;
    PQsetNoticeProcessor(conn_, &log_notice, nullptr);
    return Step::wait_write;  // libpq's first answer: the socket is connecting
}

ReplicationConnection::Step ReplicationConnection::connect_poll() {
    return conn_ ? connect_step_of(PQconnectPoll(conn_)) : Step::failed;
}

int ReplicationConnection::socket() const { return conn_ ? PQsocket(conn_) : -1; }

std::string ReplicationConnection::error_message() const {
    return conn_ ? trimmed(PQerrorMessage(conn_)) : "out of memory";
}

void ReplicationConnection::connected() {
    if (PQsetnonblocking(conn_, 1) != 0 || !connect_loop_.sync_socket()) {
        return connect_failed("cannot make the connection non-blocking: " + trimmed(PQerrorMessage(conn_)));
    }
    const std::string mismatch = check_session_settings(conn_);
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
    if (!PQsendQuery(conn_, sql.c_str())) {
        auto error = lost(trimmed(PQerrorMessage(conn_)));
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
    while (state_ == State::command && !PQisBusy(conn_)) {
        PGresult* res = PQgetResult(conn_);
        if (!res) {
            state_ = State::idle;
            auto done = std::move(command_done_);
            command_done_ = nullptr;
            done(command_error_, std::move(command_rows_));
            return;
        }
        switch (PQresultStatus(res)) {
            case PGRES_TUPLES_OK: command_rows_ = rows_of(res); break;
            case PGRES_COMMAND_OK:
            case PGRES_EMPTY_QUERY: break;
            case PGRES_COPY_BOTH: {
                PQclear(res);
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
            default:
                if (!command_error_) command_error_ = server_error(res);
        }
        PQclear(res);
    }
    if (state_ == State::command) arm_read();
}

// ---- copy both -----------------------------------------------------------------

void ReplicationConnection::read_copy_data() {
    while (state_ == State::copying && !paused_) {
        char* buffer = nullptr;
        const int n = PQgetCopyData(conn_, &buffer, 1);
        if (n > 0) {
            std::unique_ptr<char, decltype(&PQfreemem)> owned(buffer, &PQfreemem);
            // The handler may pause or close us; the loop checks again.
            auto self = shared_from_this();
            on_message_(std::string_view(buffer, static_cast<std::size_t>(n)));
            continue;
        }
        if (n == 0) return arm_read();
        if (n == -1) {
            // The server ended the copy: its final result says why.
            std::exception_ptr error;
            while (PGresult* res = PQgetResult(conn_)) {
                if (PQresultStatus(res) == PGRES_FATAL_ERROR && !error) error = server_error(res);
                PQclear(res);
            }
            return fail(error ? error : lost("the server ended the replication stream"));
        }
        return fail(lost(trimmed(PQerrorMessage(conn_))));
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
    if (PQputCopyData(conn_, data.data(), static_cast<int>(data.size())) != 1) {
        fail(lost(trimmed(PQerrorMessage(conn_))));
        return false;
    }
    flush();
    return true;
}

// ---- socket --------------------------------------------------------------------

void ReplicationConnection::flush() {
    if (!conn_ || writing_) return;
    const int r = PQflush(conn_);
    if (r == 0) return;
    if (r < 0) return fail(lost(trimmed(PQerrorMessage(conn_))));
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
    if (!PQconsumeInput(conn_)) return fail(lost(trimmed(PQerrorMessage(conn_))));
    if (state_ == State::command) return read_command_results();
    if (state_ == State::copying) return read_copy_data();
    // Idle: only a server message (a FATAL before closing) can arrive.
    if (PQstatus(conn_) == CONNECTION_BAD) return fail(lost(trimmed(PQerrorMessage(conn_))));
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
