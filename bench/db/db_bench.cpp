// db_bench --dsn CONNINFO --concurrency 64 --pool 8 --seconds 10
//
// `concurrency` callers each run SELECT now() through one db::Pool, issuing
// the next as soon as the previous completes. Prints queries/s, the client's
// CPU time per query (getrusage: this process only, not the server) and
// latency percentiles. Then, on the same server and one at a time, runs the
// peers (peers.hpp): pgbench with the same statement (-c pool -j 2), and the
// Python pools the issue compares against, txpostgres and Twisted adbapi, with
// the same concurrency, pool size and duration; and prints one table with
// pgwamp's ratio to each, since only ratios from one run on this shared, noisy
// machine mean anything. A peer that cannot run is reported as skipped.
// Without --dsn it starts a throwaway cluster (tests/support).

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/program_options.hpp>

#include "bench/db/peers.hpp"
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

double percentile(std::vector<float>& v, double p) {
    if (v.empty()) return 0;
    auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return v[k];
}

// The machine is shared: every run says how loaded it was, at start and end.
void print_load(const char* when) {
    std::ifstream in("/proc/loadavg");
    std::string l1, l5, l15;
    in >> l1 >> l5 >> l15;
    std::time_t now = std::time(nullptr);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", std::gmtime(&now));
    std::printf("%s: %s UTC, load average %s %s %s\n", when, stamp, l1.c_str(), l5.c_str(), l15.c_str());
}

const std::vector<std::string> kPeers = {"pgbench", "txpostgres", "adbapi"};

// "pgbench,adbapi" -> {"pgbench", "adbapi"}; "" or "none" -> {}. Throws on an unknown name.
std::vector<std::string> parse_peers(const std::string& list) {
    std::vector<std::string> out;
    std::stringstream ss(list);
    std::string name;
    while (std::getline(ss, name, ',')) {
        if (name.empty() || name == "none") continue;
        if (std::find(kPeers.begin(), kPeers.end(), name) == kPeers.end())
            throw std::invalid_argument("unknown peer '" + name + "' (known: pgbench, txpostgres, adbapi)");
        if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
    }
    return out;
}

std::string fmt_opt(const std::optional<double>& v, const char* f) {
    if (!v) return "—";
    char buf[64];
    std::snprintf(buf, sizeof buf, f, *v);
    return buf;
}

// One Markdown table, so a run can be pasted into RESULTS.md as printed.
void print_comparison(const bench::PeerResult& ours, const std::vector<bench::PeerResult>& peers) {
    std::printf("\n| client | queries/s | client CPU µs/query | p50 µs | p99 µs | pgwamp q/s ÷ peer | peer CPU ÷ pgwamp |\n");
    std::printf("|---|---|---|---|---|---|---|\n");
    auto row = [&](const bench::PeerResult& r) {
        if (r.skipped) {
            std::printf("| %s | skipped | | | | | |\n", r.name.c_str());
            return;
        }
        std::optional<double> q_ratio, cpu_ratio;
        if (&r != &ours && r.qps > 0) q_ratio = ours.qps / r.qps;
        if (&r != &ours && r.cpu_us_per_query && ours.cpu_us_per_query && *ours.cpu_us_per_query > 0)
            cpu_ratio = *r.cpu_us_per_query / *ours.cpu_us_per_query;
        std::printf("| %s | %.0f | %s | %s | %s | %s | %s |\n", r.name.c_str(), r.qps,
                    fmt_opt(r.cpu_us_per_query, "%.2f").c_str(), fmt_opt(r.p50_us, "%.0f").c_str(),
                    fmt_opt(r.p99_us, "%.0f").c_str(), fmt_opt(q_ratio, "%.2f×").c_str(),
                    fmt_opt(cpu_ratio, "%.1f×").c_str());
    };
    row(ours);
    for (const auto& p : peers) row(p);
    std::printf("\n");
    for (const auto& p : peers) {
        std::printf("%-10s %s\n", p.name.c_str(), p.detail.c_str());
        if (p.skipped) std::printf("           skipped: %s\n", p.skipped->c_str());
        if (!p.skipped && p.errors)
            std::printf("           %llu errors, first: %s\n", static_cast<unsigned long long>(p.errors),
                        p.first_error.value_or("?").c_str());
    }

    // The targets: >= 5x txpostgres's queries/s, <= 5 µs client CPU per query.
    std::printf("\ntargets from the issue:\n");
    auto tx = std::find_if(peers.begin(), peers.end(), [](const auto& p) { return p.name == "txpostgres"; });
    if (tx == peers.end())
        std::printf("  >= 5x txpostgres queries/s: not measured (txpostgres not in --peers)\n");
    else if (tx->skipped || tx->qps <= 0)
        std::printf("  >= 5x txpostgres queries/s: not measured (txpostgres skipped)\n");
    else
        std::printf("  >= 5x txpostgres queries/s: %.2fx, %s\n", ours.qps / tx->qps,
                    ours.qps >= 5 * tx->qps ? "met" : "NOT met");
    double cpu = ours.cpu_us_per_query.value_or(0);
    std::printf("  <= 5 µs client CPU/query:   %.2f µs, %s\n", cpu, cpu <= 5.0 ? "met" : "NOT met");
    std::printf("  (issue's reference on this machine: txpostgres 18.9k q/s at 52 µs; adbapi 9.0k q/s at 110 µs)\n");
}

}  // namespace

