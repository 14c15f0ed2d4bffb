#include "service/live_queries.hpp"

#include <limits>
#include <random>

#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "db/completion_helpers.hpp"
#include "pg/error.hpp"
#include "pg/identifier.hpp"
#include "pg/xid_snapshot.hpp"
#include "service/call_arguments.hpp"
#include "service/caller_access.hpp"
#include "service/error_mapping.hpp"
#include "service/live_stitch.hpp"
#include "service/streamed_query.hpp"

namespace pgwamp::service {

namespace {

using boost::asio::awaitable;
using boost::asio::use_awaitable;

constexpr std::size_t chunk_bytes = 256 * 1024;
constexpr std::size_t high_water = 4 * 1024 * 1024;  // queued toward the router: the snapshot waits
constexpr std::size_t low_water = 1024 * 1024;
constexpr std::size_t max_backlog = 64 * 1024 * 1024;  // a live call past it ends (overloaded)
constexpr auto fence_timeout = std::chrono::seconds(30);
constexpr auto catalog_retry = std::chrono::seconds(1);

std::string random_nonce() {
    std::random_device device;
    std::uniform_int_distribution<std::uint64_t> pick;
    char out[17];
    std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(pick(device)));
    return out;
}

std::string random_handle() { return random_nonce() + random_nonce(); }

const Object* object_field(const Object& event, std::string_view key) {
    const Value* v = find_field(event, key);
    return v && v->is<Object>() ? &v->as<Object>() : nullptr;
}

Object pick(const Object& row, const std::vector<std::string>& columns) {
    Object out;
    out.reserve(columns.size());
    for (const auto& c : columns) {
        const Value* v = find_field(row, c);
        out.emplace_back(c, v ? *v : Value());
    }
    return out;
}

std::exception_ptr canceled() { return db::make_error(db::Errc::canceled, "the caller canceled the live query"); }

}  // namespace

struct LiveQueries::Table {
    std::string schema, name, topic;
    std::vector<std::string> key;  // primary key columns
    std::vector<std::string> columns;
    std::map<std::string, ColumnFamily> families;
    std::string replica_identity;  // pg_class.relreplident
};

struct LiveQueries::Call {
    Call(boost::asio::io_context& io, std::size_t hold_limit) : stitch(hold_limit), fence_deadline(io) {}
    std::uint64_t id = 0;
    std::uint64_t session = 0;  // the caller's WAMP session
    std::string address;        // where it came from, as counted for max_calls_per_address
    const config::LiveQueryConfig* query = nullptr;
    std::shared_ptr<Table> table;
    std::shared_ptr<CallContext> context;
    LiveCaller caller;
    BoundPredicate predicate;
    std::string handle;
    LiveStitch stitch;
    boost::asio::steady_timer fence_deadline;
    bool live = false;  // ready was sent
    bool ended = false;
    std::string last_position;  // the newest change handled (sent, held or not concerning)
    Array outgoing;
    bool flush_posted = false;
    db::CancelSignal::Slot interrupt = 0;
};

LiveQueries::LiveQueries(boost::asio::io_context& io, db::Pool& pool, wamp::Client& client,
                         const config::Config& config, CallTracker& tracker, wamp::RegisterOptions register_options,
                         HistoryOf history_of, const SessionPeers& peers)
    : io_(io),
      pool_(pool),
      client_(client),
      config_(*config.live),
      changes_(*config.changes),
      identity_(config.identity),
      tracker_(tracker),
      register_options_(std::move(register_options)),
      history_of_(std::move(history_of)),
      nonce_(random_nonce()),
      peers_(peers),
      catalog_timer_(io) {
    for (const auto& [uri, q] : config_.queries) {
        config::ProcedureConfig signature;
        signature.uri = uri;
        signature.args = q.args;
        signatures_.emplace(uri, std::move(signature));
        access_.emplace(uri, std::make_unique<CallerAccess>(uri, q.roles, true, identity_));
    }
}

LiveQueries::~LiveQueries() { stop(); }

void LiveQueries::stop() {
    if (stopped_) return;
    stopped_ = true;
    catalog_timer_.cancel();
    end_all("pgwamp is shutting down");
}

// ---- following the slot ------------------------------------------------------

