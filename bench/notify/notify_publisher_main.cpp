// bench_notify_pub: sends NOTIFY at a fixed rate through plain libpq, one
// `SELECT pg_notify($1, $2)` committed on its own per event, with
// {"seq": n, "t_us": now} as payload, the time taken just before the
// statement (whose commit delivers the notification). A separate process
// on purpose: it is the load, not the thing measured.
//
// --warmup S first sends S seconds of {"warmup": true, "t_us": now} at the
// same rate, which the subscriber leaves out of its figures: the first
// events on a fresh topic pay for the router's and the server's first-use
// work (tens of milliseconds once), which is not the steady state asked for.
//
// stdout: PublishSchedule::result(): {"event":"result","sent":n,...} where
// rate is over the sending span (the last answer may come later) and lag is
// how far behind its schedule the publisher fell.
//
// --table T --run R: the loader of the changes bench instead. Each event is
// `INSERT INTO T (run, seq, t_us) VALUES (R, seq, t_us)`, one row per
// transaction (seq -1 for a warm-up row); the row change reaches the
// subscriber through logical replication. T is the harness's own table name,
// written into the statement as given.
//
// --owners N (with --table): the loader of the live phase. The row also gets
// owner "o<i mod N>", i the event's index (warm-up rows included), so the
// rows go round-robin over N owners, each followed by one live query.

#include "command_line.hpp"
#include "publish_schedule.hpp"

#include <libpq-fe.h>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include <poll.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <iostream>
#include <memory>
#include <string>

namespace po = boost::program_options;

namespace {

std::int64_t realtime_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

struct PGconnDeleter {
    void operator()(PGconn* c) const { PQfinish(c); }
};
struct PGresultDeleter {
    void operator()(PGresult* r) const { PQclear(r); }
};

}  // namespace

