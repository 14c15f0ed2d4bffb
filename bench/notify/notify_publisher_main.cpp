// bench_notify_pub: sends NOTIFY at a fixed rate through plain libpq, one
// `SELECT pg_notify($1, $2)` committed on its own per event, with
// {"seq": n, "t_us": now} as payload, the time taken just before the
// statement (whose commit delivers the notification). A separate process
// on purpose: it is the load, not the thing measured.
//
// stdout: {"event":"result","sent":n,"seconds":s,"rate":r,"max_lag_ms":m}
// where rate is over the sending span (the last answer may come later) and
// lag is how far behind its schedule the publisher fell.

#include <libpq-fe.h>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include <poll.h>

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
    double rate = 1000;
    double duration_s = 5;
    po::options_description desc("bench_notify_pub options");
    desc.add_options()("help,h", "this text")
        ("conninfo", po::value(&conninfo)->required(), "libpq connection string")
        ("channel", po::value(&channel)->default_value("bench_events"), "NOTIFY channel")
        ("rate", po::value(&rate)->default_value(1000.0), "notifications per second")
        ("duration", po::value(&duration_s)->default_value(5.0), "seconds to publish");
    try {
        po::variables_map vm;
        po::store(po::parse_command_line(argc, argv, desc), vm);
        if (vm.count("help")) {
            std::cout << desc << "\n";
            return 0;
        }
        po::notify(vm);
        if (!(rate > 0) || rate > 1e6 || !(duration_s > 0) || duration_s > 86400) {
            throw std::invalid_argument("--rate must be in (0, 1e6] and --duration in (0, 86400]");
        }
    } catch (const std::exception& e) {
        std::cerr << "bench_notify_pub: " << e.what() << "\n" << desc << "\n";
        return 2;
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
    const auto count = static_cast<std::int64_t>(rate * duration_s);
    const auto period = std::chrono::duration<double>(1.0 / rate);
    const auto start = std::chrono::steady_clock::now();
    std::chrono::duration<double> max_lag{0};
    std::int64_t sent = 0;
    std::int64_t confirmed = 0;  // Syncs answered
    auto last_send = start;
    auto fail = [&](const char* what) {
        std::cerr << "bench_notify_pub: " << what << " at seq " << sent << ": " << PQerrorMessage(conn.get());
        return 1;
    };
    // Reads whatever answers have arrived; returns false on a failed statement.
    auto drain = [&]() -> bool {
        if (PQconsumeInput(conn.get()) != 1) {
            return false;
        }
        // Only while something is owed: with an empty pipeline PQgetResult
        // returns NULL and PQisBusy 0 forever.
        while (confirmed < sent && PQisBusy(conn.get()) == 0) {
            std::unique_ptr<PGresult, PGresultDeleter> res(PQgetResult(conn.get()));
            if (!res) {
                continue;  // end of one statement's results
            }
            auto status = PQresultStatus(res.get());
            if (status == PGRES_PIPELINE_SYNC) {
                ++confirmed;
            } else if (status != PGRES_TUPLES_OK) {
                std::cerr << "bench_notify_pub: pg_notify failed: " << PQresultErrorMessage(res.get());
                return false;
            }
        }
        return true;
    };
    while (sent < count || confirmed < sent) {
        auto now = std::chrono::steady_clock::now();
        auto due = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(period * sent);
        if (sent < count && now >= due) {
            if (now - due > max_lag) {
                max_lag = now - due;
            }
            std::string payload = nlohmann::json{{"seq", sent}, {"t_us", realtime_us()}}.dump();
            const char* values[] = {channel.c_str(), payload.c_str()};
            if (PQsendQueryParams(conn.get(), "SELECT pg_notify($1, $2)", 2, nullptr, values, nullptr, nullptr, 0) != 1 ||
                PQpipelineSync(conn.get()) != 1) {
                return fail("send failed");
            }
            ++sent;
            last_send = std::chrono::steady_clock::now();
        }
        int flushing = PQflush(conn.get());
        if (flushing < 0) {
            return fail("flush failed");
        }
        if (!drain()) {
            return 1;
        }
        // Sleep until the next send is due or the server answers (or our output drains).
        auto wait = std::chrono::milliseconds(100);
        if (sent < count) {
            auto next = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(period * sent);
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(next - std::chrono::steady_clock::now());
            wait = std::max(std::chrono::milliseconds(0), std::min(wait, left));
        }
        if (wait.count() > 0 || flushing == 1) {
            pollfd p{fd, static_cast<short>(POLLIN | (flushing == 1 ? POLLOUT : 0)), 0};
            if (poll(&p, 1, static_cast<int>(wait.count())) < 0 && errno != EINTR) {
                return fail("poll failed");
            }
        }
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // The rate achieved is over the sending span: n sends take (n - 1) periods.
    double span = std::chrono::duration<double>(last_send - start).count();
    double achieved = span > 0 ? static_cast<double>(sent - 1) / span : static_cast<double>(sent) / seconds;
    std::cout << nlohmann::json{{"event", "result"},
                                {"sent", sent},
                                {"seconds", seconds},
                                {"rate", achieved},
                                {"max_lag_ms", max_lag.count() * 1000}}
                     .dump()
              << std::endl;
    return 0;
}