void LiveQueries::on_consuming(bool consuming) {
    if (stopped_ || consuming == consuming_) return;
    consuming_ = consuming;
    if (consuming) {
        if (catalog_read_) return register_queries();
        return read_catalog();
    }
    catalog_timer_.cancel();
    for (const auto& [uri, q] : config_.queries)
        if (client_.provides(uri)) client_.withdraw(uri);
    end_all("this pgwamp process no longer follows the changes; call again without handle for a new snapshot");
    // Handles are this consumption's: another process (or a later one) has its own history.
    handles_.clear();
    handle_order_.clear();
}

// What a live query needs from its table, from the catalog: the primary key
// (a change's key), REPLICA IDENTITY FULL (a change's old row, to judge
// whether the caller saw it) and the column types (comparisons that mean the
// same here as in PostgreSQL). A query that cannot be followed is refused:
// never registered, logged, and listed in status().
void LiveQueries::read_catalog() {
    if (reading_catalog_) return;
    reading_catalog_ = true;
    std::string names;
    for (const auto& [uri, q] : config_.queries) names += (names.empty() ? "" : ",") + q.table;
    pool_.async_query(
        "SELECT n.nspname || '.' || c.relname, a.attname, t.typname, "
        "coalesce(a.attnum = ANY(i.indkey), false), c.relreplident::text "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
        "JOIN pg_type t ON t.oid = a.atttypid "
        "LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary "
        "WHERE n.nspname || '.' || c.relname = ANY(string_to_array($1, ',')) ORDER BY 1, a.attnum",
        {Value(names)}, [weak = weak_from_this()](std::exception_ptr error, db::Result result) {
            auto self = weak.lock();
            if (!self || self->stopped_) return;
            self->reading_catalog_ = false;
            if (error) {
                spdlog::warn("event=live_catalog_failed reason=\"{}\" retry_in_ms={}", db::detail::describe(error),
                             std::chrono::milliseconds(catalog_retry).count());
                self->catalog_timer_.expires_after(catalog_retry);
                self->catalog_timer_.async_wait([weak](boost::system::error_code ec) {
                    auto again = weak.lock();
                    if (!ec && again && again->consuming_ && !again->catalog_read_) again->read_catalog();
                });
                return;
            }
            for (const auto& row : result.rows) {
                const auto& qualified = row[0].as<std::string>();
                auto& table = self->tables_[qualified];
                if (!table) {
                    table = std::make_shared<Table>();
                    const auto dot = qualified.find('.');
                    table->schema = qualified.substr(0, dot);
                    table->name = qualified.substr(dot + 1);
                    table->topic = self->changes_.tables.at(qualified).topic;
                    table->replica_identity = row[4].as<std::string>();
                }
                const auto& column = row[1].as<std::string>();
                table->columns.push_back(column);
                table->families[column] = column_family(row[2].as<std::string>());
                if (row[3].is<bool>() && row[3].as<bool>()) table->key.push_back(column);
            }
            self->catalog_read_ = true;
            for (const auto& [uri, q] : self->config_.queries) {
                std::string why;
                const auto t = self->tables_.find(q.table);
                if (t == self->tables_.end()) {
                    why = "table " + q.table + " does not exist";
                } else if (t->second->key.empty()) {
                    why = "table " + q.table + " has no primary key: a change could not say which row it is";
                } else if (t->second->replica_identity != "f") {
                    why = "table " + q.table +
                          " needs REPLICA IDENTITY FULL: a change must carry the old row, to tell whether the caller "
                          "saw it";
                } else {
                    for (const auto& c : q.columns)
                        if (!t->second->families.contains(c)) why = "column \"" + c + "\" does not exist";
                    for (const auto& k : t->second->key)
                        if (std::find(q.columns.begin(), q.columns.end(), k) == q.columns.end())
                            why = "the primary key column \"" + k + "\" must be in \"columns\"";
                    if (why.empty()) why = check_types(q.where, q.args, t->second->families).value_or("");
                }
                if (why.empty()) continue;
                spdlog::error("event=live_refused uri={} reason=\"{}\"", uri, why);
                self->refused_[uri] = why;
            }
            if (self->consuming_) self->register_queries();
        });
}

void LiveQueries::register_queries() {
    for (const auto& [uri, q] : config_.queries) {
        if (refused_.contains(uri) || client_.provides(uri)) continue;
        client_.provide(uri, [this, query = &q](wamp::Invocation call) { serve(*query, std::move(call)); },
                        register_options_);
    }
}

// ---- a call --------------------------------------------------------------------

