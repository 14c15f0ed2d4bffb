#pragma once
// Live queries (config "live"): a caller gets the rows of a declared query
// it may see, then every change to them, as progressive results of one call.
//
//   call(uri, args, kwargs, {receive_progress: true})
//     YIELD kind "snapshot"  args [rows]                 (any number)
//     YIELD kind "changes"   args [[{op, key, row, position}, ...]]
//     YIELD kind "ready"     kwargs {handle, position}   (once)
//     YIELD kind "changes"   ...                         (until cancel or error)
//   call(uri, [], {handle, after}) resumes: ready, then the changes after `after`,
//   or pgwamp.error.must_refetch.
//
// Changes before ready complete the snapshot (the stitch: service/live_stitch.hpp);
// after ready, the rows with each change applied in order are, at that
// change's position, what the query returns as the caller at that commit.
//
// Who sees what: the snapshot runs as the caller (its database role,
// pgwamp.authid: row-level security applies); a change reaches a call when
// its old or new row passes the predicate and the table's audience admits
// the caller (service/event_audience.hpp), judged on each row, so a row that
// stops being visible arrives as a delete and one that starts as an insert,
// and a private row of someone else never appears, not even as a key.
//
// Only the process that consumes the slot serves live queries (it sees the
// changes first and in order, and its history serves resumes); when it
// stops consuming its calls end with must_refetch and it withdraws them.
// Changes come from ChangesBridge in commit order, after the router
// acknowledged their events (the same point the replay history is fed).

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "config/config.hpp"
#include "db/pool.hpp"
#include "service/call_context.hpp"
#include "service/caller_access.hpp"
#include "service/change_history.hpp"
#include "service/live_index.hpp"
#include "service/live_predicate.hpp"
#include "service/session_peers.hpp"
#include "wamp/client.hpp"

namespace pgwamp::service {

// The logical message prefix of a live query's fence.
inline constexpr const char* live_fence_prefix = "pgwamp.live";

class LiveQueries : public std::enable_shared_from_this<LiveQueries> {
public:
    using HistoryOf = std::function<const ChangeHistory*(const std::string& topic)>;

    // `peers`: where each session came from, for live.max_calls_per_address.
    LiveQueries(boost::asio::io_context& io, db::Pool& pool, wamp::Client& client, const config::Config& config,
                CallTracker& tracker, wamp::RegisterOptions register_options, HistoryOf history_of,
                const SessionPeers& peers);
    ~LiveQueries();

    // The slot's consumer: true while this process consumes it (register
    // the queries once the catalog says they can be followed); false: end
    // every call with must_refetch and withdraw.
    void on_consuming(bool consuming);
    // One acknowledged change, in commit order (the history's entry).
    void on_change(const std::string& table, const ChangeHistory::Entry& entry, std::uint32_t xid);
    // A transactional logical message with the fence prefix came through the stream.
    void on_fence(const std::string& content, const std::string& position);
    void stop();

    Object status() const;
    std::size_t calls() const { return calls_.size(); }

private:
    struct Table;
    struct Call;
    struct Handle {
        std::string uri;
        std::string authid;
        std::string authrole;
        std::map<std::string, Value> args;
    };

    void read_catalog();
    void register_queries();
    void serve(const config::LiveQueryConfig& query, wamp::Invocation invocation);
    void start(const std::shared_ptr<Call>& call);
    void resume(const std::shared_ptr<Call>& call, const std::string& after);
    void snapshot_taken(const std::shared_ptr<Call>& call);
    void rows_read(const std::shared_ptr<Call>& call, std::exception_ptr error);
    void maybe_ready(const std::shared_ptr<Call>& call);
    void queue(const std::shared_ptr<Call>& call, Array changes);
    void flush(const std::shared_ptr<Call>& call);
    void end(const std::shared_ptr<Call>& call, std::exception_ptr error);
    void end_all(const std::string& why);
    std::string remember(Handle handle);
    // A change's old and new rows, the new one completed from the old where it lacks a column.
    struct Rows {
        explicit Rows(const Object& event);
        Rows(const Rows&) = delete;
        const Object* old_row;
        const Object* new_row;
        Object merged;
    };
    Array shape(const Call& call, const Rows& rows, const Audience& old_audience, const Audience& new_audience,
                const std::string& position) const;

    boost::asio::io_context& io_;
    db::Pool& pool_;
    wamp::Client& client_;
    const config::LiveConfig& config_;
    const config::ChangesConfig& changes_;
    const config::IdentityConfig& identity_;
    CallTracker& tracker_;
    wamp::RegisterOptions register_options_;
    HistoryOf history_of_;
    std::map<std::string, config::ProcedureConfig> signatures_;     // each query's args, for bind_arguments
    std::map<std::string, std::unique_ptr<CallerAccess>> access_;  // by URI
    std::string nonce_;  // this process's fences, told apart from another's
    std::map<std::string, std::shared_ptr<Table>> tables_;  // by "schema.table", read from the catalog
    std::map<std::string, std::string> refused_;            // uri -> why it cannot be followed
    std::map<std::string, LiveIndex> indexes_;              // by table
    std::unordered_map<std::uint64_t, std::shared_ptr<Call>> calls_;
    std::unordered_map<std::uint64_t, std::size_t> calls_per_session_;  // by the caller's WAMP session
    std::unordered_map<std::string, std::size_t> calls_per_address_;   // by its address ("session:N" if unknown)
    const SessionPeers& peers_;
    std::uint64_t next_id_ = 0;
    std::map<std::string, Handle> handles_;
    std::deque<std::string> handle_order_;  // oldest first, forgotten past config_.handles
    boost::asio::steady_timer catalog_timer_;
    bool consuming_ = false;
    bool catalog_read_ = false;
    bool reading_catalog_ = false;
    bool stopped_ = false;
};

}  // namespace pgwamp::service
