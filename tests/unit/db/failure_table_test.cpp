// Every failure at every step (STYLE.md habit 3), through the real db::Pool
// on a scripted driver (scripted_driver.hpp): for each step where a
// connection can fail, the caller gets the documented error (db/POOL.md,
// "Failures"), its handler always runs, no statement is sent twice, and the
// pool serves the next statement on a fresh connection. No server; the whole
// table runs in a fraction of a second.

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "db/pool.hpp"
#include "pg/sqlstate.hpp"
#include "scripted_driver.hpp"
#include "tests/support/db_errors.hpp"
#include "tests/support/run_until.hpp"

namespace pgwamp::db::testing {
namespace {

using namespace std::chrono_literals;
using test::errc_of;
using test::what_of;

enum class Call {
    start,             // the pool's start, then a query while it cannot connect
    query,             // async_query("SELECT work")
    execute,           // async_execute("SELECT work")
    pipelined,         // "SELECT work" and "SELECT next" in one turn, on one connection
    interaction,       // BEGIN; "SELECT work"; COMMIT (the body passes on the statement's error)
    swallowing_body,   // the same, but the body ignores the statement's error
    canceled_query,    // a CancelSignal fires while "SELECT work" runs
    timed_out_query,   // a 5 ms timeout while "SELECT work" runs
    canceled_interaction,
    idle,              // no call: the connections end while idle
};

struct Case {
    const char* step;
    Call call;
    std::vector<Rule> rules;
    std::optional<Errc> expect;        // nullopt: success
    std::string sqlstate;              // of the error, when the server gave one
    bool replaced = false;             // the connection was closed (and another opened)
    bool rolled_back = false;          // a ROLLBACK was sent
    std::optional<Errc> second = {};   // "SELECT next" of a pipelined call; nullopt: success
    ConnectFault connect = ConnectFault::none;
};

std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.step; }

Rule rule(const char* sql, Fault f, const char* sqlstate = "") { return Rule{sql, f, sqlstate, 1}; }

// clang-format off
const std::vector<Case> failure_table = {
    // step                                              call                     rules                                                 caller's error
    {"connect: the first address refuses, the next accepts", Call::query, {}, std::nullopt, "", false, false, {}, ConnectFault::first_address_refuses},
    {"connect: connect_start fails",                    Call::start, {}, Errc::unavailable, "", false, false, {}, ConnectFault::at_start},
    {"connect: first poll fails",                       Call::start, {}, Errc::unavailable, "", false, false, {}, ConnectFault::at_first_poll},
    {"connect: second poll fails",                      Call::start, {}, Errc::unavailable, "", false, false, {}, ConnectFault::at_second_poll},
    {"connect: pipeline mode refused",                  Call::start, {}, Errc::unavailable, "", false, false, {}, ConnectFault::entering_pipeline},
    {"connect: never answers (connect timeout)",        Call::start, {}, Errc::unavailable, "", false, false, {}, ConnectFault::never_ready},
    {"send: connection broken",                         Call::query, {rule("SELECT work", Fault::send_fails)}, Errc::connection_lost, "", true},
    {"send: this request refused alone",                Call::query, {rule("SELECT work", Fault::send_refused)}, Errc::bad_value},
    {"flush fails",                                     Call::query, {rule("SELECT work", Fault::flush_fails)}, Errc::connection_lost, "", true},
    {"flush must wait for the socket once",             Call::query, {rule("SELECT work", Fault::flush_blocks)}, std::nullopt},
    {"lost before the result (query)",                  Call::query, {rule("SELECT work", Fault::lost_before_result)}, Errc::connection_lost, "", true},
    {"lost before the result (execute)",                Call::execute, {rule("SELECT work", Fault::lost_before_result)}, Errc::connection_lost, "", true},
    {"lost between the result and its Sync",            Call::query, {rule("SELECT work", Fault::lost_after_result)}, Errc::connection_lost, "", true},
    {"broken between the result and its Sync",          Call::execute, {rule("SELECT work", Fault::broken_after_result)}, Errc::connection_lost, "", true},
    {"result is an error (unique_violation)",           Call::query, {rule("SELECT work", Fault::error, sqlstate::unique_violation)}, Errc::sql_error, sqlstate::unique_violation},
    {"result is admin_shutdown, then the end",          Call::query, {rule("SELECT work", Fault::error_then_lost, sqlstate::admin_shutdown)}, Errc::connection_lost, sqlstate::admin_shutdown, true},
    {"between results: lost after the first's result",  Call::pipelined, {rule("SELECT work", Fault::lost_after_result)}, Errc::connection_lost, "", true, false, Errc::connection_lost},
    {"between results: lost before the second's result", Call::pipelined, {rule("SELECT next", Fault::lost_before_result)}, std::nullopt, "", true, false, Errc::connection_lost},
    {"between results: the first fails (undefined_table)", Call::pipelined, {rule("SELECT work", Fault::error, sqlstate::undefined_table)}, Errc::sql_error, sqlstate::undefined_table, false, false, std::nullopt},
    {"interaction: lost during BEGIN",                  Call::interaction, {rule("BEGIN", Fault::lost_before_result)}, Errc::connection_lost, "", true},
    {"interaction: a statement fails (unique_violation)", Call::interaction, {rule("SELECT work", Fault::error, sqlstate::unique_violation)}, Errc::sql_error, sqlstate::unique_violation, false, true},
    {"interaction: lost during a statement",            Call::interaction, {rule("SELECT work", Fault::lost_before_result)}, Errc::connection_lost, "", true},
    {"interaction: error swallowed, COMMIT rolls back", Call::swallowing_body, {rule("SELECT work", Fault::error, sqlstate::unique_violation)}, Errc::sql_error, sqlstate::unique_violation},
    {"COMMIT fails (t_r_serialization_failure)",        Call::interaction, {rule("COMMIT", Fault::error, sqlstate::t_r_serialization_failure)}, Errc::sql_error, sqlstate::t_r_serialization_failure, false, true},
    {"COMMIT: lost before its result",                  Call::interaction, {rule("COMMIT", Fault::lost_before_result)}, Errc::connection_lost, "", true},
    {"COMMIT: lost between its result and Sync",        Call::interaction, {rule("COMMIT", Fault::lost_after_result)}, Errc::connection_lost, "", true},
    {"ROLLBACK fails (internal_error)",                 Call::interaction, {rule("SELECT work", Fault::error, sqlstate::unique_violation), rule("ROLLBACK", Fault::error, sqlstate::internal_error)}, Errc::rollback_failed, sqlstate::internal_error, true, true},
    {"ROLLBACK: lost before its result",                Call::interaction, {rule("SELECT work", Fault::error, sqlstate::unique_violation), rule("ROLLBACK", Fault::lost_before_result)}, Errc::rollback_failed, "", true, true},
    {"cancel: canceled while running",                  Call::canceled_query, {rule("SELECT work", Fault::hang)}, Errc::canceled, sqlstate::query_canceled},
    {"cancel: timed out while running",                 Call::timed_out_query, {rule("SELECT work", Fault::hang)}, Errc::timeout, sqlstate::query_canceled},
    {"cancel: lost while the cancel is in flight",      Call::canceled_query, {rule("SELECT work", Fault::lost_on_cancel)}, Errc::connection_lost, "", true},
    {"cancel: interaction canceled mid-statement",      Call::canceled_interaction, {rule("SELECT work", Fault::hang)}, Errc::canceled, "", false, true},
    {"idle: every connection ends",                     Call::idle, {}, std::nullopt, "", true},
};
// clang-format on

struct Outcome {
    int calls = 0;  // how often the handler ran: exactly once
    std::exception_ptr error;
};



// The server's own message, when the error carries one: what() must keep it.
std::string server_message_of(const std::exception_ptr& e) {
    try {
        if (e) std::rethrow_exception(e);
    } catch (const Error& x) {
        return x.diagnostics().message;
    } catch (...) {
    }
    return "";
}


class FailureTable : public ::testing::TestWithParam<Case> {
protected:
    void SetUp() override {
        PoolOptions o;
        o.conninfo = "scripted";
        o.min_connections = 1;
        o.max_connections = 2;
        o.connect_timeout = 30ms;
        o.idle_timeout = 0ms;
        o.backoff.initial_delay = 1ms;
        o.backoff.max_delay = 2ms;
        o.backoff.jitter = 0;
        o.driver_factory = server_->factory();
        pool_ = std::make_unique<Pool>(io_.get_executor(), o);
    }

