#pragma once
// The peers db_bench measures beside db::Pool, on the same server in the same
// run: pgbench, and the two Python pools the issue names (txpostgres and
// Twisted adbapi, run by python_peer_bench.py). Each runs as a child process
// after db::Pool has finished, so they never compete with it or each other.
// A peer that cannot run comes back with `skipped` set; nothing here throws
// for a peer's failure.

#include <cstdint>
#include <optional>
#include <string>

namespace pgwamp::bench {

struct PeerResult {
    std::string name;                    // "pgbench", "txpostgres", "adbapi"
    std::string detail;                  // how it ran, e.g. "pgbench -c 8 -j 2"
    std::optional<std::string> skipped;  // why it did not run; the rest is unset then
    double qps = 0;
    std::uint64_t queries = 0;
    std::uint64_t errors = 0;
    std::optional<double> cpu_us_per_query;  // the peer process's own CPU, never the server's
    std::optional<double> p50_us, p99_us;
    std::optional<std::string> first_error;
};

// pgbench -n -c clients -j 2 -T seconds with a one-line SELECT now() script.
// CPU/query is pgbench's (and its shell's) CPU from RUSAGE_CHILDREN, which
// includes its connection set-up; pgbench reports no percentiles.
PeerResult run_pgbench(const std::string& dsn, int clients, int seconds);

struct PythonPeerTool {
    std::string python;  // an interpreter with twisted, txpostgres, psycopg2
    std::string script;  // python_peer_bench.py
};

// One peer ("txpostgres" or "adbapi") for `seconds` after a 1 s warm-up.
PeerResult run_python_peer(const PythonPeerTool& tool, const std::string& peer, const std::string& dsn,
                           int concurrency, int pool, int seconds);

}  // namespace pgwamp::bench