void LiveQueries::serve(const config::LiveQueryConfig& query, wamp::Invocation invocation) {
    auto context = begin_call(std::move(invocation), tracker_, std::chrono::milliseconds(0), access_.at(query.uri).get());
    if (!context) return;
    try {
        if (!consuming_) throw MustRefetch("this pgwamp process does not follow the changes now; call again");
        if (!context->call().receive_progress())
            throw InvalidArgument("a live query answers with progressive results: call it with receive_progress");
        const auto& inv = context->call();
        if (calls_.size() >= config_.max_calls)
            std::rethrow_exception(db::make_error(db::Errc::overloaded, "too many live queries are open (live.max_calls)"));
        const std::string address =
            peers_.peer_of(inv.caller_session()).value_or("session:" + std::to_string(inv.caller_session()));
        if (calls_per_address_[address] >= config_.max_calls_per_address)
            std::rethrow_exception(db::make_error(
                db::Errc::overloaded, "your address has " + std::to_string(config_.max_calls_per_address) +
                                          " live queries open (live.max_calls_per_address): cancel one first"));
        if (calls_per_session_[inv.caller_session()] >= config_.max_calls_per_session)
            std::rethrow_exception(db::make_error(
                db::Errc::overloaded, "this session has " + std::to_string(config_.max_calls_per_session) +
                                          " live queries open (live.max_calls_per_session): cancel one first"));
        const Value* handle = find_field(inv.kwargs(), "handle");
        const Value* after = find_field(inv.kwargs(), "after");
        auto call = std::make_shared<Call>(io_, config_.max_pending_changes);
        call->query = &query;
        call->table = tables_.at(query.table);
        call->context = context;
        call->caller = {inv.caller_authid(), inv.caller_authrole()};
        std::map<std::string, Value> args;
        if (handle || after) {
            if (!handle || !after || !handle->is<std::string>() || !after->is<std::string>())
                throw InvalidArgument("resume with both \"handle\" and \"after\" (strings, from ready and the changes)");
            if (!is_position(after->as<std::string>()))
                throw InvalidArgument("\"after\" must be a position as changes carry it");
            const auto known = handles_.find(handle->as<std::string>());
            // Another caller's handle is as unknown as a forgotten one.
            if (known == handles_.end() || known->second.uri != query.uri ||
                known->second.authid != call->caller.authid || known->second.authrole != call->caller.authrole)
                throw MustRefetch("unknown handle: call again without handle for a new snapshot");
            call->handle = known->first;
            args = known->second.args;
        } else {
            const auto& signature = signatures_.at(query.uri);
            const auto bound = bind_arguments(signature, inv.args(), inv.kwargs());
            for (std::size_t i = 0; i < signature.args.size(); ++i) args.emplace(signature.args[i].name, bound[i]);
        }
        call->predicate = BoundPredicate::bind(query.where, call->caller, args, call->table->families);
        if (call->handle.empty()) call->handle = remember({query.uri, call->caller.authid, call->caller.authrole, args});
        call->id = ++next_id_;
        // Filed before the snapshot is taken: every change from now on reaches it (the stitch needs that).
        indexes_[query.table].add(call->id, call->predicate.index_terms());
        calls_.emplace(call->id, call);
        call->session = inv.caller_session();
        call->address = address;
        ++calls_per_session_[call->session];
        ++calls_per_address_[call->address];
        std::weak_ptr<Call> weak_call = call;
        call->interrupt = context->cancel_signal()->attach([weak = weak_from_this(), weak_call, &io = io_] {
            // Posted to the service's loop (never a bare post: that is Asio's
            // system thread pool): the pool's own cancel handlers run from the same signal.
            boost::asio::post(io, [weak, weak_call] {
                auto self = weak.lock();
                auto c = weak_call.lock();
                if (self && c) self->end(c, canceled());
            });
        });
        if (after) return resume(call, after->as<std::string>());
        start(call);
    } catch (...) {
        context->fail(std::current_exception());
    }
}

std::string LiveQueries::remember(Handle handle) {
    std::string id = random_handle();
    handles_.emplace(id, std::move(handle));
    handle_order_.push_back(id);
    while (handle_order_.size() > config_.handles) {
        handles_.erase(handle_order_.front());
        handle_order_.pop_front();
    }
    return id;
}

