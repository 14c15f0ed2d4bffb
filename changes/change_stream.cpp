#include "changes/change_stream.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "db/completion.hpp"          // make_completion
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
    asio::co_spawn(ex_, set_up(weak_from_this(), conn_), asio::detached);
}

namespace {

// The stream was dropped, stopped or moved to another connection while a
// set-up step waited: the set-up ends quietly.
struct Stale {};

asio::awaitable<void> connect(asio::any_io_executor ex, std::shared_ptr<ReplicationConnection> c) {
    co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(std::exception_ptr, int)>(
        [&](auto handler) {
            auto done = detail::make_completion<int>(std::move(handler), ex);
            c->async_connect([done](std::exception_ptr e) { done(e, 0); });
        },
        asio::use_awaitable);
}

// One command; throws its db::Error.
asio::awaitable<ReplicationConnection::Rows> run(asio::any_io_executor ex, std::shared_ptr<ReplicationConnection> c,
                                                 std::string sql) {
    co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&,
                                            void(std::exception_ptr, ReplicationConnection::Rows)>(
        [&](auto handler) {
            c->async_command(std::move(sql),
                             detail::make_completion<ReplicationConnection::Rows>(std::move(handler), ex));
        },
        asio::use_awaitable);
}

}  // namespace

// Each wait lets the stream go: after one, `this` is used only once the
// stream is known alive and still on `c`.
void ChangeStream::live(const std::weak_ptr<ChangeStream>& weak, const std::shared_ptr<ReplicationConnection>& c) {
    auto self = weak.lock();
    if (!self || self->conn_ != c) throw Stale{};
}