    // Runs the loop until `done` or the deadline: false means a hang.
    bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 2000ms) {
        return test::run_until(io_, done, limit);
    }

    std::exception_ptr start() {
        auto o = std::make_shared<Outcome>();
        pool_->async_start([o](std::exception_ptr e) {
            ++o->calls;
            o->error = e;
        });
        EXPECT_TRUE(run_until([o] { return o->calls > 0; })) << "async_start never completed";
        return o->error;
    }

    std::shared_ptr<Outcome> query(const std::string& sql, StatementOptions options = {}) {
        auto o = std::make_shared<Outcome>();
        pool_->async_query(sql, {}, std::move(options), [o](std::exception_ptr e, Result) {
            ++o->calls;
            o->error = e;
        });
        return o;
    }

    std::shared_ptr<Outcome> interaction(bool swallow, StatementOptions options = {}) {
        auto o = std::make_shared<Outcome>();
        CallbackInteraction body = [swallow](Transaction& tx, InteractionDone done) {
            tx.async_execute("SELECT work", {}, [done, swallow](std::exception_ptr e, std::uint64_t) {
                done(swallow ? nullptr : e, Value("done"));
            });
        };
        pool_->async_interaction(body, std::move(options), [o](std::exception_ptr e, Value) {
            ++o->calls;
            o->error = e;
        });
        return o;
    }

