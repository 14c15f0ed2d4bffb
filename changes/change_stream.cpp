#include "changes/change_stream.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "db/completion_helpers.hpp"  // describe
#include "pg/error.hpp"
#include "pg/identifier.hpp"

namespace pgwamp::db {

namespace asio = boost::asio;
namespace rp = replication;
using detail::describe;

namespace {

// Replication commands take no bound parameters: names go in as quoted literals.
std::string literal(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
}

std::string qualified(const PublishedTable& t) { return quote_identifier(t.schema) + "." + quote_identifier(t.table); }


bool is_true(const std::optional<std::string>& v) { return v && *v == "t"; }

}  // namespace

std::shared_ptr<ChangeStream> ChangeStream::create(asio::any_io_executor ex, ChangeStreamOptions options,
                                                   ChangeHandler on_change, StateHandler on_state) {
    return std::make_shared<ChangeStream>(ex, std::move(options), std::move(on_change), std::move(on_state));
}

ChangeStream::ChangeStream(asio::any_io_executor ex, ChangeStreamOptions options, ChangeHandler on_change,
                           StateHandler on_state)
    : ex_(ex),
      options_(std::move(options)),
      on_change_(std::move(on_change)),
      on_state_(std::move(on_state)),
      reconnector_(ex, options_.backoff, [this](std::uint64_t attempt) { this->attempt(attempt); }),
      retry_timer_(ex),
      status_timer_(ex),
      report_timer_(ex),
      start_position_(change_position(0, 0)),
      decoder_(options_.types ? options_.types : TypeRegistry::defaults()) {
    for (const auto& t : options_.tables) qualified(t);  // refuse an impossible name now
}

ChangeStream::~ChangeStream() {
    if (conn_) conn_->close();
}

void ChangeStream::start(std::chrono::milliseconds delay) {
    if (state_ != StreamState::stopped) return;
    set_state(StreamState::starting, "starting");
    if (delay.count() > 0) return retry_after(delay);
    reconnector_.start();
}

void ChangeStream::stop() {
    reconnector_.cancel();
    retry_timer_.cancel();
    status_timer_.cancel();
    report_timer_.cancel();
    report_pending_ = false;
    if (conn_) conn_->close();
    conn_.reset();
    ++generation_;  // tickets handed out so far are stale: the slot sends those changes again
    acks_.reset(acks_.confirmed());
    paused_ = false;
    set_state(StreamState::stopped, "stopped");
}

void ChangeStream::restart(std::uint64_t generation, const std::string& why) {
    if (generation != generation_) return;
    act(decide(FailedAt::consumer, "", state_), "restarting from the slot: " + why);
}

// ---- connecting and checking ---------------------------------------------------

void ChangeStream::attempt(std::uint64_t attempt) {
    attempt_ = attempt;
    if (conn_) conn_->close();
    conn_ = std::make_shared<ReplicationConnection>(ex_, options_.conninfo, options_.resolver,
                                                    options_.connect_timeout);
    auto c = conn_;
    c->async_connect([weak = weak_from_this(), c](std::exception_ptr error) {
        auto self = weak.lock();
        if (!self || c != self->conn_) return;
        if (error) return self->act(decide(FailedAt::connect, sqlstate_of(error), self->state_), describe(error));
        self->check_server();
    });
}

// Runs one command on the current connection; a failure ends the attempt.
void ChangeStream::command(const std::string& sql, Step next) {
    auto c = conn_;
    c->async_command(sql, [weak = weak_from_this(), c, next = std::move(next)](std::exception_ptr error, Rows rows) {
        auto self = weak.lock();
        if (!self || c != self->conn_) return;
        if (!error) return next(std::move(rows));
        self->act(decide(FailedAt::setup, sqlstate_of(error), self->state_), describe(error));
    });
}

void ChangeStream::check_server() {
    command("SHOW wal_level", [this](Rows rows) {
        const std::string level = !rows.empty() && !rows[0].empty() && rows[0][0] ? *rows[0][0] : "?";
        if (level != "logical") {
            return go_off("wal_level is '" + level +
                          "': row changes need wal_level=logical (set it in postgresql.conf and restart PostgreSQL)");
        }
        command("SHOW max_slot_wal_keep_size", [this](Rows keep) {
            if (!warned_wal_keep_ && !keep.empty() && !keep[0].empty() && keep[0][0] == std::string("-1")) {
                warned_wal_keep_ = true;
                spdlog::warn("event=changes_wal_unbounded slot={} reason=\"max_slot_wal_keep_size is unlimited: "
                             "while no pgwamp consumes the slot, PostgreSQL keeps all WAL for it and the disk can "
                             "fill; set a limit, or drop the slot (pgwamp --drop-slot) when retiring pgwamp\"",
                             options_.slot);
            }
            ensure_publication();
        });
    });
}

void ChangeStream::ensure_publication() {
    command("SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = " +
                literal(options_.publication),
            [this](Rows present) {
                command("SELECT 1 FROM pg_publication WHERE pubname = " + literal(options_.publication),
                        [this, present = std::move(present)](Rows exists) {
                            if (!exists.empty()) return complete_publication(present);
                            std::string sql = "CREATE PUBLICATION " + quote_identifier(options_.publication) +
                                              " FOR TABLE ";
                            for (std::size_t i = 0; i < options_.tables.size(); ++i)
                                sql += (i ? ", " : "") + qualified(options_.tables[i]);
                            // Every operation is published; the consumer skips what a table does not want.
                            spdlog::info("event=changes_publication_created publication={}", options_.publication);
                            command(sql + " WITH (publish = 'insert, update, delete, truncate')",
                                    [this](Rows) { check_replica_identity(); });
                        });
            });
}

void ChangeStream::complete_publication(const Rows& present) {
    std::string missing;
    for (const auto& t : options_.tables) {
        bool found = false;
        for (const auto& row : present)
            if (row.size() == 2 && row[0] == t.schema && row[1] == t.table) found = true;
        if (!found) missing += (missing.empty() ? "" : ", ") + qualified(t);
    }
    const std::string set_publish = "ALTER PUBLICATION " + quote_identifier(options_.publication) +
                                    " SET (publish = 'insert, update, delete, truncate')";
    if (missing.empty()) return command(set_publish, [this](Rows) { check_replica_identity(); });
    spdlog::info("event=changes_publication_extended publication={} added=\"{}\"", options_.publication, missing);
    command("ALTER PUBLICATION " + quote_identifier(options_.publication) + " ADD TABLE " + missing,
            [this, set_publish](Rows) { command(set_publish, [this](Rows) { check_replica_identity(); }); });
}

// UPDATE and DELETE on a published table without a replica identity fail in
// the writer's transaction: say so once, clearly, rather than let it surprise.
void ChangeStream::check_replica_identity() {
    if (checked_identity_) return ensure_slot();
    std::string list;
    for (const auto& t : options_.tables)
        if (t.update || t.remove) list += (list.empty() ? "" : ", ") + ("(" + literal(t.schema) + ", " + literal(t.table) + ")");
    if (list.empty()) return ensure_slot();
    command("SELECT n.nspname, c.relname, c.relreplident, "
            "EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE (n.nspname, c.relname) IN (" +
                list + ")",
            [this](Rows rows) {
                checked_identity_ = true;
                for (const auto& r : rows) {
                    if (r.size() != 4 || !r[2]) continue;
                    const bool no_identity = *r[2] == "n" || (*r[2] == "d" && !is_true(r[3]));
                    if (no_identity)
                        spdlog::warn("event=changes_no_replica_identity table={}.{} reason=\"UPDATE and DELETE on "
                                     "this table will fail while it is published: add a primary key or run ALTER "
                                     "TABLE ... REPLICA IDENTITY FULL\"",
                                     r[0].value_or(""), r[1].value_or(""));
                }
                ensure_slot();
            });
}

void ChangeStream::ensure_slot() {
    command("SELECT confirmed_flush_lsn, plugin FROM pg_replication_slots WHERE slot_name = " + literal(options_.slot),
            [this](Rows rows) {
                if (!rows.empty() && rows[0].size() == 2) {
                    if (rows[0][1] != std::string("pgoutput"))
                        return go_off("replication slot '" + options_.slot + "' uses plugin '" +
                                      rows[0][1].value_or("?") + "', not pgoutput: drop it or name another slot");
                    const auto lsn = rows[0][0] ? rp::parse_lsn(*rows[0][0]) : std::nullopt;
                    return start_replication(lsn.value_or(0));
                }
                auto c = conn_;
                // Waits for running transactions to end: it needs a consistent starting point.
                c->async_command("CREATE_REPLICATION_SLOT " + quote_identifier(options_.slot) +
                                     " LOGICAL pgoutput NOEXPORT_SNAPSHOT",
                                 [weak = weak_from_this(), c](std::exception_ptr error, Rows created) {
                                     auto self = weak.lock();
                                     if (!self || c != self->conn_) return;
                                     if (error) {
                                         const auto next = decide(FailedAt::create_slot, sqlstate_of(error), self->state_);
                                         if (next != StreamDecision::proceed) return self->act(next, describe(error));
                                     }
                                     rp::Lsn start = 0;
                                     if (!error && !created.empty() && created[0].size() > 1 && created[0][1])
                                         start = rp::parse_lsn(*created[0][1]).value_or(0);
                                     if (!error)
                                         spdlog::info("event=changes_slot_created slot={} lsn={}", self->options_.slot,
                                                      rp::format_lsn(start));
                                     self->start_replication(start);
                                 });
            });
}

// ---- streaming -----------------------------------------------------------------

void ChangeStream::start_replication(rp::Lsn confirmed) {
    // 0/0: the server starts from the slot's confirmed position.
    const std::string sql = "START_REPLICATION SLOT " + quote_identifier(options_.slot) +
                            " LOGICAL 0/0 (proto_version '1', publication_names " +
                            literal(quote_identifier(options_.publication)) + ")";
    ++generation_;
    acks_.reset(confirmed);
    reported_ = confirmed;
    decoder_.reset();
    batch_.clear();
    paused_ = false;
    start_position_ = change_position(confirmed, 0);
    auto c = conn_;
    c->start_copy(
        sql,
        [weak = weak_from_this(), c] {
            auto self = weak.lock();
            if (!self || c != self->conn_) return;
            self->set_state(StreamState::streaming, "consuming slot " + self->options_.slot);
            self->arm_status_timer();
        },
        [weak = weak_from_this(), c](std::string_view data) {
            auto self = weak.lock();
            if (self && c == self->conn_) self->on_message(data);
        },
        [weak = weak_from_this(), c](std::exception_ptr error) {
            auto self = weak.lock();
            if (self && c == self->conn_) self->on_stream_end(error);
        });
}

void ChangeStream::on_stream_end(std::exception_ptr error) {
    act(decide(FailedAt::stream, sqlstate_of(error), state_), describe(error));
}

void ChangeStream::on_message(std::string_view data) {
    try {
        const auto message = rp::parse_copy_message(data);
        if (const auto* k = std::get_if<rp::Keepalive>(&message)) {
            if (!decoder_.in_transaction()) acks_.confirm_idle(k->wal_end);
            if (k->reply_requested) send_status(false);
            else report_soon();
            return;
        }
        const auto& xlog = std::get<rp::XLogData>(message);
        batch_.clear();
        switch (decoder_.feed(rp::decode_pgoutput(xlog.payload), batch_)) {
            case ChangeDecoder::Step::begin: transaction_ = acks_.begin(); break;
            case ChangeDecoder::Step::commit:
                acks_.commit(transaction_, decoder_.commit_end_lsn());
                report_soon();
                break;
            case ChangeDecoder::Step::change:
                for (auto& change : batch_) {
                    change.ticket = {generation_, transaction_};
                    acks_.add_change(transaction_);
                    on_change_(std::move(change));
                }
                if (!paused_ && acks_.unacknowledged() >= options_.max_unacknowledged && conn_) {
                    paused_ = true;
                    conn_->pause_reading(true);
                }
                break;
            case ChangeDecoder::Step::other: break;
        }
    } catch (const std::exception& e) {
        fail(std::string("cannot decode the replication stream: ") + e.what());
    }
}

void ChangeStream::acknowledge(const ChangeTicket& ticket) {
    if (ticket.generation != generation_) return;  // from before a restart: the slot sends it again
    acks_.acknowledge(ticket.transaction);
    if (paused_ && acks_.unacknowledged() <= options_.max_unacknowledged / 2 && conn_) {
        paused_ = false;
        conn_->pause_reading(false);
    }
    report_soon();
}

// Status updates are batched: one per 100 ms at most while positions move.
void ChangeStream::report_soon() {
    if (report_pending_ || acks_.confirmed() == reported_ || state_ != StreamState::streaming) return;
    report_pending_ = true;
    report_timer_.expires_after(std::chrono::milliseconds(100));
    report_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
        auto self = weak.lock();
        if (!self || ec) return;
        self->report_pending_ = false;
        if (self->state_ == StreamState::streaming) self->send_status(false);
    });
}