// GCC 12 inlines Boost 1.74's frame allocator (thread_info_base::allocate,
// recycling) into this coroutine's ramp and then takes the frame's sized
// operator delete for a mismatch: a false positive, the pair is Asio's own.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
// Connects, checks the server (wal_level=logical), creates or completes the
// publication, warns once about tables without a replica identity, finds or
// creates the slot, then starts replication. One step after another; a
// failure is acted on as stream_policy decides.
asio::awaitable<void> ChangeStream::set_up(std::weak_ptr<ChangeStream> weak, std::shared_ptr<ReplicationConnection> c) {
    // Checked before the first step too: co_spawn starts the coroutine from a post.
    if (auto self = weak.lock(); !self || self->conn_ != c) co_return;
    const auto ex = ex_;
    FailedAt at = FailedAt::connect;
    std::exception_ptr error;
    try {
        co_await connect(ex, c);
        live(weak, c);
        at = FailedAt::setup;

        const Rows level_rows = co_await run(ex, c, "SHOW wal_level");
        live(weak, c);
        const std::string level =
            !level_rows.empty() && !level_rows[0].empty() && level_rows[0][0] ? *level_rows[0][0] : "?";
        if (level != "logical") {
            go_off("wal_level is '" + level +
                   "': row changes need wal_level=logical (set it in postgresql.conf and restart PostgreSQL)");
            co_return;
        }
        const Rows keep = co_await run(ex, c, "SHOW max_slot_wal_keep_size");
        live(weak, c);
        if (!warned_wal_keep_ && !keep.empty() && !keep[0].empty() && keep[0][0] == std::string("-1")) {
            warned_wal_keep_ = true;
            spdlog::warn("event=changes_wal_unbounded slot={} reason=\"max_slot_wal_keep_size is unlimited: "
                         "while no pgwamp consumes the slot, PostgreSQL keeps all WAL for it and the disk can "
                         "fill; set a limit, or drop the slot (pgwamp --drop-slot) when retiring pgwamp\"",
                         options_.slot);
        }

        // The publication: created with every configured table, or completed.
        std::string sql = "SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = " +
                          literal(options_.publication);
        const Rows present = co_await run(ex, c, std::move(sql));
        live(weak, c);
        sql = "SELECT 1 FROM pg_publication WHERE pubname = " + literal(options_.publication);
        const Rows exists = co_await run(ex, c, std::move(sql));
        live(weak, c);
        if (exists.empty()) {
            sql = "CREATE PUBLICATION " + quote_identifier(options_.publication) + " FOR TABLE ";
            for (std::size_t i = 0; i < options_.tables.size(); ++i)
                sql += (i ? ", " : "") + qualified(options_.tables[i]);
            // Every operation is published; the consumer skips what a table does not want.
            spdlog::info("event=changes_publication_created publication={}", options_.publication);
            sql += " WITH (publish = 'insert, update, delete, truncate')";
            co_await run(ex, c, std::move(sql));
            live(weak, c);
        } else {
            const std::string missing = missing_tables(present);
            if (!missing.empty()) {
                spdlog::info("event=changes_publication_extended publication={} added=\"{}\"", options_.publication,
                             missing);
                sql = "ALTER PUBLICATION " + quote_identifier(options_.publication) + " ADD TABLE " + missing;
                co_await run(ex, c, std::move(sql));
                live(weak, c);
            }
            sql = "ALTER PUBLICATION " + quote_identifier(options_.publication) +
                  " SET (publish = 'insert, update, delete, truncate')";
            co_await run(ex, c, std::move(sql));
            live(weak, c);
        }

        // UPDATE and DELETE on a published table without a replica identity
        // fail in the writer's transaction: say so once, clearly, rather than
        // let it surprise.
        if (!checked_identity_) {
            sql = replica_identity_query();
            if (!sql.empty()) {
                const Rows identities = co_await run(ex, c, std::move(sql));
                live(weak, c);
                checked_identity_ = true;
                warn_missing_identity(identities);
            }
        }

        // The slot: its confirmed position, or a new one.
        sql = "SELECT confirmed_flush_lsn, plugin FROM pg_replication_slots WHERE slot_name = " +
              literal(options_.slot);
        const Rows slot = co_await run(ex, c, std::move(sql));
        live(weak, c);
        if (!slot.empty() && slot[0].size() == 2) {
            if (slot[0][1] != std::string("pgoutput")) {
                go_off("replication slot '" + options_.slot + "' uses plugin '" + slot[0][1].value_or("?") +
                       "', not pgoutput: drop it or name another slot");
                co_return;
            }
            const auto lsn = slot[0][0] ? rp::parse_lsn(*slot[0][0]) : std::nullopt;
            start_replication(lsn.value_or(0));
            co_return;
        }
        // Waits for running transactions to end: it needs a consistent starting point.
        at = FailedAt::create_slot;
        sql = "CREATE_REPLICATION_SLOT " + quote_identifier(options_.slot) + " LOGICAL pgoutput NOEXPORT_SNAPSHOT";
        Rows created;
        std::exception_ptr create_error;
        try {
            created = co_await run(ex, c, std::move(sql));
        } catch (...) {
            create_error = std::current_exception();
        }
        live(weak, c);
        rp::Lsn from = 0;
        if (create_error) {
            const auto next = decide(FailedAt::create_slot, sqlstate_of(create_error), state_);
            if (next != StreamDecision::proceed) std::rethrow_exception(create_error);
        } else {
            if (!created.empty() && created[0].size() > 1 && created[0][1])
                from = rp::parse_lsn(*created[0][1]).value_or(0);
            spdlog::info("event=changes_slot_created slot={} lsn={}", options_.slot, rp::format_lsn(from));
        }
        start_replication(from);
        co_return;
    } catch (const Stale&) {
        // error stays null: nothing to act on
    } catch (...) {
        error = std::current_exception();
    }
    if (!error) co_return;
    if (auto self = weak.lock(); !self || self->conn_ != c) co_return;
    act(decide(at, sqlstate_of(error), state_), describe(error));
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

std::string ChangeStream::missing_tables(const Rows& present) const {
    std::string missing;
    for (const auto& t : options_.tables) {
        bool found = false;
        for (const auto& row : present)
            if (row.size() == 2 && row[0] == t.schema && row[1] == t.table) found = true;
        if (!found) missing += (missing.empty() ? "" : ", ") + qualified(t);
    }
    return missing;
}

// "" when no published table takes UPDATE or DELETE.
std::string ChangeStream::replica_identity_query() const {
    std::string list;
    for (const auto& t : options_.tables)
        if (t.update || t.remove) list += (list.empty() ? "" : ", ") + ("(" + literal(t.schema) + ", " + literal(t.table) + ")");
    if (list.empty()) return "";
    return "SELECT n.nspname, c.relname, c.relreplident, "
           "EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary) "
           "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE (n.nspname, c.relname) IN (" +
           list + ")";
}

void ChangeStream::warn_missing_identity(const Rows& rows) const {
    for (const auto& r : rows) {
        if (r.size() != 4 || !r[2]) continue;
        const bool no_identity = *r[2] == "n" || (*r[2] == "d" && !is_true(r[3]));
        if (no_identity)
            spdlog::warn("event=changes_no_replica_identity table={}.{} reason=\"UPDATE and DELETE on "
                         "this table will fail while it is published: add a primary key or run ALTER "
                         "TABLE ... REPLICA IDENTITY FULL\"",
                         r[0].value_or(""), r[1].value_or(""));
    }
}

// ---- streaming -----------------------------------------------------------------

void ChangeStream::start_replication(rp::Lsn confirmed) {
    // 0/0: the server starts from the slot's confirmed position.
    const std::string sql = "START_REPLICATION SLOT " + quote_identifier(options_.slot) +
                            " LOGICAL 0/0 (proto_version '1', publication_names " +
                            literal(quote_identifier(options_.publication)) + ", messages 'true')";
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
