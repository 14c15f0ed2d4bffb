#include "bench/db/peers.hpp"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

namespace pgwamp::bench {

namespace {

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

double children_cpu_seconds() {
    rusage ru{};
    getrusage(RUSAGE_CHILDREN, &ru);
    auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
    return s(ru.ru_utime) + s(ru.ru_stime);
}

struct Captured {
    std::string out;   // stdout
    std::string err;   // the last lines of stderr
    int status = -1;   // exit status, or -1 when it did not exit normally
    double cpu = 0;    // the child's CPU seconds (RUSAGE_CHILDREN delta)
};

// Runs `cmd` under sh with a hard time limit (a hung peer must not hang the
// bench), capturing stdout; stderr goes to a file whose tail explains failures.
Captured run_command(const std::string& cmd, int time_limit_s) {
    Captured c;
    std::string err_file = "/tmp/pgwamp-db-bench-" + std::to_string(::getpid()) + ".err";
    std::string full = "timeout -k 5 " + std::to_string(time_limit_s) + " " + cmd + " 2>" + shell_quote(err_file);
    double cpu0 = children_cpu_seconds();
    if (FILE* p = ::popen(full.c_str(), "r")) {
        char buf[4096];
        while (std::fgets(buf, sizeof buf, p)) c.out += buf;
        int st = ::pclose(p);
        c.status = (st != -1 && WIFEXITED(st)) ? WEXITSTATUS(st) : -1;
    }
    c.cpu = children_cpu_seconds() - cpu0;
    std::ifstream in(err_file);
    std::stringstream ss;
    ss << in.rdbuf();
    c.err = ss.str();
    if (c.err.size() > 600) c.err = "..." + c.err.substr(c.err.size() - 600);
    std::remove(err_file.c_str());
    return c;
}

std::string failure_reason(const std::string& what, const Captured& c) {
    std::string r = what + " (exit status " + std::to_string(c.status) + (c.status == 124 ? ", timed out" : "") + ")";
    std::string tail = c.err.empty() ? c.out : c.err;
    if (tail.size() > 400) tail = "..." + tail.substr(tail.size() - 400);
    if (!tail.empty()) r += ": " + tail;
    while (!r.empty() && (r.back() == '\n' || r.back() == ' ')) r.pop_back();
    return r;
}

std::string pgbench_statement(const Workload& w) {
    std::string sql = w.sql;
    if (auto at = sql.find("$1"); at != std::string::npos) sql.replace(at, 2, ":id");
    return sql + ";\n";
}

// The peer scripts print one JSON object as their last stdout line.
PeerResult json_peer_result(PeerResult r, const Captured& c) {
    auto end = c.out.find_last_not_of("\n ");
    auto begin = end == std::string::npos ? std::string::npos : c.out.rfind('\n', end);
    std::string last = end == std::string::npos ? "" : c.out.substr(begin == std::string::npos ? 0 : begin + 1);
    auto j = nlohmann::json::parse(last, nullptr, false);
    if (c.status != 0 || !j.is_object()) {
        r.skipped = failure_reason(r.name + " peer failed", c);
        return r;
    }
    if (j.contains("skipped")) {
        r.skipped = j["skipped"].get<std::string>();
        return r;
    }
    try {
        r.queries = j.at("queries").get<std::uint64_t>();
        r.errors = j.at("errors").get<std::uint64_t>();
        r.qps = j.at("qps").get<double>();
        r.cpu_us_per_query = j.at("cpu_us_per_query").get<double>();
        r.p50_us = j.at("p50_us").get<double>();
        r.p99_us = j.at("p99_us").get<double>();
        if (j.contains("first_error") && j["first_error"].is_string()) r.first_error = j["first_error"].get<std::string>();
        if (j.contains("reactor")) r.detail += " (" + j["reactor"].get<std::string>() + ")";
    } catch (const std::exception&) {
        r.skipped = r.name + " peer printed an unexpected result: " + last;
    }
    return r;
}

std::string seconds_text(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", s);
    return buf;
}

std::string peer_args(const std::string& dsn, const Workload& w, int concurrency, int pool, const RunLength& length) {
    return " --dsn " + shell_quote(dsn) + " --workload " + w.name + " --concurrency " + std::to_string(concurrency) +
           " --pool " + std::to_string(pool) + " --seconds " + seconds_text(length.seconds) + " --warmup " +
           seconds_text(length.warmup);
}

// The hard limit on a peer's run: its own time and a generous margin.
int time_limit(const RunLength& length, int margin) {
    return static_cast<int>(length.warmup + length.seconds) + 1 + margin;
}

}  // namespace

PeerResult run_pgbench(const std::string& dsn, const Workload& w, PgbenchMode mode, int clients,
                       const RunLength& length, int depth) {
    PeerResult r;
    const char* flag = mode == PgbenchMode::simple ? "simple" : mode == PgbenchMode::extended ? "extended" : "prepared";
    int per_script = mode == PgbenchMode::pipelined ? depth : 1;
    r.name = mode == PgbenchMode::simple     ? "pgbench"
             : mode == PgbenchMode::extended ? "pgbench -M extended"
                                             : "pgbench pipelined";
    r.detail = "pgbench -M " + std::string(flag) + " -c " + std::to_string(clients) + " -j 2" +
               (mode == PgbenchMode::pipelined ? ", " + std::to_string(depth) +
                                                     " statements per \\startpipeline ... \\endpipeline"
                                               : std::string(" (C, one query at a time per connection)"));
    const std::string bin = "/usr/lib/postgresql/15/bin/pgbench";
    if (::access(bin.c_str(), X_OK) != 0) {
        r.skipped = "no " + bin;
        return r;
    }
    std::string script = "/tmp/pgwamp-db-bench-" + std::to_string(::getpid()) + ".sql";
    {
        std::ofstream f(script);
        for (int i = 0; i < per_script && w.keyed; ++i)
            f << "\\set id" << (per_script > 1 ? std::to_string(i) : "") << " random(1, " << w.keys << ")\n";
        if (mode == PgbenchMode::pipelined) f << "\\startpipeline\n";
        for (int i = 0; i < per_script; ++i) {
            std::string stmt = pgbench_statement(w);
            if (per_script > 1 && w.keyed) stmt.replace(stmt.find(":id"), 3, ":id" + std::to_string(i));
            f << stmt;
        }
        if (mode == PgbenchMode::pipelined) f << "\\endpipeline\n";
    }
    const std::string how = length.pgbench_transactions > 0
                                ? " -t " + std::to_string(length.pgbench_transactions)
                                : " -T " + std::to_string(std::max(1, static_cast<int>(length.seconds + 0.5)));
    Captured c = run_command(bin + " -n -M " + flag + " -f " + shell_quote(script) + " -c " +
                                 std::to_string(clients) + " -j 2" + how + " " + shell_quote(dsn),
                             time_limit(length, 60));
    std::remove(script.c_str());
    std::smatch tps, n, failed;
    if (c.status != 0 || !std::regex_search(c.out, tps, std::regex(R"(tps = ([0-9.]+))")) ||
        !std::regex_search(c.out, n, std::regex(R"(actually processed: ([0-9]+))"))) {
        r.skipped = failure_reason(r.name + " failed", c);
        return r;
    }
    // pgbench counts scripts ("transactions"); a pipelined one holds `depth` queries.
    r.qps = std::stod(tps[1]) * per_script;
    r.queries = std::stoull(n[1]) * static_cast<std::uint64_t>(per_script);
    if (std::regex_search(c.out, failed, std::regex(R"(number of failed transactions: ([0-9]+))")))
        r.errors = std::stoull(failed[1]);
    if (r.queries > 0) r.cpu_us_per_query = c.cpu * 1e6 / static_cast<double>(r.queries);
    return r;
}

PeerResult run_python_peer(const PythonPeerTool& tool, const std::string& peer, const std::string& dsn,
                           const Workload& w, int concurrency, int pool, const RunLength& length) {
    PeerResult r;
    r.name = peer;
    bool asyncio = peer == "asyncpg" || peer == "psycopg";
    r.detail = peer == "txpostgres" ? "txpostgres.ConnectionPool, async psycopg2 under Twisted"
               : peer == "adbapi"   ? "twisted adbapi.ConnectionPool, psycopg2 in threads"
               : peer == "asyncpg"  ? "asyncpg pool, statement cache (prepared)"
                                    : "psycopg 3 AsyncConnectionPool, prepare_threshold=0";
    std::string script = tool.script;
    if (asyncio) script = script.substr(0, script.find_last_of('/') + 1) + "asyncio_peer_bench.py";
    if (::access(tool.python.c_str(), X_OK) != 0) {
        r.skipped = "no Python at " + tool.python + " (bench/db_bench makes bench/.venv)";
        return r;
    }
    if (::access(script.c_str(), R_OK) != 0) {
        r.skipped = "no peer script at " + script;
        return r;
    }
    Captured c = run_command(shell_quote(tool.python) + " " + shell_quote(script) + " --peer " + shell_quote(peer) +
                                 peer_args(dsn, w, concurrency, pool, length),
                             time_limit(length, 90));
    return json_peer_result(std::move(r), c);
}

PeerResult run_tokio_peer(const std::string& binary, bool prepared, const std::string& dsn, const Workload& w,
                          int concurrency, int pool, const RunLength& length) {
    PeerResult r;
    r.name = prepared ? "tokio-postgres" : "tokio-postgres unnamed";
    r.detail = prepared ? "tokio-postgres 0.7, current_thread, Client::prepare once per connection, pipelined"
                        : "tokio-postgres 0.7, current_thread, query_typed (unnamed statement each time), pipelined";
    if (binary.empty() || ::access(binary.c_str(), X_OK) != 0) {
        r.skipped = "no tokio_peer binary" + (binary.empty() ? std::string() : " at " + binary) +
                    " (bench/db_bench builds it with cargo; see its log above)";
        return r;
    }
    Captured c = run_command(shell_quote(binary) + " --mode " + (prepared ? "prepared" : "unnamed") +
                                 peer_args(dsn, w, concurrency, pool, length),
                             time_limit(length, 60));
    return json_peer_result(std::move(r), c);
}

}  // namespace pgwamp::bench