void ChangeStream::send_status(bool reply_requested) {
    if (!conn_) return;
    const rp::Lsn confirmed = acks_.confirmed();
    const auto now = rp::to_pg_time(std::chrono::system_clock::now());
    if (conn_->send_copy_data(rp::encode_standby_status(confirmed, confirmed, confirmed, now, reply_requested)))
        reported_ = confirmed;
}

void ChangeStream::arm_status_timer() {
    status_timer_.expires_after(options_.status_interval);
    status_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
        auto self = weak.lock();
        if (!self || ec || self->state_ != StreamState::streaming) return;
        self->send_status(false);
        self->arm_status_timer();
    });
}

// ---- failures and retries ------------------------------------------------------

// Carries out what stream_policy decided.
void ChangeStream::act(StreamDecision decision, const std::string& why) {
    switch (decision) {
        case StreamDecision::retry: return fail(why);
        case StreamDecision::wait: return wait_for_slot(why);
        case StreamDecision::turn_off: return go_off(why);
        case StreamDecision::proceed:  // only the caller knows how to carry on
        case StreamDecision::ignore: return;
    }
}

void ChangeStream::fail(const std::string& why) {
    if (conn_) conn_->close();
    conn_.reset();
    status_timer_.cancel();
    ++generation_;
    acks_.reset(acks_.confirmed());
    paused_ = false;
    set_state(StreamState::starting, why);
    const auto delay = reconnector_.on_failure(attempt_);
    spdlog::warn("event=changes_stream_failed slot={} reason=\"{}\" retry_in_ms={}", options_.slot, why,
                 delay ? delay->count() : -1);
}