int main(int argc, char** argv) {
    std::string conninfo;
    std::string channel;
    std::string table;
    std::int64_t run = 0;
    std::int64_t owners = 0;
    pgwamp::bench::PublishPlan plan;
    po::options_description desc("bench_notify_pub options");
    desc.add_options()("help,h", "this text")
        ("conninfo", po::value(&conninfo)->required(), "libpq connection string")
        ("channel", po::value(&channel)->default_value("bench_events"), "NOTIFY channel")
        ("table", po::value(&table), "INSERT a row into this table per event instead of NOTIFY")
        ("run", po::value(&run)->default_value(0), "with --table: the run column of every row")
        ("owners", po::value(&owners)->default_value(0),
         "with --table: also set the owner column, o0..o<N-1>, round-robin by event (0: no owner column)");
    pgwamp::bench::add_publish_options(desc, plan);
    if (auto leave = pgwamp::bench::read_options("bench_notify_pub", argc, argv, desc, [&] {
        pgwamp::bench::check_publish_plan(plan);
        if (owners < 0 || (owners > 0 && table.empty())) {
            throw std::invalid_argument("--owners must be >= 0, and needs --table");
        }
    })) {
        return *leave;
    }

    std::unique_ptr<PGconn, PGconnDeleter> conn(PQconnectdb(conninfo.c_str()));
    if (PQstatus(conn.get()) != CONNECTION_OK) {
        std::cerr << "bench_notify_pub: cannot connect: " << PQerrorMessage(conn.get());
        return 1;
    }
    // Pipeline mode: each notification is sent when due, followed by its own
    // Sync (so it commits on its own), without waiting for the previous
    // answer; answers are read as they come. A round trip per event would cap
    // the rate at 1/RTT on a busy machine, and the publisher is the load here.
    if (PQenterPipelineMode(conn.get()) != 1 || PQsetnonblocking(conn.get(), 1) != 0) {
        std::cerr << "bench_notify_pub: cannot enter pipeline mode: " << PQerrorMessage(conn.get());
        return 1;
    }
    const int fd = PQsocket(conn.get());
    pgwamp::bench::PublishSchedule schedule(plan, std::chrono::steady_clock::now());
    std::int64_t confirmed = 0;  // Syncs answered
    auto fail = [&](const char* what) {
        std::cerr << "bench_notify_pub: " << what << " at event " << schedule.next() << ": "
                  << PQerrorMessage(conn.get());
        return 1;
    };
    // Reads whatever answers have arrived; returns false on a failed statement.
    auto drain = [&]() -> bool {
        if (PQconsumeInput(conn.get()) != 1) {
            return false;
        }
        // Only while something is owed: with an empty pipeline PQgetResult
        // returns NULL and PQisBusy 0 forever.
        while (confirmed < schedule.next() && PQisBusy(conn.get()) == 0) {
            std::unique_ptr<PGresult, PGresultDeleter> res(PQgetResult(conn.get()));
            if (!res) {
                continue;  // end of one statement's results
            }
            auto status = PQresultStatus(res.get());
            if (status == PGRES_PIPELINE_SYNC) {
                ++confirmed;
            } else if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
                std::cerr << "bench_notify_pub: statement failed: " << PQresultErrorMessage(res.get());
                return false;
            }
        }
        return true;
    };
    const std::string insert = owners > 0
                                   ? "INSERT INTO " + table + " (run, seq, t_us, owner) VALUES ($1, $2, $3, $4)"
                                   : "INSERT INTO " + table + " (run, seq, t_us) VALUES ($1, $2, $3)";
    const std::string run_text = std::to_string(run);
    // Sends the next event's statement: pg_notify, or the INSERT of its row.
    auto send_next = [&]() -> bool {
        auto payload = schedule.next_payload(realtime_us());
        if (table.empty()) {
            std::string text = payload.dump();
            const char* values[] = {channel.c_str(), text.c_str()};
            return PQsendQueryParams(conn.get(), "SELECT pg_notify($1, $2)", 2, nullptr, values, nullptr, nullptr,
                                     0) == 1;
        }
        std::string seq = std::to_string(payload.value("seq", std::int64_t{-1}));
        std::string t_us = std::to_string(payload["t_us"].get<std::int64_t>());
        std::string owner = owners > 0 ? pgwamp::bench::round_robin_owner(schedule.next(), owners) : "";
        const char* values[] = {run_text.c_str(), seq.c_str(), t_us.c_str(), owner.c_str()};
        return PQsendQueryParams(conn.get(), insert.c_str(), owners > 0 ? 4 : 3, nullptr, values, nullptr, nullptr,
                                 0) == 1;
    };
    while (!schedule.done() || confirmed < schedule.next()) {
        auto now = std::chrono::steady_clock::now();
        if (!schedule.done() && now >= schedule.due(schedule.next())) {
            if (!send_next() || PQpipelineSync(conn.get()) != 1) {
                return fail("send failed");
            }
            schedule.sent(now);
        }
        int flushing = PQflush(conn.get());
        if (flushing < 0) {
            return fail("flush failed");
        }
        if (!drain()) {
            return 1;
        }
        // Sleep until the next send is due or the server answers (or our
        // output drains). In microseconds: with poll()'s milliseconds a
        // period under 1 ms rounded to 0 and the publisher spun, taking CPU
        // from the server and the callee it shares a CPU with.
        auto wait = std::chrono::microseconds(100'000);
        if (!schedule.done()) {
            auto left = std::chrono::duration_cast<std::chrono::microseconds>(schedule.due(schedule.next()) -
                                                                               std::chrono::steady_clock::now());
            wait = std::max(std::chrono::microseconds(0), std::min(wait, left));
        }
        if (wait.count() > 0 || flushing == 1) {
            pollfd p{fd, static_cast<short>(POLLIN | (flushing == 1 ? POLLOUT : 0)), 0};
            timespec ts{static_cast<time_t>(wait.count() / 1'000'000), static_cast<long>(wait.count() % 1'000'000) * 1000};
            if (ppoll(&p, 1, &ts, nullptr) < 0 && errno != EINTR) {
                return fail("poll failed");
            }
        }
    }
    std::cout << schedule.result(std::chrono::steady_clock::now()).dump() << std::endl;
    return 0;
}
