// PostgreSQL crashes (pg_ctl stop -m immediate) under 32 writers that keep
// calling com.example.notes.add through Crossbar, stays down for an outage,
// and comes back (issue 9: "serving again at once"). Measured: the time from
// the moment the database accepts connections again to the first write
// acknowledged after it, which must be at most 500 ms. Checked as well: no
// acknowledged write is lost, no call hangs, calls during the outage fail with
// pgwamp.error.unavailable (connection_lost for those in flight at the crash),
// a refused write never ran, and no write ran twice.
//
// A binary of its own because an outage is mostly waiting: ctest -j2 runs
// it beside the other service tests.

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "tests/integration/service/stack_suite.hpp"
#include "tests/integration/service/write_load.hpp"

namespace pgwamp::test::service {
namespace {

using Clock = std::chrono::steady_clock;
using Record = WriteLoad::Record;

constexpr auto write_timeout = 5s;                // notes.add's timeout_ms below
constexpr auto answer_limit = write_timeout + 2s;  // a call not answered by then hangs
constexpr long long serving_target_ms = 500;
constexpr int writers = 32;

const std::string unavailable = "pgwamp.error.unavailable";
const std::string connection_lost = "pgwamp.error.connection_lost";

long long ms_between(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count();
}

void durable_bounded_writes(nlohmann::json& config) {
    // The harness runs PostgreSQL with synchronous_commit=off for speed, so a
    // crash loses commits of the last few hundred ms that were already
    // acknowledged (measured: 11 of ~600 writes). Production runs with it on,
    // and "no acknowledged write lost" is only worth checking so.
    auto& conninfo = config["database"]["conninfo"];
    conninfo = conninfo.get<std::string>() + " options='-c synchronous_commit=on'";
    // The default statement_timeout_ms (30 s) would let a stuck write hold the
    // test half a minute before "hung" can be told from "slow".
    config["procedures"]["com.example.notes.add"]["timeout_ms"] =
        std::chrono::duration_cast<std::chrono::milliseconds>(write_timeout).count();
}

// pg_ctl start -w polls the server's state file only every 100 ms, so its
// return is not the moment the server became ready: a thread pings with a
// fresh connection every 5 ms meanwhile (refused while down, PQPING_REJECT
// "starting up" during crash recovery) and notes when the first attempt that
// got PQPING_OK began: a connection begun then was accepted.
Clock::time_point start_and_time_accepting(PostgresCluster& pg) {
    std::atomic<bool> give_up{false};
    Clock::time_point accepted{};
    std::thread pinger([&] {
        while (!give_up) {
            const auto attempt = Clock::now();
            if (PQping(pg.conninfo().c_str()) == PQPING_OK) {
                accepted = attempt;
                return;
            }
            std::this_thread::sleep_for(5ms);
        }
    });
    try {
        pg.start();
    } catch (...) {
        give_up = true;
        pinger.join();
        throw;
    }
    pinger.join();
    return accepted;
}

std::set<std::string> bodies_in_table(const PostgresCluster& pg, const std::string& prefix) {
    std::set<std::string> bodies;
    std::istringstream rows(pg.psql("SELECT body FROM notes WHERE body LIKE '" + prefix + "-%'"));
    for (std::string line; std::getline(rows, line);) bodies.insert(line);
    return bodies;
}

// When the outage began and ended, as the test saw it.
struct Outage {
    Clock::time_point killed;      // pg_ctl stop -m immediate returned
    Clock::time_point restarting;  // pg_ctl start began
    Clock::time_point accepting;   // the first fresh connection was accepted again
    Clock::time_point started;     // pg_ctl start returned
    Clock::time_point serving;     // the first write sent after the crash was acknowledged
};

class ServiceOutage : public StackSuite<ServiceOutage> {
protected:
    static void SetUpTestSuite() {
        start_stack({.mode = Stack::PgwampMode::process, .edit_config = durable_bounded_writes});
    }

    void run_outage(std::chrono::seconds length, const std::string& prefix);

    // Writers all acknowledged once, then `more` writes: the load is steady.
    static bool writing_steadily(const WriteLoad& load, int more, std::chrono::seconds limit) {
        if (!poll_until([&] { return load.writers_acknowledged() == writers; }, limit)) return false;
        const int from = load.acknowledged();
        return poll_until([&] { return load.acknowledged() >= from + more; }, limit);
    }