void LiveQueries::start(const std::shared_ptr<Call>& call) {
    std::vector<Value> params;
    const std::string where = call->predicate.sql(params);
    std::string columns;
    for (const auto& c : call->query->columns) columns += (columns.empty() ? "" : ", ") + db::quote_identifier(c);
    const std::string select = "SELECT " + columns + " FROM " + db::quote_identifier(call->table->schema) + "." +
                               db::quote_identifier(call->table->name) + " WHERE " + where;
    const std::size_t chunk_rows = config_.chunk_rows;
    db::CoroutineInteraction body = [weak = weak_from_this(), call, select, params = std::move(params),
                                     chunk_rows](db::Transaction& txn) mutable -> awaitable<Value> {
        const auto per_statement = call->context->timeout();
        // Named first: GCC 12 destroys temporaries inside co_await twice (db/POOL.md).
        auto snapshot_options = db::statement_options(per_statement, call->context->cancel_signal());
        db::Result snapshot =
            co_await txn.async_query("SELECT pg_current_snapshot()::text", {}, snapshot_options, use_awaitable);
        auto taken = snapshot.rows.empty() || !snapshot.rows[0][0].is<std::string>()
                         ? std::nullopt
                         : db::XidSnapshot::parse(snapshot.rows[0][0].as<std::string>());
        if (!taken) throw std::runtime_error("pg_current_snapshot() answered something that is not a snapshot");
        call->stitch.snapshot_taken(std::move(*taken));
        if (auto self = weak.lock()) self->snapshot_taken(call);
        const std::string declare = "DECLARE pgwamp_live NO SCROLL CURSOR FOR " + select;
        auto declare_options = db::statement_options(per_statement, call->context->cancel_signal());
        declare_options.prepare = false;  // built per call
        co_await txn.async_execute(declare, std::move(params), declare_options, use_awaitable);
        const std::string fetch = "FETCH FORWARD " + std::to_string(chunk_rows) + " FROM pgwamp_live";
        boost::asio::steady_timer pause(txn.executor());
        for (;;) {
            if (call->ended) std::rethrow_exception(canceled());
            auto fetch_options = db::statement_options(per_statement, call->context->cancel_signal());
            db::Result rows = co_await txn.async_query(fetch, {}, fetch_options, use_awaitable);
            const std::size_t n = rows.rows.size();
            if (call->ended) std::rethrow_exception(canceled());
            Array chunk = std::move(rows).rows_as_maps();
            if (n > 0 && !call->context->progress(Array{Value(std::move(chunk))}, {{"kind", "snapshot"}}))
                throw ResultRejected("a chunk of " + std::to_string(n) +
                                     " rows is larger than the router accepts in one message; lower live.chunk_rows");
            if (n < chunk_rows) break;
            // Back-pressure: the router (and the caller behind it) reads slower than PostgreSQL sends.
            if (call->context->send_backlog() > high_water) {
                while (call->context->send_backlog() > low_water) {
                    if (call->ended) std::rethrow_exception(canceled());
                    pause.expires_after(std::chrono::milliseconds(2));
                    co_await pause.async_wait(use_awaitable);
                }
            }
        }
        co_return Value();
    };
    auto options = db::statement_options(call->context->cancel_signal());
    options.local_settings = call->context->statement_options().local_settings;
    options.repeatable_read_only = true;
    pool_.async_interaction(std::move(body), options, [weak = weak_from_this(), call](std::exception_ptr error, Value) {
        if (auto self = weak.lock()) self->rows_read(call, error);
    });
}

// The snapshot is fixed: the fence goes into the WAL after it, from the
// service's own connection (the caller's role need not emit messages).
void LiveQueries::snapshot_taken(const std::shared_ptr<Call>& call) {
    if (call->ended) return;
    // Flushed at its commit even where synchronous_commit is off: otherwise
    // the stream sees it only when the WAL writer next runs (up to 200 ms).
    pool_.async_query("SELECT set_config('synchronous_commit', 'on', true), pg_logical_emit_message(true, $1, $2)",
                      {Value(live_fence_prefix), Value(nonce_ + ":" + std::to_string(call->id))},
                      [weak = weak_from_this(), call](std::exception_ptr error, db::Result) {
                          auto self = weak.lock();
                          if (self && error) self->end(call, error);
                      });
    call->fence_deadline.expires_after(fence_timeout);
    call->fence_deadline.async_wait([weak = weak_from_this(), call](boost::system::error_code ec) {
        auto self = weak.lock();
        if (ec || !self || call->ended || call->stitch.ready()) return;
        self->end(call, db::make_error(db::Errc::timeout, "the change stream did not catch up with the snapshot in " +
                                                              std::to_string(fence_timeout.count()) + " s"));
    });
}

void LiveQueries::rows_read(const std::shared_ptr<Call>& call, std::exception_ptr error) {
    if (call->ended) return;
    if (error) return end(call, error);
    call->stitch.rows_read();
    maybe_ready(call);
}

