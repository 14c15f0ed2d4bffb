#include "db/pg_driver.hpp"

#include <libpq-fe.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

#include <spdlog/spdlog.h>

#include "db/local_settings.hpp"
#include "db/pg_result.hpp"
#include "db/session_settings.hpp"
#include "db/type_registry.hpp"

namespace pgwamp::db {
namespace {

using ResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

std::string trimmed(const char* text) { return trimmed_message(text); }

// The NULL that ends the local settings' results is not the statement's end:
// its result follows.
bool settings_ended(const Request& r) { return r.local_settings && r.local_settings_answered; }

std::exception_ptr error_for(const PGresult* res, const Request& r, bool conn_bad) {
    return statement_error(server_diagnostics(res), r, conn_bad);
}

std::uint64_t affected(const PGresult* res) {
    const char* n = PQcmdTuples(const_cast<PGresult*>(res));
    return (n && *n) ? std::strtoull(n, nullptr, 10) : 0;
}

// Server notices (and a FATAL sent while idle) go to the log, not stderr.
// Their text is the server's: logged at debug, never parsed.
void log_notice(void*, const char* message) { spdlog::debug("pgwamp.db: server notice: {}", trimmed(message)); }

Driver::Step step_of(PostgresPollingStatusType s) {
    switch (s) {
        case PGRES_POLLING_READING: return Driver::Step::wait_read;
        case PGRES_POLLING_WRITING: return Driver::Step::wait_write;
        case PGRES_POLLING_OK: return Driver::Step::done;
        default: return Driver::Step::failed;
    }
}

}  // namespace

PgDriver::Step PgDriver::connect_start(const std::string& conninfo) {
    finish();
    std::string options = startup_options(conninfo);
    // expand_dbname = 1: "dbname" holds the whole conninfo (or URI), and
    // the keywords after it override what it says.
    const char* keywords[] = {"dbname", "options", nullptr};
    const char* values[] = {conninfo.c_str(), options.c_str(), nullptr};
    conn_ = PQconnectStartParams(keywords, values, 1);
    if (!conn_ || PQstatus(conn_) == CONNECTION_BAD) return Step::failed;
    PQsetNoticeProcessor(conn_, &log_notice, nullptr);
    // Libpq's first answer is always "write" (the socket is connecting).
    return Step::wait_write;
}

PgDriver::Step PgDriver::connect_poll() { return conn_ ? step_of(PQconnectPoll(conn_)) : Step::failed; }

bool PgDriver::enter_pipeline() {
    std::string mismatch = check_session_settings(conn_);
    if (!mismatch.empty()) spdlog::warn("pgwamp.db: {}", mismatch);
    return PQsetnonblocking(conn_, 1) == 0 && PQenterPipelineMode(conn_) == 1;
}

int PgDriver::socket() const { return conn_ ? PQsocket(conn_) : -1; }
int PgDriver::backend_pid() const { return conn_ ? PQbackendPID(conn_) : 0; }
bool PgDriver::is_bad() const { return !conn_ || PQstatus(conn_) == CONNECTION_BAD; }

std::string PgDriver::error_message() const {
    return conn_ ? trimmed(PQerrorMessage(conn_)) : "out of memory creating the connection";
}

bool PgDriver::send_statement(const std::string& sql, const BoundParams& p) {
    // Text results (resultFormat 0): casting is by OID over text (TypeRegistry).
    return PQsendQueryParams(conn_, sql.c_str(), p.size(), p.types.data(), p.values.data(), p.lengths.data(),
                             p.formats.data(), 0) == 1;
}

bool PgDriver::send(const Request& r) {
    // Local settings go first, before the same Sync: one implicit
    // transaction, so set_config(..., true) holds for the statement only.
    if (r.local_settings && !send_statement(r.local_settings->sql(), r.local_settings->bound())) return false;
    if (!send_statement(r.sql, r.bound)) return false;
    // One Sync per request: the server ends the implicit transaction there,
    // and an error aborts only up to this point. (libpq 15 flushes here.)
    return PQpipelineSync(conn_) == 1;
}

void PgDriver::cork(bool on) {
    if (cork_unsupported_ || !conn_) return;
    int v = on ? 1 : 0;
    if (::setsockopt(PQsocket(conn_), IPPROTO_TCP, TCP_CORK, &v, sizeof v) != 0) cork_unsupported_ = true;
}

PgDriver::Flush PgDriver::flush() {
    switch (PQflush(conn_)) {
        case 0: return Flush::done;
        case 1: return Flush::more;
        default: return Flush::failed;
    }
}

bool PgDriver::consume_input() { return conn_ && PQconsumeInput(conn_) == 1; }

PgDriver::Event PgDriver::next_event(Request* head, const TypeRegistry& types) {
    for (;;) {
        if (is_bad()) return Event::broken;
        // PQgetResult blocks when a result is incomplete; PQisBusy says whether it would.
        if (PQisBusy(conn_)) return Event::none;
        ResultPtr res(PQgetResult(conn_), &PQclear);
        if (!res) {
            // In pipeline mode a NULL ends each statement's results, and is
            // also what an idle pipeline returns: either way, look again only
            // if more is buffered (a statement's end is followed by its Sync).
            if (!head) return Event::none;
            if (!head->has_outcome && !settings_ended(*head)) return Event::none;
            if (PQisBusy(conn_)) return Event::none;
            ResultPtr next(PQgetResult(conn_), &PQclear);
            if (!next) return Event::none;
            res = std::move(next);
        }
        ExecStatusType st = PQresultStatus(res.get());
        if (st == PGRES_PIPELINE_SYNC) return Event::sync;
        if (!head) {
            // A result with nothing in flight: only an asynchronous FATAL
            // error (e.g. admin shutdown) does that; the connection is ending.
            if (st == PGRES_FATAL_ERROR) continue;
            return Event::protocol;
        }
        if (head->has_outcome) continue;  // one statement, one result: ignore extras
        if (head->local_settings && !head->local_settings_answered) {
            // The set_config result. Failed: that is the statement's error
            // (the statement is skipped, its ABORTED result ignored above).
            head->local_settings_answered = true;
            if (st == PGRES_TUPLES_OK) continue;
            head->has_outcome = true;
            head->error = st == PGRES_FATAL_ERROR
                              ? error_for(res.get(), *head, is_bad())
                              : std::make_exception_ptr(Error(make_error_code(Errc::sql_error),
                                                              std::string("local settings: ") + PQresStatus(st)));
            return Event::statement;
        }
        head->has_outcome = true;
        switch (st) {
            case PGRES_TUPLES_OK:
            case PGRES_SINGLE_TUPLE:
            case PGRES_COMMAND_OK:
            case PGRES_EMPTY_QUERY:
                head->command_status = PQcmdStatus(res.get());
                try {
                    if (head->kind == RequestKind::query) {
                        head->result = make_result(res.get(), types);
                    } else {
                        head->result.affected_rows = affected(res.get());
                    }
                } catch (...) {
                    head->error = std::current_exception();
                }
                return Event::statement;
            case PGRES_FATAL_ERROR:
                head->error = error_for(res.get(), *head, is_bad());
                return Event::statement;
            case PGRES_PIPELINE_ABORTED:
                head->error = std::make_exception_ptr(Error(make_error_code(Errc::sql_error),
                                                            "statement skipped: an earlier statement failed"));
                return Event::statement;
            default:
                head->error = std::make_exception_ptr(
                    Error(make_error_code(Errc::sql_error),
                          std::string("unsupported result: ") + PQresStatus(st) + " (COPY is not supported)"));
                return Event::protocol;
        }
    }
}

bool PgDriver::next_notification(Notification& out) {
    if (!conn_) return false;
    PGnotify* n = PQnotifies(conn_);
    if (!n) return false;
    out.channel = n->relname;
    out.payload = n->extra ? n->extra : "";
    out.backend_pid = n->be_pid;
    PQfreemem(n);
    return true;
}

void PgDriver::finish() {
    if (conn_) PQfinish(conn_);
    conn_ = nullptr;
}

}  // namespace pgwamp::db