    void check_answers(const std::vector<Record>& records, const Outage& outage);
    void check_table(const std::vector<Record>& records, const std::string& prefix);
};

void ServiceOutage::run_outage(std::chrono::seconds length, const std::string& prefix) {
    // Signed in: anonymous callers may not write notes.
    WriteLoad load(*stack_, {.prefix = prefix, .writers = writers,
                             .client = user_client_options(*stack_, demo_user(*stack_))});
    load.start();
    ASSERT_TRUE(writing_steadily(load, 200, 20s)) << "the writers did not get going\n" << stack_->pgwamp_log(0);

    Outage outage;
    const auto crash = Clock::now();
    stack_->postgres().stop(PostgresCluster::Shutdown::immediate);
    outage.killed = Clock::now();
    std::this_thread::sleep_until(crash + length);  // the outage itself
    outage.restarting = Clock::now();
    outage.accepting = start_and_time_accepting(stack_->postgres());
    outage.started = Clock::now();

    const int acknowledged_when_up = load.acknowledged();
    const bool serving = poll_until([&] { return load.acknowledged() > acknowledged_when_up; }, 60s);
    const bool steady = serving && writing_steadily(load, 200, 20s);
    const auto hung = load.stop(answer_limit);
    ASSERT_TRUE(serving) << "no write acknowledged within 60 s of the database's return\n" << stack_->pgwamp_log(0);
    EXPECT_TRUE(steady) << "writes did not flow steadily after the database's return";
    EXPECT_TRUE(hung.empty()) << hung.size() << " calls unanswered " << answer_limit.count()
                              << " s after they were sent, e.g. " << hung.front();

    const auto& records = load.records();
    const auto first = std::find_if(records.begin(), records.end(), [&](const Record& r) {
        return r.acknowledged() && r.sent >= outage.killed;
    });
    ASSERT_NE(first, records.end());
    outage.serving = first->answered;
    const auto serving_ms = ms_between(outage.accepting, first->answered);
    std::cout << "[ figure ] database killed for " << length.count() << " s under " << writers
              << " writers: first write acknowledged " << serving_ms << " ms after it accepted connections ("
              << ms_between(outage.started, first->answered) << " ms after pg_ctl start returned, which took "
              << ms_between(outage.restarting, outage.started) << " ms)\n";
    EXPECT_LE(serving_ms, serving_target_ms) << "calls succeeded again only " << serving_ms
                                             << " ms after the database accepted connections";

    check_answers(records, outage);
    check_table(records, prefix);
}

// Every call answered in time; failures are the outage's own, and only until
// writes succeed again. Wrong answers are counted, the first few shown.
void ServiceOutage::check_answers(const std::vector<Record>& records, const Outage& outage) {
    std::map<std::string, int> failures;
    long long slowest = 0;
    long long slowest_refusal = 0;
    int wrong = 0;
    const auto wrong_answer = [&](const Record& r, const std::string& why) {
        if (++wrong <= 5) ADD_FAILURE() << r.body << ": " << r.error_uri << ": " << why;
    };
    for (const auto& r : records) {
        slowest = std::max<long long>(slowest, r.elapsed().count());
        if (r.acknowledged()) continue;
        ++failures[r.error_uri];
        if (r.error_uri == unavailable) {
            slowest_refusal = std::max<long long>(slowest_refusal, r.elapsed().count());
        } else if (r.error_uri != connection_lost) {
            wrong_answer(r, "neither unavailable nor connection_lost");
        } else if (r.sent >= outage.killed) {
            wrong_answer(r, "connection_lost for a call sent after the crash");
        }
        // Calls sent between `accepting` and `serving` may fail: that gap is the figure.
        if (r.sent >= outage.serving) wrong_answer(r, "failed though sent once writes succeeded again");
    }
    std::cout << "[ figure ] " << records.size() << " calls: " << failures[unavailable] << " unavailable (slowest "
              << slowest_refusal << " ms), " << failures[connection_lost] << " connection_lost; slowest answer "
              << slowest << " ms\n";
    EXPECT_EQ(wrong, 0) << "calls with a wrong answer";
    EXPECT_GT(failures[unavailable], 0) << "no call was refused during the outage: were the writers running?";
    EXPECT_LT(slowest_refusal, 2000) << "unavailable must come from the pool knowing, not from a deadline";
    EXPECT_LE(slowest, std::chrono::duration_cast<std::chrono::milliseconds>(answer_limit).count());
}

// Acknowledged writes are all there; refused ones never ran; none ran twice.
void ServiceOutage::check_table(const std::vector<Record>& records, const std::string& prefix) {
    const auto stored = bodies_in_table(stack_->postgres(), prefix);
    int lost = 0;
    int refused_but_stored = 0;
    int in_doubt_stored = 0;
    for (const auto& r : records) {
        const bool present = stored.count(r.body) != 0;
        if (r.acknowledged() && !present && ++lost <= 5) ADD_FAILURE() << "acknowledged write lost: " << r.body;
        if (r.error_uri == unavailable && present && ++refused_but_stored <= 5)
            ADD_FAILURE() << "write refused as unavailable is in the table: " << r.body;
        if (r.error_uri == connection_lost && present) ++in_doubt_stored;
    }
    EXPECT_EQ(lost, 0);
    EXPECT_EQ(refused_but_stored, 0);
    const auto twice = stack_->postgres().psql("SELECT count(*) FROM (SELECT body FROM notes WHERE body LIKE '" +
                                               prefix + "-%' GROUP BY body HAVING count(*) > 1) d");
    EXPECT_EQ(twice, "0") << "a write ran twice";
    std::cout << "[ figure ] " << stored.size() << " rows stored; " << in_doubt_stored
              << " of the connection_lost writes had run\n";
}

TEST_F(ServiceOutage, CrashOfFourSecondsUnderWriters) { run_outage(4s, "outage4"); }

TEST_F(ServiceOutage, CrashOfThirtySecondsUnderWriters) { run_outage(30s, "outage30"); }

}  // namespace
}  // namespace pgwamp::test::service
