// ReplicationDriver on libpq: a connection with replication=database.

#include <libpq-fe.h>

#include <spdlog/spdlog.h>

#include "changes/replication_driver.hpp"
#include "pg/pg_result.hpp"
#include "pg/session_settings.hpp"

namespace pgwamp::db {
namespace {

ReplicationDriver::Rows rows_of(const PGresult* res) {
    ReplicationDriver::Rows rows;
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

void log_notice(void*, const char* message) {
    spdlog::debug("event=server_notice connection=replication message=\"{}\"", trimmed_message(message));
}

class PgReplicationDriver final : public ReplicationDriver {
public:
    ~PgReplicationDriver() override { finish(); }

    Step connect_start(const std::string& conninfo) override {
        const std::string options = startup_options(conninfo);
        // expand_dbname: "dbname" holds the whole conninfo; the keywords after it win.
        const char* keywords[] = {"dbname", "options", "replication", nullptr};
        const char* values[] = {conninfo.c_str(), options.c_str(), "database", nullptr};
        conn_ = PQconnectStartParams(keywords, values, 1);
        if (!conn_ || PQstatus(conn_) == CONNECTION_BAD) return Step::failed;
        PQsetNoticeProcessor(conn_, &log_notice, nullptr);
        return Step::wait_write;  // libpq's first answer: the socket is connecting
    }
    Step connect_poll() override { return conn_ ? connect_step_of(PQconnectPoll(conn_)) : Step::failed; }
    int socket() const override { return conn_ ? PQsocket(conn_) : -1; }
    std::string error_message() const override {
        return conn_ ? trimmed_message(PQerrorMessage(conn_)) : "out of memory";
    }

    bool enter_nonblocking() override { return PQsetnonblocking(conn_, 1) == 0; }
    std::string settings_mismatch() const override { return check_session_settings(conn_); }
    int backend_pid() const override { return conn_ ? PQbackendPID(conn_) : 0; }
    bool is_bad() const override { return !conn_ || PQstatus(conn_) == CONNECTION_BAD; }

    bool send_query(const std::string& sql) override { return PQsendQuery(conn_, sql.c_str()) == 1; }
    Flush flush() override {
        const int r = PQflush(conn_);
        return r == 0 ? Flush::done : r > 0 ? Flush::more : Flush::failed;
    }
    bool consume_input() override { return PQconsumeInput(conn_) == 1; }

    std::optional<Result> next_result(bool* complete) override {
        *complete = false;
        if (PQisBusy(conn_)) return std::nullopt;
        PGresult* res = PQgetResult(conn_);
        if (!res) {
            *complete = true;
            return std::nullopt;
        }
        Result out;
        switch (PQresultStatus(res)) {
            case PGRES_TUPLES_OK: out = {Result::Kind::rows, rows_of(res), {}}; break;
            case PGRES_COMMAND_OK:
            case PGRES_EMPTY_QUERY: out.kind = Result::Kind::command_ok; break;
            case PGRES_COPY_BOTH: out.kind = Result::Kind::copy_both; break;
            default: out = {Result::Kind::error, {}, server_diagnostics(res)};
        }
        PQclear(res);
        return out;
    }

    Copy next_copy_data(std::string_view& message) override {
        copy_buffer_.reset();
        char* buffer = nullptr;
        const int n = PQgetCopyData(conn_, &buffer, 1);
        if (n > 0) {
            copy_buffer_.reset(buffer);
            message = std::string_view(buffer, static_cast<std::size_t>(n));
            return Copy::message;
        }
        if (n == 0) return Copy::wait;
        return n == -1 ? Copy::ended : Copy::failed;
    }
    std::optional<Diagnostics> end_of_copy() override {
        std::optional<Diagnostics> error;
        while (PGresult* res = PQgetResult(conn_)) {
            if (PQresultStatus(res) == PGRES_FATAL_ERROR && !error) error = server_diagnostics(res);
            PQclear(res);
        }
        return error;
    }
    bool put_copy_data(std::string_view data) override {
        return PQputCopyData(conn_, data.data(), static_cast<int>(data.size())) == 1;
    }

    void finish() override {
        copy_buffer_.reset();
        if (conn_) PQfinish(conn_);
        conn_ = nullptr;
    }

private:
    struct FreeMem {
        void operator()(char* p) const { PQfreemem(p); }
    };
    PGconn* conn_ = nullptr;
    std::unique_ptr<char, FreeMem> copy_buffer_;  // the message next_copy_data last returned
};

}  // namespace

std::unique_ptr<ReplicationDriver> make_pg_replication_driver() { return std::make_unique<PgReplicationDriver>(); }

}  // namespace pgwamp::db
