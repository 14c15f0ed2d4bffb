// bench_notify_pub: sends NOTIFY at a fixed rate through plain libpq, one
// autocommit `SELECT pg_notify($1, $2)` per event, with
// {"seq": n, "t_us": now} as payload, the time taken just before the
// statement (whose commit delivers the notification). A separate process
// with a blocking loop on purpose: it is the load, not the thing measured.
//
// stdout: {"event":"result","sent":n,"seconds":s,"rate":r,"max_lag_ms":m}
// where lag is how far behind its schedule the publisher fell.

#include <libpq-fe.h>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

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
    const auto count = static_cast<std::int64_t>(rate * duration_s);
    const auto period = std::chrono::duration<double>(1.0 / rate);
    const auto start = std::chrono::steady_clock::now();
    std::chrono::duration<double> max_lag{0};
    std::int64_t sent = 0;
    for (std::int64_t seq = 0; seq < count; ++seq) {
        auto due = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(period * seq);
        auto now = std::chrono::steady_clock::now();
        if (now < due) {
            std::this_thread::sleep_until(due);
        } else if (now - due > max_lag) {
            max_lag = now - due;
        }
        std::string payload = nlohmann::json{{"seq", seq}, {"t_us", realtime_us()}}.dump();
        const char* values[] = {channel.c_str(), payload.c_str()};
        std::unique_ptr<PGresult, PGresultDeleter> res(
            PQexecParams(conn.get(), "SELECT pg_notify($1, $2)", 2, nullptr, values, nullptr, nullptr, 0));
        if (PQresultStatus(res.get()) != PGRES_TUPLES_OK) {
            std::cerr << "bench_notify_pub: pg_notify failed at seq " << seq << ": "
                      << PQresultErrorMessage(res.get());
            return 1;
        }
        ++sent;
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << nlohmann::json{{"event", "result"},
                                {"sent", sent},
                                {"seconds", seconds},
                                {"rate", seconds > 0 ? static_cast<double>(sent) / seconds : 0.0},
                                {"max_lag_ms", max_lag.count() * 1000}}
                     .dump()
              << std::endl;
    return 0;
}
