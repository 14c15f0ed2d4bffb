#include "bench/db/peers.hpp"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

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

}  // namespace

PeerResult run_pgbench(const std::string& dsn, int clients, int seconds) {
    PeerResult r;
    r.name = "pgbench";
    r.detail = "pgbench -c " + std::to_string(clients) + " -j 2 (C, one query at a time per connection)";
    const std::string bin = "/usr/lib/postgresql/15/bin/pgbench";
    if (::access(bin.c_str(), X_OK) != 0) {
        r.skipped = "no " + bin;
        return r;
    }
    std::string script = "/tmp/pgwamp-db-bench-" + std::to_string(::getpid()) + ".sql";
    std::ofstream(script) << "SELECT now();\n";
    Captured c = run_command(bin + " -n -f " + shell_quote(script) + " -c " + std::to_string(clients) + " -j 2 -T " +
                                 std::to_string(seconds) + " " + shell_quote(dsn),
                             seconds + 60);
    std::remove(script.c_str());
    std::smatch tps, n, failed;
    if (c.status != 0 || !std::regex_search(c.out, tps, std::regex(R"(tps = ([0-9.]+))")) ||
        !std::regex_search(c.out, n, std::regex(R"(actually processed: ([0-9]+))"))) {
        r.skipped = failure_reason("pgbench failed", c);
        return r;
    }
    r.qps = std::stod(tps[1]);
    r.queries = std::stoull(n[1]);
    if (std::regex_search(c.out, failed, std::regex(R"(number of failed transactions: ([0-9]+))")))
        r.errors = std::stoull(failed[1]);
    if (r.queries > 0) r.cpu_us_per_query = c.cpu * 1e6 / static_cast<double>(r.queries);
    return r;
}

PeerResult run_python_peer(const PythonPeerTool& tool, const std::string& peer, const std::string& dsn,
                           int concurrency, int pool, int seconds) {
    PeerResult r;
    r.name = peer;
    r.detail = peer == "txpostgres" ? "txpostgres.ConnectionPool, async psycopg2 under Twisted"
                                    : "twisted adbapi.ConnectionPool, psycopg2 in threads";
    if (::access(tool.python.c_str(), X_OK) != 0) {
        r.skipped = "no Python at " + tool.python + " (bench/db_bench makes bench/.venv)";
        return r;
    }
    if (::access(tool.script.c_str(), R_OK) != 0) {
        r.skipped = "no peer script at " + tool.script;
        return r;
    }
    Captured c = run_command(shell_quote(tool.python) + " " + shell_quote(tool.script) + " --peer " +
                                 shell_quote(peer) + " --dsn " + shell_quote(dsn) + " --concurrency " +
                                 std::to_string(concurrency) + " --pool " + std::to_string(pool) + " --seconds " +
                                 std::to_string(seconds),
                             seconds + 90);
    // The script prints one JSON object as its last stdout line.
    auto end = c.out.find_last_not_of("\n ");
    auto begin = end == std::string::npos ? std::string::npos : c.out.rfind('\n', end);
    std::string last = end == std::string::npos ? "" : c.out.substr(begin == std::string::npos ? 0 : begin + 1);
    auto j = nlohmann::json::parse(last, nullptr, false);
    if (c.status != 0 || !j.is_object()) {
        r.skipped = failure_reason(peer + " peer failed", c);
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
        r.skipped = peer + " peer printed an unexpected result: " + last;
    }
    return r;
}

}  // namespace pgwamp::bench
