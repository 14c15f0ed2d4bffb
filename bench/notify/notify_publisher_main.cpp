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
// stdout: {"event":"result","sent":n,"seconds":s,"rate":r,"max_lag_ms":m}
// where rate is over the sending span (the last answer may come later) and
// lag is how far behind its schedule the publisher fell.

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
    double rate = 1000;
    double duration_s = 5;
    double warmup_s = 0;
    po::options_description desc("bench_notify_pub options");
    desc.add_options()("help,h", "this text")
        ("conninfo", po::value(&conninfo)->required(), "libpq connection string")
        ("channel", po::value(&channel)->default_value("bench_events"), "NOTIFY channel")
        ("rate", po::value(&rate)->default_value(1000.0), "notifications per second")
        ("duration", po::value(&duration_s)->default_value(5.0), "seconds to publish")
        ("warmup", po::value(&warmup_s)->default_value(0.0), "seconds of warm-up events before them");
    try {
        po::variables_map vm;
        po::store(po::parse_command_line(argc, argv, desc), vm);
        if (vm.count("help")) {
            std::cout << desc << "\n";
            return 0;
        }
        po::notify(vm);
        if (!(rate > 0) || rate > 1e6 || !(duration_s > 0) || duration_s > 86400 || !(warmup_s >= 0) ||
            warmup_s > 3600) {
            throw std::invalid_argument("--rate must be in (0, 1e6], --duration in (0, 86400], --warmup in [0, 3600]");
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
    const auto warm = static_cast<std::int64_t>(rate * warmup_s);
    const auto count = warm + static_cast<std::int64_t>(rate * duration_s);
    const auto period = std::chrono::duration<double>(1.0 / rate);
    const auto start = std::chrono::steady_clock::now();
    std::chrono::duration<double> max_lag{0};
    std::int64_t sent = 0;
    std::int64_t confirmed = 0;  // Syncs answered
    auto last_send = start;
    auto measured_start = start;
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
            if (sent == warm) {
                measured_start = now;
            }
            std::string payload = sent < warm ? nlohmann::json{{"warmup", true}, {"t_us", realtime_us()}}.dump()
                                              : nlohmann::json{{"seq", sent - warm}, {"t_us", realtime_us()}}.dump();
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
        // Sleep until the next send is due or the server answers (or our
        // output drains). In microseconds: with poll()'s milliseconds a
        // period under 1 ms rounded to 0 and the publisher spun, taking CPU
        // from the server and the callee it shares a CPU with.
        auto wait = std::chrono::microseconds(100'000);
        if (sent < count) {
            auto next = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(period * sent);
            auto left = std::chrono::duration_cast<std::chrono::microseconds>(next - std::chrono::steady_clock::now());
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
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // The rate achieved is over the measured sending span: n sends take
    // (n - 1) periods.
    const std::int64_t measured = sent - warm;
    double span = std::chrono::duration<double>(last_send - measured_start).count();
    double achieved = span > 0 ? static_cast<double>(measured - 1) / span : static_cast<double>(measured) / seconds;
    std::cout << nlohmann::json{{"event", "result"},
                                {"sent", measured},
                                {"warmup_sent", warm},
                                {"seconds", seconds},
                                {"rate", achieved},
                                {"max_lag_ms", max_lag.count() * 1000}}
                     .dump()
              << std::endl;
    return 0;
}
