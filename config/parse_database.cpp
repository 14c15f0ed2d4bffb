#include "config/conninfo.hpp"
#include "config/names.hpp"
#include "config/parsers.hpp"

namespace pgwamp::config::detail {

namespace {

constexpr std::int64_t one_day_ms = 86'400'000;
constexpr std::int64_t one_hour_ms = 3'600'000;

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
                    "connect_timeout_ms", "reconnect"});
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
    return d;
}

}  // namespace pgwamp::config::detail
