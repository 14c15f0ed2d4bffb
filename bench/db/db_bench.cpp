// db_bench --dsn CONNINFO --concurrency 64 --pool 8 --seconds 10
//
// `concurrency` callers each run SELECT now() through one db::Pool, issuing
// the next as soon as the previous completes. Prints queries/s, the client's
// CPU time per query (getrusage: this process only, not the server) and
// latency percentiles; then runs pgbench with the same statement on the same
// server (-c 8 -j 2) and prints the ratio, since the machine is shared and
// noisy. Without --dsn it starts a throwaway cluster (tests/support).

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/program_options.hpp>

#include "db/pool.hpp"
#include "tests/support/postgres_cluster.hpp"

namespace po = boost::program_options;
using namespace pgwamp;
using Clock = std::chrono::steady_clock;

namespace {

double cpu_seconds() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
    return s(ru.ru_utime) + s(ru.ru_stime);
}

struct Run {
    std::uint64_t queries = 0;
    std::uint64_t errors = 0;
    double seconds = 0;
    double cpu = 0;
    std::vector<float> latency_us;
};

class Caller {
public:
    Caller(db::Pool& pool, Run& run, Clock::time_point measure_from, Clock::time_point until)
        : pool_(pool), run_(run), from_(measure_from), until_(until) {}
    void next() {
        auto t0 = Clock::now();
        if (t0 >= until_) {
            done = true;
            return;
        }
        pool_.async_query("SELECT now()", {}, [this, t0](std::exception_ptr e, db::Result) {
            auto t1 = Clock::now();
            if (t0 >= from_) {
                if (e)
                    ++run_.errors;
                else
                    ++run_.queries;
                run_.latency_us.push_back(std::chrono::duration<float, std::micro>(t1 - t0).count());
            }
            next();
        });
    }
    bool done = false;

private:
    db::Pool& pool_;
    Run& run_;
    Clock::time_point from_, until_;
};

Run run_pool(const std::string& dsn, int concurrency, int pool_size, int in_flight, double seconds) {
    boost::asio::io_context io(1);
    db::PoolOptions o;
    o.conninfo = dsn;
    o.min_connections = o.max_connections = static_cast<std::size_t>(pool_size);
    o.max_in_flight_per_connection = static_cast<std::size_t>(in_flight);
    o.max_queue = static_cast<std::size_t>(concurrency) * 2;
    db::Pool pool(io.get_executor(), o);
    std::exception_ptr start_error;
    bool started = false;
    pool.async_start([&](std::exception_ptr e) {
        start_error = e;
        started = true;
    });
    while (!started) io.run_one();
    if (start_error) std::rethrow_exception(start_error);

    Run run;
    run.latency_us.reserve(static_cast<std::size_t>(seconds * 200000));
    auto warmup = std::chrono::milliseconds(1000);
    auto measure_from = Clock::now() + warmup;
    auto until = measure_from + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    std::vector<std::unique_ptr<Caller>> callers;
    for (int i = 0; i < concurrency; ++i) callers.push_back(std::make_unique<Caller>(pool, run, measure_from, until));
    for (auto& c : callers) c->next();
    // Measure CPU from the end of the warm-up.
    while (Clock::now() < measure_from) io.run_one();
    double cpu0 = cpu_seconds();
    auto t0 = Clock::now();
    while (!std::all_of(callers.begin(), callers.end(), [](const auto& c) { return c->done; })) io.run_one();
    run.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    run.cpu = cpu_seconds() - cpu0;
    bool closed = false;
    pool.async_close([&] { closed = true; });
    while (!closed) io.run_one();
    return run;
}

std::optional<double> run_pgbench(const std::string& dsn, int seconds) {
    std::string script = "/tmp/pgwamp-db-bench-" + std::to_string(::getpid()) + ".sql";
    std::ofstream(script) << "SELECT now();\n";
    std::string cmd = "/usr/lib/postgresql/15/bin/pgbench -n -f " + script + " -c 8 -j 2 -T " + std::to_string(seconds) +
                      " '" + dsn + "' 2>&1";
    std::string out;
    if (FILE* p = ::popen(cmd.c_str(), "r")) {
        char buf[512];
        while (std::fgets(buf, sizeof buf, p)) out += buf;
        ::pclose(p);
    }
    std::remove(script.c_str());
    std::smatch m;
    if (std::regex_search(out, m, std::regex(R"(tps = ([0-9.]+))"))) return std::stod(m[1]);
    std::cerr << "pgbench failed:\n" << out << "\n";
    return std::nullopt;
}

double percentile(std::vector<float>& v, double p) {
    if (v.empty()) return 0;
    auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return v[k];
}

}  // namespace

int main(int argc, char** argv) {
    std::string dsn;
    int concurrency = 64, pool_size = 8, in_flight = 16, seconds = 10;
    bool pgbench = true;
    po::options_description desc("db_bench options");
    desc.add_options()("help", "this text")("dsn", po::value(&dsn), "libpq conninfo (default: a throwaway cluster)")(
        "concurrency", po::value(&concurrency), "concurrent callers (64)")("pool", po::value(&pool_size),
                                                                           "connections (8)")(
        "in-flight", po::value(&in_flight), "max pipelined statements per connection (16)")(
        "seconds", po::value(&seconds), "measured seconds, after 1 s warm-up (10)")("no-pgbench", "skip the pgbench peer");
    po::variables_map vm;
    try {
        po::store(po::parse_command_line(argc, argv, desc), vm);
        po::notify(vm);
    } catch (const std::exception& e) {
        std::cerr << e.what() << "\n" << desc;
        return 2;
    }
    if (vm.count("help")) {
        std::cout << desc;
        return 0;
    }
    pgbench = !vm.count("no-pgbench");
#ifndef __OPTIMIZE__
    std::cerr << "warning: db_bench was built without optimisation; configure with -DCMAKE_BUILD_TYPE=Release\n";
#endif
    try {
        std::unique_ptr<test::PostgresCluster> cluster;
        if (dsn.empty()) {
            cluster = std::make_unique<test::PostgresCluster>();
            dsn = cluster->conninfo();
            std::cout << "throwaway cluster on port " << cluster->port() << "\n";
        }
        Run r = run_pool(dsn, concurrency, pool_size, in_flight, seconds);
        double qps = static_cast<double>(r.queries) / r.seconds;
        std::printf("pgwamp db::Pool  concurrency=%d pool=%d in-flight=%d seconds=%.1f\n", concurrency, pool_size,
                    in_flight, r.seconds);
        std::printf("  queries/s        %.0f  (%llu ok, %llu errors)\n", qps,
                    static_cast<unsigned long long>(r.queries), static_cast<unsigned long long>(r.errors));
        std::printf("  client CPU/query %.2f us\n", r.cpu * 1e6 / static_cast<double>(std::max<std::uint64_t>(r.queries, 1)));
        std::printf("  latency p50      %.0f us\n", percentile(r.latency_us, 0.50));
        std::printf("  latency p99      %.0f us\n", percentile(r.latency_us, 0.99));
        if (pgbench) {
            if (auto tps = run_pgbench(dsn, seconds)) {
                std::printf("pgbench -c 8 -j 2 SELECT now()\n  queries/s        %.0f\n", *tps);
                std::printf("ratio pgwamp/pgbench %.2f\n", qps / *tps);
            }
        }
        return r.errors ? 1 : 0;
    } catch (const std::exception& e) {
        std::cerr << "db_bench: " << e.what() << "\n";
        return 1;
    }
}