void LiveQueries::on_fence(const std::string& content, const std::string& position) {
    const auto colon = content.find(':');
    if (colon == std::string::npos || content.compare(0, colon, nonce_) != 0) return;  // another process's
    std::uint64_t id = 0;
    try {
        id = std::stoull(content.substr(colon + 1));
    } catch (const std::exception&) {
        return;
    }
    const auto found = calls_.find(id);
    if (found == calls_.end() || found->second->live) return;
    found->second->stitch.fence_seen(position);
    maybe_ready(found->second);
}

void LiveQueries::maybe_ready(const std::shared_ptr<Call>& call) {
    if (call->ended || call->live || !call->stitch.ready()) return;
    call->fence_deadline.cancel();
    auto released = call->stitch.release();
    call->live = true;
    if (released.position > call->last_position) call->last_position = released.position;
    call->outgoing = std::move(released.changes);
    flush(call);  // what completes the snapshot, before ready
    if (call->ended) return;
    call->context->progress(Array{Value(Array{})}, {{"kind", "ready"},
                                                    {"handle", call->handle},
                                                    {"position", call->last_position}});
}

void LiveQueries::resume(const std::shared_ptr<Call>& call, const std::string& after) {
    const ChangeHistory* history = history_of_(call->table->topic);
    std::optional<ChangeHistory::Replay> replay;
    if (history && history->known()) replay = history->after(after, std::numeric_limits<std::size_t>::max());
    if (!replay)
        return end(call, std::make_exception_ptr(MustRefetch(
                             "the changes after " + after +
                             " are no longer all kept; call again without handle for a new snapshot")));
    call->live = true;
    call->last_position = after;
    call->context->progress(Array{Value(Array{})},
                            {{"kind", "ready"}, {"handle", call->handle}, {"position", after}});
    Array changes;
    for (const auto* e : replay->events) {
        Array shaped = shape(*call, Rows(e->event), e->old_row, e->new_row, e->position);
        for (auto& c : shaped) changes.push_back(std::move(c));
        call->last_position = e->position;
    }
    if (!changes.empty()) queue(call, std::move(changes));
}

// ---- changes -------------------------------------------------------------------

LiveQueries::Rows::Rows(const Object& event) : old_row(object_field(event, "old")), new_row(object_field(event, "new")) {
    // A TOASTed column the update did not change is not in the new row: the old row (FULL) has it.
    if (!new_row || !old_row) return;
    bool complete = true;
    for (const auto& [name, value] : *old_row)
        if (!find_field(*new_row, name)) complete = false;
    if (complete) return;
    merged = *new_row;
    for (const auto& [name, value] : *old_row)
        if (!find_field(merged, name)) merged.emplace_back(name, value);
    new_row = &merged;
}

// What one change means to one caller: insert, update, delete, or nothing.
Array LiveQueries::shape(const Call& call, const Rows& rows, const Audience& old_audience,
                         const Audience& new_audience, const std::string& position) const {
    const Object* old_row = rows.old_row;
    const Object* new_row = rows.new_row;
    const auto& who = call.caller.authid;
    const bool saw_old = old_row && old_audience.admits(who) && call.predicate.matches(*old_row);
    const bool sees_new = new_row && new_audience.admits(who) && call.predicate.matches(*new_row);
    const auto& key_columns = call.table->key;
    auto change = [&](const char* op, const Object& row, bool with_row) {
        return Value(Object{{"op", op},
                            {"key", pick(row, key_columns)},
                            {"row", with_row ? Value(pick(row, call.query->columns)) : Value()},
                            {"position", position}});
    };
    Array out;
    if (saw_old && sees_new) {
        if (pick(*old_row, key_columns) == pick(*new_row, key_columns)) {
            out.push_back(change("update", *new_row, true));
        } else {  // the key itself changed: another row, as far as the caller's map goes
            out.push_back(change("delete", *old_row, false));
            out.push_back(change("insert", *new_row, true));
        }
    } else if (saw_old) {
        out.push_back(change("delete", *old_row, false));
    } else if (sees_new) {
        out.push_back(change("insert", *new_row, true));
    }
    return out;
}