    // Starts the call the case describes; returns its outcome (and, for a
    // pipelined call, the second statement's in `second`).
    std::shared_ptr<Outcome> call(const Case& c, std::shared_ptr<Outcome>& second) {
        auto signal = std::make_shared<CancelSignal>();
        server_->on_hang([signal] { signal->cancel(); });
        switch (c.call) {
            case Call::start: return query("SELECT work");
            case Call::query: return query("SELECT work");
            case Call::execute: {
                auto o = std::make_shared<Outcome>();
                pool_->async_execute("SELECT work", {}, [o](std::exception_ptr e, std::uint64_t) {
                    ++o->calls;
                    o->error = e;
                });
                return o;
            }
            case Call::pipelined: {
                auto first = query("SELECT work");
                second = query("SELECT next");
                return first;
            }
            case Call::interaction: return interaction(false);
            case Call::swallowing_body: return interaction(true);
            case Call::canceled_query: return query("SELECT work", statement_options(signal));
            case Call::timed_out_query: return query("SELECT work", statement_options(5ms));
            case Call::canceled_interaction: return interaction(false, statement_options(signal));
            case Call::idle: {
                server_->break_all();
                auto o = std::make_shared<Outcome>();
                auto server = server_;
                // Both connections (the pool's and the control one) end and are opened again.
                EXPECT_TRUE(run_until([server] { return server->finished_connections() >= 2 && server->open_connections() >= 2; }));
                o->calls = 1;
                return o;
            }
        }
        return nullptr;
    }

    boost::asio::io_context io_;
    std::shared_ptr<ScriptedServer> server_ = std::make_shared<ScriptedServer>(io_.get_executor());
    std::unique_ptr<Pool> pool_;
};

