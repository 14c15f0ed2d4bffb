#pragma once
// A db::ReplicationDriver without a server, for the replication connection's
// failure table: commands answer one row ("ok"), START_REPLICATION starts a
// copy that sends `messages` CopyData messages, and one fault can be put at
// each step. The waits are real: the driver's descriptor is an eventfd that
// is readable exactly while the "server" has sent something not read yet, so
// the connection's Asio waits work as on a socket. A result and the end of
// the connection after it are two reads, as on a socket.

#include <deque>
#include <optional>
#include <string_view>
#include <utility>
#include <memory>
#include <string>
#include <vector>

#include "changes/replication_driver.hpp"

namespace pgwamp::db::testing {

enum class ReplicationFault {
    none,
    // connecting
    first_address_refuses,  // the first address refuses; libpq opens a new socket (same number) for the next: connects
    at_start,               // connect_start fails
    at_first_poll,          // the first connect_poll fails
    never_ready,            // waits for reading for ever: the connect timeout must end it
    nonblocking_refused,    // connected, but non-blocking mode is refused
    // the command `sql`
    send_fails,            // it cannot be queued: the connection is broken
    flush_fails,           // the flush after queueing it fails
    flush_blocks,          // that flush says "more" once, then completes
    lost_before_result,    // the connection ends before its result
    error,                 // its result is an error with `sqlstate` (START_REPLICATION: refused)
    // the stream (START_REPLICATION)
    lost_while_copying,     // the messages, then the connection ends
    server_ends_copy,       // the messages, then the server ends the copy without an error
    server_ends_copy_error, // the messages, then the server ends the copy with `sqlstate`
    status_update_fails,    // the first standby status update cannot be queued
};

struct ReplicationScript {
    ReplicationFault fault = ReplicationFault::none;
    std::string sql;       // the command a command fault applies to
    std::string sqlstate;  // for error, server_ends_copy_error
    int messages = 3;      // CopyData messages the stream sends
};

class ScriptedReplicationDriver final : public ReplicationDriver {
public:
    explicit ScriptedReplicationDriver(ReplicationScript script) : script_(std::move(script)) {}
    ~ScriptedReplicationDriver() override { finish(); }

    Step connect_start(const std::string& conninfo) override;
    Step connect_poll() override;
    int socket() const override { return fd_; }
    std::string error_message() const override { return error_; }

    bool enter_nonblocking() override;
    std::string settings_mismatch() const override { return {}; }
    int backend_pid() const override { return fd_ >= 0 ? 4242 : 0; }
    bool is_bad() const override { return bad_; }

    bool send_query(const std::string& sql) override;
    Flush flush() override;
    bool consume_input() override;
    std::optional<Result> next_result(bool* complete) override;
    Copy next_copy_data(std::string_view& message) override;
    std::optional<Diagnostics> end_of_copy() override;
    bool put_copy_data(std::string_view data) override;
    void finish() override;

    // What tests check.
    int first_socket() const { return first_socket_; }  // before the first address refused
    int reopened_socket() const { return reopened_socket_; }
    const std::vector<std::string>& sent() const { return sent_; }
    const std::vector<std::string>& copy_data_sent() const { return copy_data_sent_; }

private:
    // What the "server" sends, in the order the connection reads it.
    struct Item {
        enum class Kind { result, results_end, copy_message, copy_end, lost } kind;
        Result result;
        std::string message;
    };

    bool fault_on(const std::string& sql, ReplicationFault f) const {
        return script_.fault == f && (script_.sql.empty() || script_.sql == sql);
    }
    void send(Item item);  // from the server: makes the descriptor readable
    Step fail(std::string why);

    ReplicationScript script_;
    int fd_ = -1;
    int polls_ = 0;
    int first_socket_ = -1;
    int reopened_socket_ = -1;
    bool bad_ = false;
    ReplicationFault flush_fault_ = ReplicationFault::none;  // for the flush after the faulty command
    std::string error_;
    std::deque<Item> inbox_;     // sent, not read yet
    std::deque<Item> received_;  // read, not taken yet
    std::string current_message_;
    std::vector<std::string> sent_;
    std::vector<std::string> copy_data_sent_;
};

}  // namespace pgwamp::db::testing
