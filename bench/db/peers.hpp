#pragma once
// The peers db_bench measures beside db::Pool, on the same server in the same
// run: pgbench (simple, extended, and pipelined with prepared statements:
// the C client's ceiling), tokio-postgres (bench/db/tokio_peer, prepared and
// unnamed), asyncpg and psycopg 3 (asyncio_peer_bench.py), and the two
// Python pools the first issue named (txpostgres and Twisted adbapi,
// python_peer_bench.py). Each runs as a child process after db::Pool has
// finished, so they never compete with it or each other. A peer that cannot
// run comes back with `skipped` set; nothing here throws for a peer's failure.

#include <cstdint>
#include <optional>
#include <string>

namespace pgwamp::bench {

struct PeerResult {
    std::string name;                    // "pgbench", "txpostgres", "adbapi", ...
    std::string detail;                  // how it ran, e.g. "pgbench -c 8 -j 2"
    std::optional<std::string> skipped;  // why it did not run; the rest is unset then
    double qps = 0;
    std::uint64_t queries = 0;
    std::uint64_t errors = 0;
    std::optional<double> cpu_us_per_query;  // the peer process's own CPU, never the server's
    std::optional<double> p50_us, p99_us;
    std::optional<std::string> first_error;
};

// What every peer runs: the statement (with $1 for the key, if keyed) and
// pgbench's form of it.
struct Workload {
    std::string name;  // "now" or "join"
    std::string sql;
    bool keyed = false;  // $1 = a key from 1 to keys
    int keys = 1000;
};

// pgbench's query modes: one statement per script (simple or extended
// protocol), or `depth` statements between \startpipeline and \endpipeline
// with -M prepared (pgbench's pipelined ceiling).
enum class PgbenchMode { simple, extended, pipelined };

// How long each peer runs: `seconds` measured after `warmup`. With
// pgbench_transactions > 0 (db_bench --smoke) pgbench runs that many
// transactions per client instead of -T (whose seconds are whole).
struct RunLength {
    double seconds = 10;
    double warmup = 1;
    int pgbench_transactions = 0;
};

// pgbench -n -c clients -j 2 -T seconds (or -t transactions). CPU/query is
// pgbench's (and its shell's) CPU from RUSAGE_CHILDREN, which includes its
// connection set-up; pgbench reports no percentiles.
PeerResult run_pgbench(const std::string& dsn, const Workload& w, PgbenchMode mode, int clients,
                       const RunLength& length, int depth = 8);

struct PythonPeerTool {
    std::string python;  // an interpreter with the peers' packages (bench/.venv)
    std::string script;  // python_peer_bench.py; asyncio_peer_bench.py sits beside it
};

// "txpostgres", "adbapi" (python_peer_bench.py), "asyncpg", "psycopg"
// (asyncio_peer_bench.py), for length.seconds after length.warmup.
PeerResult run_python_peer(const PythonPeerTool& tool, const std::string& peer, const std::string& dsn,
                           const Workload& w, int concurrency, int pool, const RunLength& length);

// bench/db/tokio_peer (built by bench/db_bench with cargo): `prepared` or not.
PeerResult run_tokio_peer(const std::string& binary, bool prepared, const std::string& dsn, const Workload& w,
                          int concurrency, int pool, const RunLength& length);

}  // namespace pgwamp::bench