TEST_P(FailureTable, CallerGetsTheDocumentedErrorAndThePoolKeepsWorking) {
    const Case& c = GetParam();
    for (const Rule& r : c.rules) server_->add(r);
    server_->fail_connects(c.connect, c.connect == ConnectFault::none ? 0 : -1);

    std::exception_ptr started = start();
    if (c.call == Call::start) {
        EXPECT_EQ(errc_of(started), Errc::connect_failed) << what_of(started);
    } else {
        ASSERT_EQ(started, nullptr) << what_of(started);
    }
    std::size_t finished_before = server_->finished_connections();

    std::shared_ptr<Outcome> second;
    auto o = call(c, second);
    ASSERT_TRUE(run_until([&] { return o->calls > 0 && (!second || second->calls > 0); }))
        << "a handler never ran";
    EXPECT_EQ(errc_of(o->error), c.expect) << what_of(o->error);
    if (!c.sqlstate.empty()) {
        EXPECT_EQ(sqlstate_of(o->error), c.sqlstate) << what_of(o->error);
    }
    if (c.expect == Errc::sql_error || c.expect == Errc::connection_lost) {
        EXPECT_NE(what_of(o->error).find(server_message_of(o->error)), std::string::npos) << what_of(o->error);
    }
    if (second) {
        EXPECT_EQ(errc_of(second->error), c.second) << what_of(second->error);
    }

    if (c.call != Call::start) {
        EXPECT_EQ(server_->finished_connections() > finished_before, c.replaced);
    }
    EXPECT_EQ(server_->sends("ROLLBACK"), c.rolled_back ? 1u : 0u);
    // Nothing is sent twice, whatever failed.
    for (const char* sql : {"SELECT work", "SELECT next", "BEGIN", "COMMIT", "ROLLBACK", "SELECT pg_cancel_backend($1)"})
        EXPECT_LE(server_->sends(sql), 1u) << sql;
    if (c.call == Call::start) {
        EXPECT_EQ(server_->sends("SELECT work"), 0u);
    }

    // The pool keeps working: once the database is back, the next statement
    // succeeds on a working connection.
    server_->fail_connects(ConnectFault::none, 0);
    ASSERT_TRUE(run_until([&] { return pool_->available(); })) << "the pool never recovered";
    auto after = query("SELECT after");
    ASSERT_TRUE(run_until([&] { return after->calls > 0; })) << "the next statement never completed";
    EXPECT_EQ(after->error, nullptr) << what_of(after->error);

    // Each handler ran exactly once, also after everything settled.
    io_.restart();
    io_.run_for(2ms);
    EXPECT_EQ(o->calls, 1);
    if (second) {
        EXPECT_EQ(second->calls, 1);
    }
    EXPECT_EQ(after->calls, 1);
}

INSTANTIATE_TEST_SUITE_P(EveryStep, FailureTable, ::testing::ValuesIn(failure_table),
                         [](const ::testing::TestParamInfo<Case>& p) {
                             std::string name;
                             for (char ch : std::string(p.param.step))
                                 name += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
                             return name;
                         });

// Notifications survive the loss of the control connection: the pool LISTENs
// again on the new one.
TEST(ScriptedPool, NotificationsArriveBeforeAndAfterTheControlConnectionIsLost) {
    boost::asio::io_context io;
    auto server = std::make_shared<ScriptedServer>(io.get_executor());
    PoolOptions o;
    o.conninfo = "scripted";
    o.backoff.initial_delay = 1ms;
    o.driver_factory = server->factory();
    Pool pool(io.get_executor(), o);
    std::vector<std::string> got;
    pool.add_notify_observer([&](const Notification& n) { got.push_back(n.channel + ":" + n.payload); });
    bool listening = false;
    pool.async_start([](std::exception_ptr) {});
    pool.async_listen("jobs", [&](std::exception_ptr e) {
        EXPECT_EQ(e, nullptr);
        listening = true;
    });
    auto run_until = [&](const std::function<bool()>& done) {
        auto deadline = std::chrono::steady_clock::now() + 2s;
        while (!done() && std::chrono::steady_clock::now() < deadline) {
            if (io.stopped()) io.restart();
            io.run_one_for(5ms);
        }
        return done();
    };
    ASSERT_TRUE(run_until([&] { return listening; }));
    server->notify("jobs", "1");
    ASSERT_TRUE(run_until([&] { return got.size() == 1; }));

    server->break_all();
    ASSERT_TRUE(run_until([&] { return server->finished_connections() == 2 && server->listeners("jobs") == 1; }));
    EXPECT_EQ(server->sends("LISTEN \"jobs\""), 2u);
    server->notify("jobs", "2");
    ASSERT_TRUE(run_until([&] { return got.size() == 2; }));
    EXPECT_EQ(got, (std::vector<std::string>{"jobs:1", "jobs:2"}));
}

}  // namespace
}  // namespace pgwamp::db::testing