void LiveQueries::on_change(const std::string& table, const ChangeHistory::Entry& entry, std::uint32_t xid) {
    const auto index = indexes_.find(table);
    if (index == indexes_.end() || index->second.size() == 0) return;
    const Value* op = find_field(entry.event, "op");
    if (op && op->is<std::string>() && op->as<std::string>() == "truncate") {
        std::vector<std::shared_ptr<Call>> affected;
        for (const auto& [id, call] : calls_)
            if (call->query->table == table) affected.push_back(call);
        for (const auto& call : affected)
            end(call, std::make_exception_ptr(MustRefetch(
                          "table " + table + " was truncated; call again without handle for a new snapshot")));
        return;
    }
    const Rows rows(entry.event);  // once, whatever the number of calls
    const auto candidates = index->second.candidates(rows.old_row, rows.new_row);
    for (const auto id : candidates) {
        const auto found = calls_.find(id);
        if (found == calls_.end()) continue;
        const auto call = found->second;  // a copy: end() below erases the map's
        if (call->ended || entry.position <= call->last_position) continue;  // sent again after a stream restart
        call->last_position = entry.position;
        Array changes = shape(*call, rows, entry.old_row, entry.new_row, entry.position);
        if (changes.empty()) continue;
        if (call->live) {
            queue(call, std::move(changes));
            continue;
        }
        for (auto& c : changes) {
            if (call->stitch.hold(xid, entry.position, std::move(c))) continue;
            end(call, db::make_error(db::Errc::overloaded,
                                     "more changes came while the snapshot was read than live.max_pending_changes"));
            break;
        }
    }
}

void LiveQueries::queue(const std::shared_ptr<Call>& call, Array changes) {
    for (auto& c : changes) call->outgoing.push_back(std::move(c));
    if (call->flush_posted) return;
    call->flush_posted = true;
    // One YIELD for what one turn of the event loop brought (a transaction's changes, usually).
    boost::asio::post(io_, [weak = weak_from_this(), call] {
        call->flush_posted = false;
        if (auto self = weak.lock()) self->flush(call);
    });
}

void LiveQueries::flush(const std::shared_ptr<Call>& call) {
    if (call->ended || call->outgoing.empty()) return;
    if (call->context->send_backlog() > max_backlog)
        return end(call, db::make_error(db::Errc::overloaded,
                                        "the changes are sent faster than the router takes them; resume with "
                                        "handle and after"));
    Array chunk;
    std::size_t bytes = 0;
    auto send = [&] {
        if (chunk.empty()) return true;
        const auto n = chunk.size();
        if (call->context->progress(Array{Value(std::move(chunk))}, {{"kind", "changes"}})) {
            chunk = Array{};
            bytes = 0;
            return true;
        }
        end(call, std::make_exception_ptr(ResultRejected(
                      std::to_string(n) + " changes are larger than the router accepts in one message")));
        return false;
    };
    for (auto& c : call->outgoing) {
        const auto size = approximate_size(c);
        if (!chunk.empty() && bytes + size > chunk_bytes && !send()) return;
        bytes += size;
        chunk.push_back(std::move(c));
    }
    call->outgoing.clear();
    send();
}

// ---- ending --------------------------------------------------------------------

void LiveQueries::end(const std::shared_ptr<Call>& call, std::exception_ptr error) {
    if (call->ended) return;
    call->ended = true;
    call->fence_deadline.cancel();
    call->outgoing.clear();
    indexes_[call->query->table].remove(call->id);
    calls_.erase(call->id);
    if (const auto s = calls_per_session_.find(call->session); s != calls_per_session_.end() && --s->second == 0)
        calls_per_session_.erase(s);
    if (const auto a = calls_per_address_.find(call->address); a != calls_per_address_.end() && --a->second == 0)
        calls_per_address_.erase(a);
    const auto& signal = call->context->cancel_signal();
    signal->detach(call->interrupt);
    if (!signal->canceled()) signal->cancel();  // a snapshot still being read stops
    call->context->fail(error);
}

void LiveQueries::end_all(const std::string& why) {
    std::vector<std::shared_ptr<Call>> all;
    for (const auto& [id, call] : calls_) all.push_back(call);
    for (const auto& call : all) end(call, std::make_exception_ptr(MustRefetch(why)));
}

Object LiveQueries::status() const {
    Object refused;
    for (const auto& [uri, why] : refused_) refused.emplace_back(uri, why);
    Array serving;
    for (const auto& [uri, q] : config_.queries)
        if (client_.provides(uri)) serving.emplace_back(uri);
    return {{"calls", static_cast<std::int64_t>(calls_.size())},
            {"handles", static_cast<std::int64_t>(handles_.size())},
            {"serving", std::move(serving)},
            {"refused", std::move(refused)}};
}

}  // namespace pgwamp::service
