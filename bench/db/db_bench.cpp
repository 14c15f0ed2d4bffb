// db_bench --dsn CONNINFO --concurrency 64 --pool 8 --seconds 10 --workload both
//
// `concurrency` callers each run the workload's statement through one
// db::Pool, issuing the next as soon as the previous completes: `now`
// (SELECT now()) and `join` (two small tables joined by key, the key a
// parameter: a statement whose planning costs something). db::Pool runs
// twice, with its prepared statements (the default) and without. Prints
// queries/s, the client's CPU time per query (getrusage: this process only,
// not the server) and latency percentiles. Then, on the same server and one
// at a time, runs the peers (peers.hpp) with the same statement, concurrency,
// pool size and duration; and prints one table per workload with pgwamp's
// ratio to each, since only ratios from one run on this shared, noisy
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

#include <libpq-fe.h>

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
    Caller(db::Pool& pool, const bench::Workload& w, bool prepare, bool read_only, int seed, Run& run,
           Clock::time_point measure_from, Clock::time_point until)
        : pool_(pool), w_(w), key_(seed), run_(run), from_(measure_from), until_(until) {
        options_.prepare = prepare;
        // Read groups (db/POOL.md): the reads of one turn share a Sync.
        options_.read_only = read_only;
    }
    void next() {
        auto t0 = Clock::now();
        if (t0 >= until_) {
            done = true;
            return;
        }
        std::vector<Value> params;
        if (w_.keyed) {
            key_ = key_ % w_.keys + 1;
            params.emplace_back(key_);
        }
        pool_.async_query(w_.sql, std::move(params), options_, [this, t0](std::exception_ptr e, db::Result) {
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
    const bench::Workload& w_;
    db::StatementOptions options_;
    int key_;
    Run& run_;
    Clock::time_point from_, until_;
};

Run run_pool(const std::string& dsn, const bench::Workload& w, bool prepare, bool read_only, int concurrency,
             int pool_size, int in_flight, double seconds, double warmup_s) {
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
    auto warmup = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(warmup_s));
    auto measure_from = Clock::now() + warmup;
    auto until = measure_from + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    std::vector<std::unique_ptr<Caller>> callers;
    for (int i = 0; i < concurrency; ++i)
        callers.push_back(std::make_unique<Caller>(pool, w, prepare, read_only, i * 97, run, measure_from, until));
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

// The same statements as tokio_peer/src/main.rs and the Python peers (kept in step by hand).
const bench::Workload kNow{"now", "SELECT now()", false};
const bench::Workload kJoin{"join",
                            "SELECT a.id, a.name, b.amount FROM bench_join_a a JOIN bench_join_b b ON b.a_id = a.id "
                            "WHERE a.id = $1",
                            true, 1000};

// The join's two small tables: 1,000 rows and 3,000 (three per key),
// indexed and analyzed, so the planner has choices to make each time.
void make_join_tables(const std::string& dsn) {
    std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(dsn.c_str()), &PQfinish);
    if (PQstatus(conn.get()) != CONNECTION_OK)
        throw std::runtime_error(std::string("cannot connect to make the join tables: ") + PQerrorMessage(conn.get()));
    const char* sql =
        "DROP TABLE IF EXISTS bench_join_b, bench_join_a;"
        "CREATE TABLE bench_join_a (id int PRIMARY KEY, name text NOT NULL);"
        "CREATE TABLE bench_join_b (id int PRIMARY KEY, a_id int NOT NULL REFERENCES bench_join_a, amount numeric);"
        "INSERT INTO bench_join_a SELECT n, 'name ' || n FROM generate_series(1, 1000) n;"
        "INSERT INTO bench_join_b SELECT n, 1 + n % 1000, n * 1.5 FROM generate_series(1, 3000) n;"
        "CREATE INDEX ON bench_join_b (a_id);"
        "ANALYZE bench_join_a; ANALYZE bench_join_b;";
    std::unique_ptr<PGresult, decltype(&PQclear)> res(PQexec(conn.get(), sql), &PQclear);
    if (PQresultStatus(res.get()) != PGRES_COMMAND_OK)
        throw std::runtime_error(std::string("cannot make the join tables: ") + PQerrorMessage(conn.get()));
}

const std::vector<std::string> kPeers = {"pgbench",        "pgbench-extended",       "pgbench-pipelined",
                                         "tokio-postgres", "tokio-postgres-unnamed", "asyncpg",
                                         "psycopg",        "txpostgres",             "adbapi"};

// "pgbench,adbapi" -> {"pgbench", "adbapi"}; "" or "none" -> {}. Throws on an unknown name.
std::vector<std::string> parse_peers(const std::string& list) {
    std::vector<std::string> out;
    std::stringstream ss(list);
    std::string name;
    while (std::getline(ss, name, ',')) {
        if (name.empty() || name == "none") continue;
        if (std::find(kPeers.begin(), kPeers.end(), name) == kPeers.end())
            throw std::invalid_argument("unknown peer '" + name +
                                        "' (known: pgbench, pgbench-extended, pgbench-pipelined, tokio-postgres, "
                                        "tokio-postgres-unnamed, asyncpg, psycopg, txpostgres, adbapi)");
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

const bench::PeerResult* find_peer(const std::vector<bench::PeerResult>& peers, const std::string& name) {
    auto it = std::find_if(peers.begin(), peers.end(), [&](const auto& p) { return p.name == name; });
    return it == peers.end() || it->skipped || it->qps <= 0 ? nullptr : &*it;
}

// One Markdown table, so a run can be pasted into RESULTS.md as printed.
void print_comparison(const bench::Workload& w, const std::vector<bench::PeerResult>& ours,
                      const std::vector<bench::PeerResult>& peers) {
    const bench::PeerResult& best = ours.front();  // prepared, read_only (read groups)
    std::printf("\nworkload %s: %s\n", w.name.c_str(), w.sql.c_str());
    std::printf("\n| client | queries/s | client CPU µs/query | p50 µs | p99 µs | pgwamp q/s ÷ peer | peer CPU ÷ pgwamp |\n");
    std::printf("|---|---|---|---|---|---|---|\n");
    auto row = [&](const bench::PeerResult& r) {
        if (r.skipped) {
            std::printf("| %s | skipped | | | | | |\n", r.name.c_str());
            return;
        }
        std::optional<double> q_ratio, cpu_ratio;
        if (&r != &best && r.qps > 0) q_ratio = best.qps / r.qps;
        if (&r != &best && r.cpu_us_per_query && best.cpu_us_per_query && *best.cpu_us_per_query > 0)
            cpu_ratio = *r.cpu_us_per_query / *best.cpu_us_per_query;
        std::printf("| %s | %.0f | %s | %s | %s | %s | %s |\n", r.name.c_str(), r.qps,
                    fmt_opt(r.cpu_us_per_query, "%.2f").c_str(), fmt_opt(r.p50_us, "%.0f").c_str(),
                    fmt_opt(r.p99_us, "%.0f").c_str(), fmt_opt(q_ratio, "%.2f×").c_str(),
                    fmt_opt(cpu_ratio, "%.1f×").c_str());
    };
    for (const auto& o : ours) row(o);
    for (const auto& p : peers) row(p);
    std::printf("\n");
    for (const auto& p : peers) {
        std::printf("%-22s %s\n", p.name.c_str(), p.detail.c_str());
        if (p.skipped) std::printf("                       skipped: %s\n", p.skipped->c_str());
        if (!p.skipped && p.errors)
            std::printf("                       %llu errors, first: %s\n", static_cast<unsigned long long>(p.errors),
                        p.first_error.value_or("?").c_str());
    }

    std::printf("\ntargets (workload %s):\n", w.name.c_str());
    auto ratio_target = [&](const char* label, const std::string& peer, double at_least) {
        const bench::PeerResult* p = find_peer(peers, peer);
        if (!p) {
            std::printf("  >= %.1fx %s: not measured (%s skipped or not in --peers)\n", at_least, label, peer.c_str());
            return;
        }
        double r = best.qps / p->qps;
        std::printf("  >= %.1fx %s: %.2fx, %s\n", at_least, label, r, r >= at_least ? "met" : "NOT met");
    };
    ratio_target("tokio-postgres (prepared) queries/s", "tokio-postgres", 1.2);
    ratio_target("the pipelined prepared pgbench ceiling", "pgbench pipelined", 0.6);
    ratio_target("txpostgres queries/s", "txpostgres", 5.0);
    double cpu = best.cpu_us_per_query.value_or(0);
    std::printf("  <= 3.0 µs client CPU/query: %.2f µs, %s\n", cpu, cpu <= 3.0 ? "met" : "NOT met");
}

}  // namespace

int main(int argc, char** argv) {
    std::string dsn, peers_list = "pgbench,pgbench-extended,pgbench-pipelined,tokio-postgres,tokio-postgres-unnamed,"
                                  "asyncpg,psycopg,txpostgres,adbapi";
    std::string workload = "both", tokio_peer;
    bench::PythonPeerTool python{PGWAMP_BENCH_SOURCE_DIR "/bench/.venv/bin/python",
                                 PGWAMP_BENCH_SOURCE_DIR "/bench/db/python_peer_bench.py"};
    int concurrency = 64, pool_size = 8, in_flight = 16, seconds = 10, depth = 8;
    po::options_description desc("db_bench options");
    desc.add_options()("help", "this text")("dsn", po::value(&dsn), "libpq conninfo (default: a throwaway cluster)")(
        "workload", po::value(&workload), "now (SELECT now()), join (two tables by key), or both (both)")(
        "concurrency", po::value(&concurrency), "concurrent callers, also for the peers (64)")(
        "pool", po::value(&pool_size), "connections, also for every peer (8)")(
        "in-flight", po::value(&in_flight), "max pipelined statements per connection (16)")(
        "seconds", po::value(&seconds), "measured seconds, after 1 s warm-up (10)")(
        "peers", po::value(&peers_list),
        "peers to run after db::Pool, a comma list (all): pgbench, pgbench-extended, pgbench-pipelined, "
        "tokio-postgres, tokio-postgres-unnamed, asyncpg, psycopg, txpostgres, adbapi; none")(
        "pipeline-depth", po::value(&depth), "statements per pgbench pipeline (8)")(
        "tokio-peer", po::value(&tokio_peer), "the tokio_peer binary (bench/db_bench builds it with cargo)")(
        "python", po::value(&python.python), "interpreter for the Python peers (bench/.venv/bin/python)")(
        "peer-script", po::value(&python.script), "the Twisted peers (bench/db/python_peer_bench.py)")(
        "no-pgbench", "leave every pgbench row out")(
        "smoke", "CI's check that db::Pool and every peer still run: 0.2 s each without warm-up (pgbench: one "
                 "transaction per client); exit status 1 when any peer is skipped, fails or answers nothing");
    po::variables_map vm;
    std::vector<std::string> peer_names;
    std::vector<const bench::Workload*> workloads;
    try {
        po::store(po::parse_command_line(argc, argv, desc), vm);
        po::notify(vm);
        peer_names = parse_peers(peers_list);
        if (concurrency < 1 || pool_size < 1 || in_flight < 1 || seconds < 1 || depth < 1)
            throw std::invalid_argument("--concurrency, --pool, --in-flight, --seconds, --pipeline-depth must be >= 1");
        if (workload == "now" || workload == "both") workloads.push_back(&kNow);
        if (workload == "join" || workload == "both") workloads.push_back(&kJoin);
        if (workloads.empty()) throw std::invalid_argument("--workload is now, join or both");
    } catch (const std::exception& e) {
        std::cerr << e.what() << "\n" << desc;
        return 2;
    }
    if (vm.count("help")) {
        std::cout << desc;
        return 0;
    }
    const bool smoke = vm.count("smoke") > 0;
    const bench::RunLength length = smoke ? bench::RunLength{0.2, 0, 1} : bench::RunLength{double(seconds), 1, 0};
    if (vm.count("no-pgbench"))
        std::erase_if(peer_names, [](const std::string& n) { return n.rfind("pgbench", 0) == 0; });
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
        make_join_tables(dsn);
        std::uint64_t errors = 0;
        std::vector<std::pair<const bench::Workload*, std::pair<std::vector<bench::PeerResult>, std::vector<bench::PeerResult>>>>
            tables;
        for (const bench::Workload* w : workloads) {
            std::vector<bench::PeerResult> ours;
            // First (the one the targets use): read_only, so one turn's reads share a Sync; then
            // the same prepared statements one Sync each, then unprepared.
            struct Variant {
                bool prepare, read_only;
                const char* name;
            };
            for (const Variant v : {Variant{true, true, "pgwamp db::Pool read_only"},
                                    Variant{true, false, "pgwamp db::Pool"},
                                    Variant{false, false, "pgwamp db::Pool unprepared"}}) {
                Run r = run_pool(dsn, *w, v.prepare, v.read_only, concurrency, pool_size, in_flight, length.seconds,
                                 length.warmup);
                bench::PeerResult o;
                o.name = v.name;
                o.queries = r.queries;
                o.errors = r.errors;
                o.qps = static_cast<double>(r.queries) / r.seconds;
                o.cpu_us_per_query = r.cpu * 1e6 / static_cast<double>(std::max<std::uint64_t>(r.queries, 1));
                o.p50_us = percentile(r.latency_us, 0.50);
                o.p99_us = percentile(r.latency_us, 0.99);
                errors += r.errors;
                std::printf("[%s] %s  concurrency=%d pool=%d in-flight=%d seconds=%.1f\n", w->name.c_str(),
                            o.name.c_str(), concurrency, pool_size, in_flight, r.seconds);
                std::printf("  %.0f queries/s (%llu ok, %llu errors), %.2f µs client CPU/query, p50 %.0f µs, p99 %.0f µs\n",
                            o.qps, static_cast<unsigned long long>(r.queries), static_cast<unsigned long long>(r.errors),
                            *o.cpu_us_per_query, *o.p50_us, *o.p99_us);
                std::fflush(stdout);
                ours.push_back(std::move(o));
            }
            std::vector<bench::PeerResult> peers;
            for (const auto& name : peer_names) {
                std::printf("[%s] %s: running for %g s...\n", w->name.c_str(), name.c_str(), length.seconds);
                std::fflush(stdout);
                if (name == "pgbench")
                    peers.push_back(bench::run_pgbench(dsn, *w, bench::PgbenchMode::simple, pool_size, length));
                else if (name == "pgbench-extended")
                    peers.push_back(bench::run_pgbench(dsn, *w, bench::PgbenchMode::extended, pool_size, length));
                else if (name == "pgbench-pipelined")
                    peers.push_back(
                        bench::run_pgbench(dsn, *w, bench::PgbenchMode::pipelined, pool_size, length, depth));
                else if (name == "tokio-postgres" || name == "tokio-postgres-unnamed")
                    peers.push_back(bench::run_tokio_peer(tokio_peer, name == "tokio-postgres", dsn, *w, concurrency,
                                                          pool_size, length));
                else
                    peers.push_back(bench::run_python_peer(python, name, dsn, *w, concurrency, pool_size, length));
                const auto& p = peers.back();
                if (p.skipped)
                    std::printf("  skipped: %s\n", p.skipped->c_str());
                else
                    std::printf("  %.0f queries/s, %s µs client CPU/query\n", p.qps,
                                fmt_opt(p.cpu_us_per_query, "%.2f").c_str());
                std::fflush(stdout);
            }
            tables.push_back({w, {std::move(ours), std::move(peers)}});
        }
        print_load("end");
        for (const auto& [w, t] : tables) print_comparison(*w, t.first, t.second);
        if (smoke) {
            // A peer that could not run is a row saying "skipped" in a real run; here it fails the check.
            int broken = 0;
            for (const auto& [w, t] : tables) {
                for (const auto* side : {&t.first, &t.second}) {
                    for (const auto& p : *side) {
                        std::string why = p.skipped ? "skipped: " + *p.skipped
                                          : p.queries == 0 ? std::string("no query answered")
                                          : p.errors ? std::to_string(p.errors) + " errors, first: " +
                                                           p.first_error.value_or("?")
                                                     : std::string();
                        if (why.empty()) continue;
                        ++broken;
                        std::printf("smoke: %s / %s broken: %s\n", w->name.c_str(), p.name.c_str(), why.c_str());
                    }
                }
            }
            std::printf("smoke: %d of %zu runs broken\n", broken,
                        tables.size() * (2 + peer_names.size()));
            if (broken) return 1;
        }
        return errors ? 1 : 0;
    } catch (const std::exception& e) {
        std::cerr << "db_bench: " << e.what() << "\n";
        return 1;
    }
}