void ChangeStream::go_off(const std::string& why) {
    if (conn_) conn_->close();
    conn_.reset();
    if (state_ != StreamState::off || reason_ != why)
        spdlog::error("event=changes_off slot={} reason=\"{}\" retry_in_ms={}", options_.slot, why,
                      options_.off_retry_interval.count());
    set_state(StreamState::off, why);
    retry_after(options_.off_retry_interval);
}

void ChangeStream::wait_for_slot(const std::string& why) {
    if (conn_) conn_->close();
    conn_.reset();
    set_state(StreamState::waiting, why);
    retry_after(options_.retry_interval);
}

void ChangeStream::retry_after(std::chrono::milliseconds delay) {
    reconnector_.cancel();
    retry_timer_.expires_after(delay);
    retry_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
        auto self = weak.lock();
        if (!self || ec || self->state_ == StreamState::stopped) return;
        self->reconnector_.start();
    });
}

void ChangeStream::set_state(StreamState state, const std::string& reason) {
    if (state == state_ && reason == reason_) return;
    const bool changed = state != state_;
    state_ = state;
    reason_ = reason;
    if (!changed || !on_state_) return;
    asio::post(ex_, [weak = weak_from_this(), handler = on_state_, state, reason] {
        if (!weak.expired()) handler(state, reason);
    });
}

}  // namespace pgwamp::db
