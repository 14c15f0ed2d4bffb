#include "db/pg_driver.hpp"

#include <libpq-fe.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string_view>

#include <spdlog/spdlog.h>

#include "db/local_settings.hpp"
#include "pg/pg_result.hpp"
#include "pg/replication_messages.hpp"
#include "pg/session_settings.hpp"
#include "pg/sqlstate.hpp"
#include "pg/type_registry.hpp"

namespace pgwamp::db {
namespace {

using ResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

std::string trimmed(const char* text) { return trimmed_message(text); }

std::exception_ptr error_for(const PGresult* res, const Request& r, bool conn_bad) {
    return statement_error(server_diagnostics(res), r, conn_bad);
}

std::uint64_t affected(const PGresult* res) {
    const char* n = PQcmdTuples(const_cast<PGresult*>(res));
    return (n && *n) ? std::strtoull(n, nullptr, 10) : 0;
}

bool is_stale_plan(const PGresult* res) {
    const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    return state && std::string_view(state) == sqlstate::feature_not_supported;
}

// Server notices (and a FATAL sent while idle) go to the log, not stderr.
// Their text is the server's: logged at debug, never parsed.
void log_notice(void*, const char* message) { spdlog::debug("event=server_notice message=\"{}\"", trimmed(message)); }

}  // namespace

Connector::Step connect_step_of(int polling_status) {
    switch (static_cast<PostgresPollingStatusType>(polling_status)) {
        case PGRES_POLLING_READING: return Connector::Step::wait_read;
        case PGRES_POLLING_WRITING: return Connector::Step::wait_write;
        case PGRES_POLLING_OK: return Connector::Step::done;
        default: return Connector::Step::failed;
    }
}

PgDriver::Step PgDriver::connect_start(const std::string& conninfo) {
    finish();
    desynced_ = false;
    terminator_pending_ = false;
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

PgDriver::Step PgDriver::connect_poll() { return conn_ ? connect_step_of(PQconnectPoll(conn_)) : Step::failed; }

bool PgDriver::enter_pipeline() {
    std::string mismatch = check_session_settings(conn_);
    if (!mismatch.empty()) spdlog::warn("event=session_settings_mismatch detail=\"{}\"", mismatch);
    return PQsetnonblocking(conn_, 1) == 0 && PQenterPipelineMode(conn_) == 1;
}

int PgDriver::socket() const { return conn_ ? PQsocket(conn_) : -1; }
int PgDriver::backend_pid() const { return conn_ ? PQbackendPID(conn_) : 0; }
bool PgDriver::is_bad() const { return desynced_ || !conn_ || PQstatus(conn_) == CONNECTION_BAD; }

std::string PgDriver::error_message() const {
    return conn_ ? trimmed(PQerrorMessage(conn_)) : "out of memory creating the connection";
}

bool PgDriver::send(Request& r) {
    r.steps.clear();
    r.steps_done = 0;
    if (r.local_settings && !r.group_follower) {
        // Before the statement and its Sync: one implicit transaction, so
        // set_config(..., true) holds for this statement only.
        std::string settings_name;
        if (!send_statement(r, r.local_settings->sql(), r.local_settings->bound(), settings_name)) return false;
        r.steps.push_back({Request::SentStep::Kind::settings, std::move(settings_name)});
    }
    if (!send_statement(r, r.sql, r.bound, r.statement_name)) {
        if (r.local_settings && !r.group_follower) desynced_ = true;  // the settings are queued without their statement
        return false;
    }
    // A read group's member other than the last: its Sync comes with a later
    // one. A Flush message (queued, not sent: no syscall) makes the server
    // send this result at once rather than at the Sync, so a slow neighbour
    // delays no earlier member and a cancel can reach it as the head.
    if (r.shares_sync) {
        if (PQsendFlushRequest(conn_) == 1) return true;
        desynced_ = true;
        return false;
    }
    // One Sync per request: the server ends the implicit transaction there,
    // and an error aborts only up to this point. (libpq 15 flushes here.)
    if (PQpipelineSync(conn_) != 1) {
        desynced_ = true;  // the statement is queued without its Sync
        return false;
    }
    if (r.commit_position) {
        // Its own segment behind the statement's Sync, so it runs after the
        // commit; same flush, no round trip (db/commit_position.hpp).
        if (PQsendQueryParams(conn_, "SELECT pg_current_wal_insert_lsn()", 0, nullptr, nullptr, nullptr, nullptr,
                              0) != 1 ||
            PQpipelineSync(conn_) != 1) {
            desynced_ = true;
            return false;
        }
        r.position_step = Request::PositionStep::sent;
    }
    return true;
}

bool PgDriver::send_sync() {
    if (PQpipelineSync(conn_) == 1) return true;
    desynced_ = true;
    return false;
}

void PgDriver::on_position_result(Request& r, const PGresult* res) {
    r.position_step = Request::PositionStep::none;
    if (r.error) return;  // the statement failed: nothing was committed
    std::optional<std::uint64_t> lsn;
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
        lsn = replication::parse_lsn(PQgetvalue(res, 0, 0));
    if (lsn) {
        r.commit_position->record(*lsn);
    } else {
        r.commit_position->unknown = true;
    }
}

bool PgDriver::send_statement(Request& r, const std::string& sql, const BoundParams& p, std::string& executed) {
    executed.clear();
    std::size_t before = r.steps.size();
    if (!send_queued_closes(r)) return false;
    StatementCache::Use u;
    if (r.prepare) u = cache_.use(sql, p.types, !r.in_transaction);
    bool ok = false;
    // Text results (resultFormat 0): casting is by OID over text (TypeRegistry).
    switch (u.kind) {
        case StatementCache::Kind::unnamed:
            ok = PQsendQueryParams(conn_, sql.c_str(), p.size(), p.types.data(), p.values.data(), p.lengths.data(),
                                   p.formats.data(), 0) == 1;
            break;
        case StatementCache::Kind::prepare:
            // Parse, Bind and Execute in one flush: preparing costs no round trip.
            if (!u.close_first.empty() && !send_close(r, u.close_first)) {
                cache_.parsed(u.name, false);
                return false;
            }
            if (PQsendPrepare(conn_, u.name.c_str(), sql.c_str(), p.size(), p.types.data()) != 1) {
                cache_.parsed(u.name, false);
                if (r.steps.size() > before) desynced_ = true;
                return false;
            }
            r.steps.push_back({Request::SentStep::Kind::parse, u.name});
            [[fallthrough]];
        case StatementCache::Kind::prepared:
            ok = PQsendQueryPrepared(conn_, u.name.c_str(), p.size(), p.values.data(), p.lengths.data(),
                                     p.formats.data(), 0) == 1;
            executed = std::move(u.name);
            break;
    }
    // A refusal after part of the segment was queued: see desynced_.
    if (!ok && r.steps.size() > before) desynced_ = true;
    return ok;
}

bool PgDriver::send_close(Request& r, const std::string& name) {
    // libpq 15 has no PQsendClosePrepared: DEALLOCATE as a statement. Our
    // names are identifiers of our own making (pgwamp_N): no quoting needed.
    std::string sql = "DEALLOCATE " + name;
    if (PQsendQueryParams(conn_, sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0) != 1) {
        cache_.closed(name, false);
        if (!r.steps.empty()) desynced_ = true;
        return false;
    }
    r.steps.push_back({Request::SentStep::Kind::close, name});
    return true;
}

bool PgDriver::send_queued_closes(Request& r) {
    // Inside a transaction a DEALLOCATE could fail (an aborted transaction)
    // and take the statement behind it down: closes wait for a request
    // outside one.
    if (r.in_transaction || r.group_follower || !cache_.has_closes()) return true;
    for (const std::string& name : cache_.take_closes())
        if (!send_close(r, name)) return false;
    return true;
}

void PgDriver::on_step_result(Request& r, const PGresult* res) {
    const Request::SentStep& step = r.steps[r.steps_done++];
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    switch (step.kind) {
        case Request::SentStep::Kind::parse: cache_.parsed(step.name, ok); break;  // failed or skipped: never recorded
        case Request::SentStep::Kind::close: cache_.closed(step.name, ok); break;
        case Request::SentStep::Kind::settings: break;  // rows of set_config: nothing to keep
    }
    // The statement behind a failed step is skipped (PIPELINE_ABORTED): the
    // caller gets the step's own error (e.g. the Parse's syntax error).
    if (PQresultStatus(res) == PGRES_FATAL_ERROR && !r.error) r.error = error_for(res, r, is_bad());
}

void PgDriver::on_stale_plan(Request& r) {
    // "cached plan must not change result type" (0A000 on a prepared
    // statement): the table changed under it. Re-prepare on the next use;
    // outside an explicit transaction the statement did not run (its
    // implicit transaction ended with the error), so it is sent once more.
    cache_.invalidate(r.statement_name);
    if (!r.in_transaction && !r.retried && !r.cancel_requested) r.retry_stale_plan = true;
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
        if (!res && terminator_pending_) {
            // The end of a read group member's results, taken already: the
            // next member's come behind it, without a Sync in between.
            terminator_pending_ = false;
            continue;
        }
        if (!res) {
            // In pipeline mode a NULL ends each statement's results, and is
            // also what an idle pipeline returns: either way, look again only
            // if more is buffered (a statement's end is followed by its Sync).
            // (A sent step's end, a Parse's or a DEALLOCATE's, likewise.)
            if (!head || (!head->has_outcome && head->steps_done == 0)) return Event::none;
            if (PQisBusy(conn_)) return Event::none;
            ResultPtr next(PQgetResult(conn_), &PQclear);
            if (!next) return Event::none;
            res = std::move(next);
        }
        ExecStatusType st = PQresultStatus(res.get());
        if (st == PGRES_PIPELINE_SYNC) {
            // The statement's own Sync, with its position read still to come.
            if (head && head->position_step == Request::PositionStep::sent && head->has_outcome) {
                head->position_step = Request::PositionStep::statement_synced;
                continue;
            }
            return Event::sync;
        }
        if (!head) {
            // A result with nothing in flight: only an asynchronous FATAL
            // error (e.g. admin shutdown) does that; the connection is ending.
            if (st == PGRES_FATAL_ERROR) continue;
            return Event::protocol;
        }
        if (head->position_step == Request::PositionStep::statement_synced) {
            on_position_result(*head, res.get());
            continue;
        }
        if (head->has_outcome) continue;  // one statement, one result: ignore extras
        if (head->steps_done < head->steps.size()) {
            on_step_result(*head, res.get());
            continue;
        }
        head->has_outcome = true;
        switch (st) {
            case PGRES_TUPLES_OK:
            case PGRES_SINGLE_TUPLE:
            case PGRES_COMMAND_OK:
            case PGRES_EMPTY_QUERY:
                terminator_pending_ = head->shares_sync;
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
                terminator_pending_ = head->shares_sync;
                head->error = error_for(res.get(), *head, is_bad());
                if (!head->statement_name.empty() && is_stale_plan(res.get())) on_stale_plan(*head);
                return Event::statement;
            case PGRES_PIPELINE_ABORTED:
                // Swallowing a NULL that is not this one's end costs one more look, no more.
                terminator_pending_ = head->shares_sync;
                if (head->error) return Event::statement;  // a failed step's error, kept
                if (head->read_group && (head->shares_sync || head->group_follower)) {
                    head->aborted_in_group = true;  // it never ran: sent again
                    return Event::statement;
                }
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
    cache_.clear();  // a new connection starts with nothing prepared
}

}  // namespace pgwamp::db
