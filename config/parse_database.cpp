#include <regex>

#include "config/conninfo.hpp"
#include "config/names.hpp"
#include "config/parsers.hpp"

namespace pgwamp::config::detail {

namespace {

constexpr std::int64_t one_day_ms = 86'400'000;
constexpr std::int64_t one_hour_ms = 3'600'000;
constexpr std::size_t max_replicas = 16;

// A standby's name appears in logs, /metrics labels, /ready and the health
// view, so it is kept to characters none of them need to quote.
bool is_replica_name(const std::string& s) {
    static const std::regex pattern("[a-z0-9_-]{1,63}");
    return std::regex_match(s, pattern);
}

ReplicaConfig parse_replica(const Node& node, std::size_t index) {
    Fields f(node, {"name", "conninfo", "password_env", "password_file", "pool"});
    ReplicaConfig r;
    if (auto n = f.get("name")) {
        r.name = n->string();
        if (!is_replica_name(r.name)) n->fail("use 1 to 63 lower-case letters, digits, '_' or '-'");
    } else {
        r.name = "replica" + std::to_string(index + 1);
    }
    // Required and not empty: an empty conninfo would mean libpq's PG*
    // variables, which name the primary.
    const Node conninfo = f.require("conninfo");
    r.conninfo = conninfo.nonempty_string();
    if (auto problem = conninfo_problem(r.conninfo)) conninfo.fail(*problem);
    r.password_source = parse_secret_source(f, "password_env", "password_file");
    if (auto n = f.get("pool")) r.pool = parse_pool(*n);
    return r;
}

std::vector<ReplicaConfig> parse_replicas(const Node& node) {
    node.expect_array();
    const std::size_t count = node.json().size();
    if (count == 0) node.fail("list at least one standby, or leave \"replicas\" out (every call then runs on the primary)");
    if (count > max_replicas)
        node.fail("at most " + std::to_string(max_replicas) + " standbys, found " + std::to_string(count));
    std::vector<ReplicaConfig> replicas;
    for (std::size_t i = 0; i < count; ++i) {
        const Node element = node.element(i);
        ReplicaConfig r = parse_replica(element, i);
        for (std::size_t j = 0; j < replicas.size(); ++j) {
            if (replicas[j].name != r.name) continue;
            std::string other = node.path() + "[" + std::to_string(j) + "]";
            if (!node.json()[j].contains("name")) other += " (its default name, by position)";
            if (element.json().contains("name"))
                throw ConfigError(node.source().file, element.child_path_field("name"),
                                  "duplicate standby name \"" + r.name + "\": " + other + " has it too");
            element.fail("its default name \"" + r.name + "\" is taken by " + other + ": give it a \"name\"");
        }
        replicas.push_back(std::move(r));
    }
    return replicas;
}

ReplicaRoutingConfig parse_replica_routing(const Node& node) {
    Fields f(node, {"max_wait_ms", "max_lag_ms", "poll_interval_ms"});
    ReplicaRoutingConfig r;
    if (auto n = f.get("max_wait_ms")) r.max_wait = n->milliseconds(60'000);
    if (auto n = f.get("max_lag_ms")) r.max_lag = Milliseconds(n->integer(1, one_hour_ms));
    if (auto n = f.get("poll_interval_ms")) r.poll_interval = Milliseconds(n->integer(10, 10'000));
    return r;
}

}  // namespace

PoolConfig parse_pool(const Node& node, PoolConfig p) {
    Fields f(node, {"min", "max", "queue", "idle_timeout_ms"});
    if (auto n = f.get("max")) p.max = static_cast<std::size_t>(n->integer(1, 1000));
    if (auto n = f.get("min")) {
        p.min = static_cast<std::size_t>(n->integer(0, 1000));
        if (p.min > p.max) n->fail("expected at most max (" + std::to_string(p.max) + ")");
    } else if (p.min > p.max) {
        p.min = p.max;
    }
    if (auto n = f.get("queue")) p.queue = static_cast<std::size_t>(n->integer(0, 1'000'000));
    if (auto n = f.get("idle_timeout_ms")) p.idle_timeout = n->milliseconds(one_day_ms);
    return p;
}

DatabaseConfig parse_database(const Node& node) {
    Fields f(node, {"conninfo", "password_env", "password_file", "pool", "statement_timeout_ms", "sql_error_text",
                    "connect_timeout_ms", "reconnect", "replicas", "replica_routing"});
    DatabaseConfig d;
    if (auto n = f.get("conninfo")) {
        std::string conninfo = n->string();
        if (auto problem = conninfo_problem(conninfo)) n->fail(*problem);
        d.conninfo = std::move(conninfo);
    }
    d.password_source = parse_secret_source(f, "password_env", "password_file");
    if (auto n = f.get("pool")) d.pool = parse_pool(*n);
    if (auto n = f.get("statement_timeout_ms")) d.statement_timeout = n->milliseconds(one_day_ms);
    if (auto n = f.get("sql_error_text")) d.sql_error_text = n->choice<SqlErrorText>(sql_error_texts);
    if (auto n = f.get("connect_timeout_ms")) d.connect_timeout = Milliseconds(n->integer(1, one_hour_ms));
    if (auto n = f.get("reconnect")) d.reconnect = parse_backoff(*n);
    if (auto n = f.get("replicas")) d.replicas = parse_replicas(*n);
    if (auto n = f.get("replica_routing")) {
        if (d.replicas.empty())
            n->fail("only used with \"replicas\" (it chooses between the standbys and the primary): "
                    "list the standbys under database.replicas, or leave it out");
        d.replica_routing = parse_replica_routing(*n);
    }
    return d;
}

}  // namespace pgwamp::config::detail
