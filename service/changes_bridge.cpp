#include "service/changes_bridge.hpp"

#include <spdlog/spdlog.h>

#include "pg/error.hpp"
#include "service/call_arguments.hpp"
#include "service/error_mapping.hpp"
#include "service/event_audience.hpp"
#include "service/live_queries.hpp"
#include "service/metrics.hpp"
#include "service/row_event_versions.hpp"
#include "wamp/error.hpp"

namespace pgwamp::service {

namespace {

// replay(topic, after, limit): checked like a config procedure's arguments.
const config::ProcedureConfig& replay_signature() {
    static const config::ProcedureConfig signature = [] {
        config::ProcedureConfig p;
        p.args = {{"topic", config::ArgType::string, std::nullopt, true},
                  {"after", config::ArgType::string, std::nullopt, true},
                  {"limit", config::ArgType::integer, nlohmann::json(500), false}};
        return p;
    }();
    return signature;
}

constexpr std::int64_t max_replay_limit = 1000;

// An old row without the owner column (the key only, under REPLICA IDENTITY
// DEFAULT) says nothing about who saw it: taken to be the new row's audience.
Audience old_row_audience(const config::EventAudience& audience, const std::optional<Object>& old_row,
                          const Audience& new_audience) {
    if (!old_row) return new_audience;
    if (audience.restricted() && !find_field(*old_row, *audience.owner)) return new_audience;
    return audience_of(audience, *old_row);
}

Value limited(const std::optional<Object>& row, const config::ChangeTableConfig& table) {
    if (!row) return Null{};
    if (!table.columns) return *row;
    Object out;
    for (const auto& [name, value] : *row)
        if (std::find(table.columns->begin(), table.columns->end(), name) != table.columns->end())
            out.emplace_back(name, value);
    return out;
}

bool wanted(const std::string& op, const config::ChangeTableConfig& t) {
    if (op == "insert") return t.insert;
    if (op == "update") return t.update;
    if (op == "delete") return t.remove;
    if (op == "truncate") return t.truncate;
    return false;
}

}  // namespace

ChangesBridge::ChangesBridge(boost::asio::io_context& io, db::Pool& pool, wamp::Client& client,
                             const config::ChangesConfig& config, db::ChangeStreamOptions stream_options,
                             CallTracker& tracker, wamp::RegisterOptions register_options)
    : pool_(pool),
      client_(client),
      config_(config),
      tracker_(tracker),
      register_options_(std::move(register_options)),
      lag_timer_(io),
      retry_interval_(stream_options.retry_interval) {
    for (const auto& [name, table] : config_.tables) histories_.try_emplace(table.topic, config_.history);
    stream_ = db::ChangeStream::create(
        io.get_executor(), std::move(stream_options), [this](db::RowChange c) { on_change(std::move(c)); },
        [this](db::StreamState s, const std::string& reason) { on_stream_state(s, reason); });
}

ChangesBridge::~ChangesBridge() { stop(); }

void ChangesBridge::start() {
    for (auto& [topic, history] : histories_) {
        client_.subscribe(topic, [this, topic = topic](const wamp::Event& e) { on_event(topic, e); });
    }
    if (const auto& uri = config_.status_procedure)
        client_.provide(*uri, [this](wamp::Invocation call) { serve_status(std::move(call)); }, register_options_);
    if (config_.lag_log_interval.count() > 0) log_lag();
}

void ChangesBridge::stop() {
    stopped_ = true;
    lag_timer_.cancel();
    stream_->stop();
}

void ChangesBridge::on_router_state(wamp::ClientState state) {
    const bool joined = state == wamp::ClientState::joined;
    if (joined == joined_ || stopped_) return;
    joined_ = joined;
    if (joined) {
        // The process that consumed before the router went away takes the slot
        // back first: its history goes on without a gap, so replays stay whole.
        return stream_->start(consumed_before_ ? std::chrono::milliseconds(0) : retry_interval_);
    }
    // Without a router nothing can be made safe: stop, and read again from the slot on return.
    consumed_before_ = stream_->state() == db::StreamState::streaming;
    stream_->stop();
    in_order_.clear();  // their publishes went with the session
    // A process that only heard the topics may have missed events meanwhile.
    if (!consumed_before_)
        for (auto& [topic, history] : histories_) history.reset();
}

void ChangesBridge::on_change(db::RowChange change) {
    if (change.op == "message") {
        if (change.table != live_fence_prefix || !live_) {
            stream_->acknowledge(change.ticket);  // someone else's message
            return;
        }
        const Value* content = change.new_row ? find_field(*change.new_row, "content") : nullptr;
        auto fence = std::make_shared<InOrder>();
        fence->complete = true;
        fence->fence = content && content->is<std::string>() ? content->as<std::string>() : "";
        fence->position = change.position;
        fence->ticket = change.ticket;
        in_order_.push_back(std::move(fence));
        return drain_in_order();
    }
    const auto found = config_.tables.find(change.schema + "." + change.table);
    if (found == config_.tables.end() || !wanted(change.op, found->second)) {
        stream_->acknowledge(change.ticket);  // nothing to publish: nothing to wait for
        return;
    }
    const auto& table = found->second;
    // Who may see each row is judged on the whole rows, before columns are left out.
    Audience new_audience = change.new_row ? audience_of(table.audience, *change.new_row) : Audience::everyone();
    Audience old_audience = old_row_audience(table.audience, change.old_row, new_audience);
    Object kwargs{{"op", change.op},
                  {"table", found->first},
                  {"new", limited(change.new_row, table)},
                  {"old", limited(change.old_row, table)},
                  {"position", change.position},
                  {"commit_time", change.commit_time}};
    std::vector<Publication> publications;
    if (table.audience.restricted()) {
        publications = row_event_publications(kwargs, old_audience, new_audience, client_.authid());
    } else {
        wamp::PublishOptions everyone;
        everyone.acknowledge = true;
        publications.push_back({kwargs, std::move(everyone)});
    }
    TopicMetrics* counted = metrics_ ? &metrics_->topic(table.topic) : nullptr;
    if (counted) counted->count_published();
    // The change is acknowledged to the slot once the router has every version of it.
    auto item = std::make_shared<InOrder>(InOrder{false, {}, change.position, found->first, table.topic, change.xid,
                                                  std::move(kwargs), std::move(old_audience),
                                                  std::move(new_audience), change.ticket});
    in_order_.push_back(item);
    auto left = std::make_shared<std::size_t>(publications.size() + 1);
    auto failed = std::make_shared<bool>(false);
    auto done = [this, item, counted, left, failed](std::exception_ptr error) {
        if (*failed) return;
        if (error && item->ticket.generation != stream_->generation()) {
            *failed = true;  // from before a restart: the slot sends it again
            item->complete = true;
            return drain_in_order();
        }
        if (error) {
            *failed = true;
            if (counted) counted->failed->Increment();
            ++failed_;
            std::string why = "publish failed";
            try {
                std::rethrow_exception(error);
            } catch (const std::exception& e) {
                why += std::string(": ") + e.what();
            }
            // The slot sends everything not yet handled again, in order.
            in_order_.clear();
            stream_->restart(item->ticket.generation, why);
            return;
        }
        if (--*left != 0) return;
        if (counted) counted->acknowledged->Increment();
        ++published_;
        item->complete = true;
        drain_in_order();
    };
    // `left` counts one more until every publish is sent, so none completes the change early.
    for (auto& p : publications) client_.publish(table.topic, {}, std::move(p.kwargs), std::move(p.options), done);
    done(nullptr);
}

void ChangesBridge::drain_in_order() {
    while (!in_order_.empty() && in_order_.front()->complete) {
        const auto item = std::move(in_order_.front());
        in_order_.pop_front();
        if (item->ticket.generation != stream_->generation()) continue;  // from before a restart: sent again
        if (!item->fence.empty()) {
            if (live_) live_->on_fence(item->fence, item->position);
        } else {
            ChangeHistory::Entry entry{item->position, std::move(item->kept), std::move(item->old_row),
                                       std::move(item->new_row)};
            if (live_) live_->on_change(item->table, entry, item->xid);
            histories_.at(item->topic).add(entry.position, std::move(entry.event), std::move(entry.old_row),
                                           std::move(entry.new_row));
        }
        stream_->acknowledge(item->ticket);
    }
}

std::size_t ChangesBridge::live_calls() const { return live_ ? live_->calls() : 0; }

const ChangeHistory* ChangesBridge::history(const std::string& topic) const {
    const auto found = histories_.find(topic);
    return found == histories_.end() ? nullptr : &found->second;
}

void ChangesBridge::on_stream_state(db::StreamState state, const std::string& reason) {
    spdlog::info("event=changes_state state={} slot={} reason=\"{}\" backend_pid={}", db::to_string(state),
                 config_.slot, reason, stream_->backend_pid());
    if (state == db::StreamState::streaming) {
        // A history this process kept is whole up to now: it acknowledged
        // every event in it, or heard every event since its floor. Without
        // one, nothing before the slot's position can be answered.
        for (auto& [topic, history] : histories_)
            if (!history.known()) history.begin_at(stream_->start_position());
    } else if (state == db::StreamState::waiting && consumed_before_) {
        // Another process took the slot while this one was away from the
        // router: what it published before we subscribed again was missed.
        for (auto& [topic, history] : histories_) history.reset();
        consumed_before_ = false;
    }
    offer_replay(state == db::StreamState::streaming);
    // While the stream reconnects, live calls wait for it; another process
    // consuming the slot, or none, ends them.
    if (live_ && state != db::StreamState::starting) live_->on_consuming(state == db::StreamState::streaming);
}

void ChangesBridge::offer_replay(bool consuming) {
    const auto& uri = config_.replay_procedure;
    if (!uri || consuming == client_.provides(*uri)) return;
    if (!consuming) return client_.withdraw(*uri);
    client_.provide(*uri, [this](wamp::Invocation call) { serve_replay(std::move(call)); }, register_options_);
}

void ChangesBridge::on_event(const std::string& topic, const wamp::Event& event) {
    const Value* position = find_field(event.kwargs, "position");
    if (!position || !position->is<std::string>() || !is_position(position->as<std::string>())) return;
    auto& history = histories_.at(topic);
    // A table with an audience: only the service copy carries the whole change and who may see it.
    if (auto audiences = audiences_of_service_copy(event.kwargs)) {
        Object whole;
        for (const auto& [key, value] : event.kwargs)
            if (key != "audience") whole.emplace_back(key, value);
        return history.add(position->as<std::string>(), std::move(whole), std::move(audiences->old_row),
                           std::move(audiences->new_row));
    }
    const Value* table = find_field(event.kwargs, "table");
    if (!table || !table->is<std::string>()) return;
    const auto t = config_.tables.find(table->as<std::string>());
    if (t == config_.tables.end() || t->second.audience.restricted()) return;  // not one to keep
    history.add(position->as<std::string>(), event.kwargs);
}

// ---- procedures ----------------------------------------------------------------

void ChangesBridge::serve_replay(wamp::Invocation call) {
    auto context = begin_call(std::move(call), tracker_, std::chrono::milliseconds(0));
    if (!context) return;
    try {
        const auto bound = bind_arguments(replay_signature(), context->call().args(), context->call().kwargs());
        // Binding lets null through (it is SQL's NULL); here it means nothing.
        if (!bound[0].is<std::string>()) throw InvalidArgument("topic must be a string");
        if (!bound[1].is<std::string>()) throw InvalidArgument("after must be a position (a string)");
        const auto& topic = bound[0].as<std::string>();
        const auto& after = bound[1].as<std::string>();
        const std::int64_t limit = bound[2].is<std::int64_t>() ? bound[2].as<std::int64_t>() : 500;
        const auto history = histories_.find(topic);
        if (history == histories_.end()) {
            std::string topics;
            for (const auto& [t, _] : histories_) topics += (topics.empty() ? "" : ", ") + t;
            throw InvalidArgument("topic must be one of: " + topics);
        }
        if (!is_position(after)) throw InvalidArgument("after must be a position as events carry it (e.g. " +
                                                       stream_->start_position() + ")");
        if (limit < 1 || limit > max_replay_limit)
            throw InvalidArgument("limit must be 1 to " + std::to_string(max_replay_limit));
        // The same versions as the live events: a replay never shows what the caller could not have received.
        const std::string& caller = context->call().caller_authid();
        auto version_for = [&caller](const ChangeHistory::Entry& e) {
            const Value* op = find_field(e.event, "op");
            return row_event_version_for(op && op->is<std::string>() ? op->as<std::string>() : "", e.old_row,
                                         e.new_row, caller);
        };
        auto replay = history->second.after(after, static_cast<std::size_t>(limit),
                                            [&](const ChangeHistory::Entry& e) { return version_for(e).has_value(); });
        if (!replay) {
            const std::string oldest = history->second.known() ? history->second.floor() : std::string();
            throw HistoryTruncated("events after " + after + " are no longer all kept; reload, then replay from " +
                                       (oldest.empty() ? "a newer position" : oldest),
                                   oldest);
        }
        Array events;
        events.reserve(replay->events.size());
        for (const auto* e : replay->events) events.emplace_back(version_kwargs(e->event, *version_for(*e)));
        context->reply(Object{{"events", std::move(events)}, {"more", replay->more}});
    } catch (...) {
        context->fail(std::current_exception());
    }
}

db::StreamState ChangesBridge::stream_state() const { return stream_->state(); }
const std::string& ChangesBridge::stream_reason() const { return stream_->reason(); }
std::size_t ChangesBridge::unacknowledged() const { return stream_->unacknowledged(); }

Object ChangesBridge::status() const {
    Object topics;
    for (const auto& [topic, history] : histories_)
        topics.emplace_back(topic, Object{{"newest", history.known() ? Value(history.newest()) : Value(Null{})},
                                          {"oldest", history.known() ? Value(history.floor()) : Value(Null{})},
                                          {"kept", static_cast<std::int64_t>(history.size())}});
    const bool streaming = stream_->state() == db::StreamState::streaming;
    return {{"state", db::to_string(stream_->state())},
            {"reason", stream_->reason()},
            {"slot", config_.slot},
            {"publication", config_.publication},
            {"consumer", streaming},
            {"confirmed_lsn", streaming ? Value(db::replication::format_lsn(stream_->confirmed())) : Value(Null{})},
            {"unacknowledged", static_cast<std::int64_t>(stream_->unacknowledged())},
            {"lag_bytes", lag_bytes_ >= 0 ? Value(lag_bytes_) : Value(Null{})},
            {"published", static_cast<std::int64_t>(published_)},
            {"publish_failures", static_cast<std::int64_t>(failed_)},
            {"topics", std::move(topics)},
            {"live", live_ ? Value(live_->status()) : Value(Null{})}};
}

void ChangesBridge::serve_status(wamp::Invocation call) {
    auto context = begin_call(std::move(call), tracker_, std::chrono::milliseconds(0));
    if (!context) return;
    context->reply(status());
}

// The slot's lag, from any process (the slot is the database's): how much WAL
// the server keeps for us. Growing lag means the consumer is slow or gone.
void ChangesBridge::log_lag() {
    pool_.async_query(
        "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint, active_pid "
        "FROM pg_replication_slots WHERE slot_name = $1",
        {Value(config_.slot)}, [this](std::exception_ptr error, db::Result r) {
            if (stopped_) return;
            if (!error && !r.rows.empty() && r.rows[0][0].is<std::int64_t>()) {
                lag_bytes_ = r.rows[0][0].as<std::int64_t>();
                if (stream_->state() == db::StreamState::streaming)
                    spdlog::info("event=changes_lag slot={} lag_bytes={} unacknowledged={}", config_.slot, lag_bytes_,
                                 stream_->unacknowledged());
            }
            lag_timer_.expires_after(config_.lag_log_interval);
            lag_timer_.async_wait([this](boost::system::error_code ec) {
                if (!ec && !stopped_) log_lag();
            });
        });
}

}  // namespace pgwamp::service