int main(int argc, char** argv) {
    std::string dsn, peers_list = "pgbench,txpostgres,adbapi";
    bench::PythonPeerTool python{PGWAMP_BENCH_SOURCE_DIR "/bench/.venv/bin/python",
                                 PGWAMP_BENCH_SOURCE_DIR "/bench/db/python_peer_bench.py"};
    int concurrency = 64, pool_size = 8, in_flight = 16, seconds = 10;
    po::options_description desc("db_bench options");
    desc.add_options()("help", "this text")("dsn", po::value(&dsn), "libpq conninfo (default: a throwaway cluster)")(
        "concurrency", po::value(&concurrency), "concurrent callers, also for the Python peers (64)")(
        "pool", po::value(&pool_size), "connections, also for every peer (8)")(
        "in-flight", po::value(&in_flight), "max pipelined statements per connection (16)")(
        "seconds", po::value(&seconds), "measured seconds, after 1 s warm-up (10)")(
        "peers", po::value(&peers_list), "peers to run after db::Pool: pgbench,txpostgres,adbapi (all); none")(
        "python", po::value(&python.python), "interpreter for the Python peers (bench/.venv/bin/python)")(
        "peer-script", po::value(&python.script), "the Python peers (bench/db/python_peer_bench.py)")(
        "no-pgbench", "same as leaving pgbench out of --peers");
    po::variables_map vm;
    std::vector<std::string> peer_names;
    try {
        po::store(po::parse_command_line(argc, argv, desc), vm);
        po::notify(vm);
        peer_names = parse_peers(peers_list);
        if (concurrency < 1 || pool_size < 1 || in_flight < 1 || seconds < 1)
            throw std::invalid_argument("--concurrency, --pool, --in-flight and --seconds must be >= 1");
    } catch (const std::exception& e) {
        std::cerr << e.what() << "\n" << desc;
        return 2;
    }
    if (vm.count("help")) {
        std::cout << desc;
        return 0;
    }
    if (vm.count("no-pgbench")) std::erase(peer_names, std::string("pgbench"));
#ifndef __OPTIMIZE__
    std::cerr << "warning: db_bench was built without optimisation; configure with -DCMAKE_BUILD_TYPE=Release\n";
#endif
    try {
        print_load("start");
        std::unique_ptr<test::PostgresCluster> cluster;
        if (dsn.empty()) {
            cluster = std::make_unique<test::PostgresCluster>();
            dsn = cluster->conninfo();
            std::cout << "throwaway cluster on port " << cluster->port() << "\n";
        }
        Run r = run_pool(dsn, concurrency, pool_size, in_flight, seconds);
        bench::PeerResult ours;
        ours.name = "pgwamp db::Pool";
        ours.queries = r.queries;
        ours.errors = r.errors;
        ours.qps = static_cast<double>(r.queries) / r.seconds;
        ours.cpu_us_per_query = r.cpu * 1e6 / static_cast<double>(std::max<std::uint64_t>(r.queries, 1));
        ours.p50_us = percentile(r.latency_us, 0.50);
        ours.p99_us = percentile(r.latency_us, 0.99);
        std::printf("pgwamp db::Pool  concurrency=%d pool=%d in-flight=%d seconds=%.1f\n", concurrency, pool_size,
                    in_flight, r.seconds);
        std::printf("  %.0f queries/s (%llu ok, %llu errors), %.2f µs client CPU/query, p50 %.0f µs, p99 %.0f µs\n",
                    ours.qps, static_cast<unsigned long long>(r.queries), static_cast<unsigned long long>(r.errors),
                    *ours.cpu_us_per_query, *ours.p50_us, *ours.p99_us);
        std::fflush(stdout);

        std::vector<bench::PeerResult> peers;
        for (const auto& name : peer_names) {
            std::printf("%s: running for %d s...\n", name.c_str(), seconds);
            std::fflush(stdout);
            peers.push_back(name == "pgbench"
                                ? bench::run_pgbench(dsn, pool_size, seconds)
                                : bench::run_python_peer(python, name, dsn, concurrency, pool_size, seconds));
            const auto& p = peers.back();
            if (p.skipped)
                std::printf("  skipped: %s\n", p.skipped->c_str());
            else
                std::printf("  %.0f queries/s, %s µs client CPU/query\n", p.qps,
                            fmt_opt(p.cpu_us_per_query, "%.2f").c_str());
            std::fflush(stdout);
        }
        print_load("end");
        print_comparison(ours, peers);
        return r.errors ? 1 : 0;
    } catch (const std::exception& e) {
        std::cerr << "db_bench: " << e.what() << "\n";
        return 1;
    }
}
