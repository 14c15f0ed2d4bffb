// Every failure at every step of the replication connection (STYLE.md habit
// 3), as db/'s failure table does for the pool: connect, a command
// (IDENTIFY_SYSTEM), START_REPLICATION and the stream, on a scripted driver
// (scripted_replication_driver.hpp), through the real ReplicationConnection
// and db/'s connect loop. For each step the owner gets the documented error
// once, from the handler of the step that failed; a refused command leaves
// the connection serving; after close() nothing runs.
// No server; the table runs in well under a second (plus one connect timeout).

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "changes/replication_connection.hpp"
#include "pg/sqlstate.hpp"
#include "scripted_replication_driver.hpp"
#include "tests/support/db_errors.hpp"
#include "tests/support/run_until.hpp"

namespace pgwamp::db::testing {
namespace {

using namespace std::chrono_literals;
using F = ReplicationFault;
using test::errc_of;
using test::what_of;

constexpr const char* identify = "IDENTIFY_SYSTEM";
constexpr const char* start = "START_REPLICATION SLOT s LOGICAL 0/0";

enum class Stage { none, connect, command, stream };  // where it ended; none: the stream is still open

struct Case {
    const char* step;
    ReplicationScript script;
    Stage ends_at;
    std::optional<Errc> error;  // nullopt: no error
    const char* says = "";      // part of the error's text: it came from this step
    std::string sqlstate = {};  // of the error, when the server gave one
    int messages = 0;           // CopyData messages the owner got
};

std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.step; }

// clang-format off
const std::vector<Case> failure_table = {
    // step                                                    script                                               ends at         owner's error           its text
    {"connect: the first address refuses, the next accepts",   {F::first_address_refuses},                         Stage::none,    std::nullopt,           "", "", 3},
    {"connect: connect_start fails",                           {F::at_start},                                      Stage::connect, Errc::connect_failed,   "could not connect to server (scripted)"},
    {"connect: the first poll fails",                          {F::at_first_poll},                                 Stage::connect, Errc::connect_failed,   "connection refused (scripted)"},
    {"connect: never answers (connect timeout)",               {F::never_ready},                                   Stage::connect, Errc::connect_failed,   "timed out after 200 ms"},
    {"connect: non-blocking mode refused",                     {F::nonblocking_refused},                           Stage::connect, Errc::connect_failed,   "non-blocking mode refused (scripted)"},
    {"command: cannot be queued",                              {F::send_fails, identify},                          Stage::command, Errc::connection_lost,  "could not send data to server (scripted)"},
    {"command: flush fails",                                   {F::flush_fails, identify},                         Stage::command, Errc::connection_lost,  "broken pipe (scripted)"},
    {"command: flush waits for the socket once",               {F::flush_blocks, identify},                        Stage::none,    std::nullopt,           "", "", 3},
    {"command: lost before its result",                        {F::lost_before_result, identify},                  Stage::command, Errc::connection_lost,  "server closed the connection unexpectedly (scripted)"},
    {"command: refused (42501), the connection serves the next", {F::error, identify, sqlstate::insufficient_privilege}, Stage::command, Errc::sql_error, "refused (scripted)", sqlstate::insufficient_privilege},
    {"command: admin_shutdown (57P01)",                        {F::error, identify, sqlstate::admin_shutdown},     Stage::command, Errc::connection_lost,  "refused (scripted)", sqlstate::admin_shutdown},
    {"start: cannot be queued",                                {F::send_fails, start},                             Stage::stream,  Errc::connection_lost,  "could not send data to server (scripted)"},
    {"start: flush fails",                                     {F::flush_fails, start},                            Stage::stream,  Errc::connection_lost,  "broken pipe (scripted)"},
    {"start: lost before COPY BOTH",                           {F::lost_before_result, start},                     Stage::stream,  Errc::connection_lost,  "server closed the connection unexpectedly (scripted)"},
    {"start: slot in use (55006)",                             {F::error, start, sqlstate::object_in_use},         Stage::stream,  Errc::sql_error,        "refused (scripted)", sqlstate::object_in_use},
    {"stream: lost after its messages",                        {F::lost_while_copying},                            Stage::stream,  Errc::connection_lost,  "server closed the connection unexpectedly (scripted)", "", 3},
    {"stream: the server ends the copy",                       {F::server_ends_copy},                              Stage::stream,  Errc::connection_lost,  "the server ended the replication stream", "", 3},
    {"stream: the server ends it with admin_shutdown (57P01)", {F::server_ends_copy_error, "", sqlstate::admin_shutdown}, Stage::stream, Errc::connection_lost, "ended (scripted)", sqlstate::admin_shutdown, 3},
    {"stream: the server ends it with internal_error (XX000)", {F::server_ends_copy_error, "", sqlstate::internal_error}, Stage::stream, Errc::sql_error,   "ended (scripted)", sqlstate::internal_error, 3},
    {"stream: a standby status update cannot be queued",       {F::status_update_fails},                           Stage::stream,  Errc::connection_lost,  "could not send data to server (scripted)", "", 2},
};
// clang-format on

struct Outcome {
    Stage stage = Stage::none;
    std::exception_ptr error;
    int connects = 0, commands = 0, stream_ends = 0;  // completions of each handler
    std::vector<std::string> messages;
    bool still_serves = false;  // after a refused command, the next one answered
    bool ended() const { return stage != Stage::none; }
};

class ReplicationFailureTable : public ::testing::TestWithParam<Case> {};

TEST_P(ReplicationFailureTable, OwnerGetsTheDocumentedErrorOnce) {
    const Case& c = GetParam();
    boost::asio::io_context io;
    ScriptedReplicationDriver* driver = nullptr;
    auto conn = std::make_shared<ReplicationConnection>(
        io.get_executor(), "hostaddr=127.0.0.1", nullptr, 200ms, [&]() -> std::unique_ptr<ReplicationDriver> {
            auto d = std::make_unique<ScriptedReplicationDriver>(c.script);
            driver = d.get();
            return d;
        });
    ASSERT_NE(driver, nullptr);

    Outcome out;
    auto ended = [&](Stage stage, std::exception_ptr e) {
        out.stage = stage;
        out.error = e;
    };
    conn->async_connect([&](std::exception_ptr e) {
        ++out.connects;
        if (e) return ended(Stage::connect, e);
        conn->async_command(identify, [&](std::exception_ptr refused, ReplicationConnection::Rows rows) {
            ++out.commands;
            if (refused) {
                ended(Stage::command, refused);
                if (errc_of(refused) != Errc::sql_error) return;
                conn->async_command("SELECT 1", [&](std::exception_ptr e2, ReplicationConnection::Rows again) {
                    out.still_serves = !e2 && again.size() == 1 && again[0][0] == "ok";
                });
                return;
            }
            ASSERT_EQ(rows.size(), 1u);
            EXPECT_EQ(rows[0][0], "ok");
            conn->start_copy(
                start, [] {},
                [&](std::string_view message) {
                    out.messages.emplace_back(message);
                    if (out.messages.size() == 2) conn->send_copy_data("standby status update");
                },
                [&](std::exception_ptr end) {
                    ++out.stream_ends;
                    ended(Stage::stream, end);
                });
        });
    });

    const bool stays_open = c.ends_at == Stage::none;
    ASSERT_TRUE(test::run_until(
        io, [&] { return out.ended() || (stays_open && static_cast<int>(out.messages.size()) == c.messages); }, 5s))
        << "neither an error nor the stream's messages arrived";
    // Whatever else was ready has run: a second completion would show here.
    test::run_until(io, [] { return false; }, 30ms);

    EXPECT_EQ(out.stage, c.ends_at);
    EXPECT_EQ(static_cast<int>(out.messages.size()), c.messages);
    if (c.error) {
        ASSERT_TRUE(out.error);
        EXPECT_EQ(errc_of(out.error), c.error);
        EXPECT_EQ(sqlstate_of(out.error), c.sqlstate);
        EXPECT_NE(what_of(out.error).find(c.says), std::string::npos) << what_of(out.error);
    } else {
        EXPECT_FALSE(out.error) << what_of(out.error);
    }
    // Each handler of a step reached ran once.
    EXPECT_EQ(out.connects, 1);
    EXPECT_EQ(out.commands, c.ends_at == Stage::connect ? 0 : 1);
    EXPECT_EQ(out.stream_ends, c.ends_at == Stage::stream ? 1 : 0);
    if (c.error == Errc::sql_error && c.ends_at == Stage::command) {
        EXPECT_TRUE(out.still_serves);
    }
    if (c.script.fault == F::first_address_refuses) {
        // The case the connect loop must handle: a new socket with the old number.
        EXPECT_EQ(driver->reopened_socket(), driver->first_socket());
    }
    if (stays_open && !out.messages.empty()) {
        EXPECT_EQ(driver->copy_data_sent().size(), 1u) << "the standby status update was not queued";
        EXPECT_EQ(out.messages.front(), "message 1");
        EXPECT_EQ(out.messages.back(), "message 3");
    }

    // After close() nothing runs and nothing is sent.
    const Outcome before = out;
    const auto sent = driver->sent().size();
    conn->close();
    test::run_until(io, [] { return false; }, 30ms);
    EXPECT_EQ(out.connects + out.commands + out.stream_ends, before.connects + before.commands + before.stream_ends);
    EXPECT_EQ(driver->sent().size(), sent);
    EXPECT_EQ(conn->backend_pid(), 0);
}

INSTANTIATE_TEST_SUITE_P(EveryStep, ReplicationFailureTable, ::testing::ValuesIn(failure_table),
                         [](const ::testing::TestParamInfo<Case>& param) { return "step_" + std::to_string(param.index); });

}  // namespace
}  // namespace pgwamp::db::testing
