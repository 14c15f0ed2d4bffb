#pragma once
// db::ChangeStream: row changes from a logical replication slot (pgoutput),
// with the slot advanced only past what the consumer acknowledged.
//
// On each (re)connection it checks the server (wal_level=logical), creates
// or completes the publication (the configured tables and operations) and
// the slot when missing, then STARTs replication from the slot's confirmed
// position. Each change goes to the consumer with a ticket; the consumer
// acknowledges it once its events are safe (the router acknowledged the
// publish), and the confirmed position sent back to the server moves past a
// transaction only when all of its changes are acknowledged (ChangeAcks). So
// a crash, a lost connection or a restart() loses nothing: the slot sends
// again what was not acknowledged, with the same positions.
//
// Only one session can consume a slot: while another process does, START
// fails with "object in use", the state is `waiting`, and the stream tries
// again every retry_interval, taking over once the other one is gone.
//
// Memory: past max_unacknowledged changes handed out and not acknowledged,
// it stops reading the socket (TCP then pushes back on the server) and
// resumes at half, so a million-row transaction streams in bounded memory.
//
// Single-threaded: call everything from the executor. Handlers are called on
// it; the change handler synchronously from the read loop.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <utility>  // before awaitable.hpp: Boost 1.74 uses std::exchange without it

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/reconnector.hpp"
#include "changes/change_acks.hpp"
#include "pg/change_decoder.hpp"
#include "db/host_resolver.hpp"
#include "changes/replication_connection.hpp"
#include "changes/stream_policy.hpp"
#include "pg/row_change.hpp"

namespace pgwamp::db {

struct PublishedTable {
    std::string schema = "public";
    std::string table;
    bool insert = true, update = true, remove = true, truncate = true;
};

struct ChangeStreamOptions {
    std::string conninfo;  // as PoolOptions::conninfo; replication=database is added
    std::shared_ptr<HostResolver> resolver;  // null: Asio's
    std::chrono::milliseconds connect_timeout{5000};
    BackoffOptions backoff;  // after a failed connection or a lost stream
    std::chrono::milliseconds retry_interval{1000};  // while another process holds the slot
    std::chrono::milliseconds off_retry_interval{10000};  // while the server cannot stream (wal_level, ...)
    std::string slot = "pgwamp_changes";              // [a-z0-9_], as config/ validates
    std::string publication = "pgwamp_changes";
    std::vector<PublishedTable> tables;
    std::size_t max_unacknowledged = 5000;
    std::chrono::milliseconds status_interval{10000};  // standby status even when nothing moved
    std::shared_ptr<const TypeRegistry> types;         // null: TypeRegistry::defaults()
};

class ChangeStream : public std::enable_shared_from_this<ChangeStream> {
public:
    using ChangeHandler = std::function<void(RowChange)>;
    using StateHandler = std::function<void(StreamState, const std::string& reason)>;

    static std::shared_ptr<ChangeStream> create(boost::asio::any_io_executor ex, ChangeStreamOptions options,
                                                ChangeHandler on_change, StateHandler on_state);
    ChangeStream(boost::asio::any_io_executor ex, ChangeStreamOptions options, ChangeHandler on_change,
                 StateHandler on_state);
    ~ChangeStream();

    // Connects now, or after `delay` (a process that did not consume the
    // slot lets the one that did take it back first).
    void start(std::chrono::milliseconds delay = std::chrono::milliseconds(0));
    // Closes the stream. What was handed out and not acknowledged comes again
    // after the next start(), from the slot. Idempotent.
    void stop();
    // Every event made of this change is safe.
    void acknowledge(const ChangeTicket& ticket);
    // The consumer could not make a change safe (a publish failed): read
    // again from the slot after the backoff. Ignored for an older generation.
    void restart(std::uint64_t generation, const std::string& why);

    StreamState state() const { return state_; }
    const std::string& reason() const { return reason_; }
    // The generation of the tickets handed out now.
    std::uint64_t generation() const { return generation_; }
    // The position the current stream started from: every change after it
    // will be delivered ("0000000000000000/00000000" before the first start).
    const std::string& start_position() const { return start_position_; }
    replication::Lsn confirmed() const { return acks_.confirmed(); }
    std::size_t unacknowledged() const { return acks_.unacknowledged(); }
    int backend_pid() const { return conn_ ? conn_->backend_pid() : 0; }

private:
    using Rows = ReplicationConnection::Rows;

    void attempt(std::uint64_t attempt);
    boost::asio::awaitable<void> set_up(std::weak_ptr<ChangeStream> weak, std::shared_ptr<ReplicationConnection> c);
    static void live(const std::weak_ptr<ChangeStream>& weak, const std::shared_ptr<ReplicationConnection>& c);
    std::string missing_tables(const Rows& present) const;
    std::string replica_identity_query() const;
    void warn_missing_identity(const Rows& rows) const;
    void start_replication(replication::Lsn confirmed);
    void on_message(std::string_view data);
    void on_stream_end(std::exception_ptr error);
    void act(StreamDecision decision, const std::string& why);
    void fail(const std::string& why);
    void go_off(const std::string& why);
    void wait_for_slot(const std::string& why);
    void retry_after(std::chrono::milliseconds delay);
    void set_state(StreamState state, const std::string& reason);
    void report_soon();
    void send_status(bool reply_requested);
    void arm_status_timer();

    boost::asio::any_io_executor ex_;
    ChangeStreamOptions options_;
    ChangeHandler on_change_;
    StateHandler on_state_;
    std::shared_ptr<ReplicationConnection> conn_;
    Reconnector reconnector_;
    std::uint64_t attempt_ = 0;
    std::uint64_t generation_ = 0;
    boost::asio::steady_timer retry_timer_;
    boost::asio::steady_timer status_timer_;
    boost::asio::steady_timer report_timer_;
    bool report_pending_ = false;
    replication::Lsn reported_ = 0;
    StreamState state_ = StreamState::stopped;
    std::string reason_;
    std::string start_position_;
    ChangeDecoder decoder_;
    ChangeAcks acks_;
    std::uint64_t transaction_ = 0;
    std::vector<RowChange> batch_;
    bool paused_ = false;
    bool warned_wal_keep_ = false;
    bool checked_identity_ = false;
};

}  // namespace pgwamp::db
