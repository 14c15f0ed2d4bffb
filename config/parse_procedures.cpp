#include <algorithm>
#include <cctype>

#include "config/names.hpp"
#include "config/parsers.hpp"
#include "config/sql_placeholders.hpp"
#include "config/wamp_uri.hpp"

namespace pgwamp::config::detail {

namespace {

constexpr std::int64_t one_day_ms = 86'400'000;

bool is_arg_name(const std::string& s) {
    return !s.empty() && !std::isdigit(static_cast<unsigned char>(s[0])) &&
           std::all_of(s.begin(), s.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

std::string bound_phrase(std::size_t n) {
    return n == 1 ? "1 argument is bound" : std::to_string(n) + " arguments are bound";
}

ArgConfig parse_arg(const Node& node) {
    ArgConfig a;
    std::optional<Node> name_node;
    if (node.json().is_string()) {
        name_node = node;  // shorthand: "limit" is {"name": "limit"}
    } else {
        if (!node.json().is_object())
            node.fail_expected("an argument name or an object {\"name\": ..., \"type\": ..., \"default\": ...}");
        Fields f(node, {"name", "type", "default", "required", "min", "max", "min_length", "max_length"});
        name_node = f.require("name");
        if (auto n = f.get("type")) a.type = n->choice<ArgType>(arg_types);
        if (auto n = f.get("default")) {
            if (!arg_type_accepts(a.type, n->json()))
                n->fail_expected("a default of type \"" + std::string(to_string(a.type)) + "\"");
            a.default_value = n->json();
            a.required = false;
        }
        if (auto n = f.get("required")) {
            const bool required = n->boolean();
            if (required && a.default_value) n->fail("an argument with a default is never required");
            a.required = required;
        }
        for (const char* key : {"min", "max"}) {
            auto n = f.get(key);
            if (!n) continue;
            if (a.type != ArgType::integer && a.type != ArgType::number)
                n->fail("only an \"int\" or \"number\" argument has bounds");
            (std::string_view(key) == "min" ? a.min : a.max) = n->number(-9.0e15, 9.0e15);
        }
        if (a.min && a.max && *a.min > *a.max) node.fail("\"min\" is larger than \"max\"");
        for (const char* key : {"min_length", "max_length"}) {
            auto n = f.get(key);
            if (!n) continue;
            if (a.type != ArgType::string) n->fail("only a \"string\" argument has a length");
            (std::string_view(key) == "min_length" ? a.min_length : a.max_length) =
                static_cast<std::size_t>(n->integer(0, 100'000'000));
        }
        if (a.min_length && a.max_length && *a.min_length > *a.max_length)
            node.fail("\"min_length\" is larger than \"max_length\"");
    }
    a.name = name_node->string();
    if (!is_arg_name(a.name))
        name_node->fail("expected an argument name made of letters, digits and '_', not starting with a digit");
    return a;
}


// Every $1..$n must be bound, and only those: PostgreSQL refuses a statement
// whose parameter count differs from what we send, and an unused argument is
// almost always a mistake in the SQL.
void check_placeholders(const Node& sql_node, const std::string& sql, std::size_t bound) {
    const PlaceholderScan scan = scan_placeholders(sql);
    if (scan.error) sql_node.fail(*scan.error);
    for (const unsigned n : scan.numbers)
        if (n > bound)
            sql_node.fail("uses $" + std::to_string(n) + " but only " + bound_phrase(bound) +
                          " (placeholders count from $1)");
    for (std::size_t k = 1; k <= bound; ++k)
        if (!std::binary_search(scan.numbers.begin(), scan.numbers.end(), static_cast<unsigned>(k)))
            sql_node.fail(bound_phrase(bound) + " but $" + std::to_string(k) +
                          " does not appear in the SQL (placeholders inside quotes or comments do not count)");
}

StatementConfig parse_statement(const Node& node, const std::vector<ArgConfig>& args,
                                std::vector<bool>& used) {
    StatementConfig st;
    if (node.json().is_string()) {  // a statement that binds nothing
        st.sql = node.nonempty_string();
        check_placeholders(node, st.sql, 0);
        return st;
    }
    if (!node.json().is_object())
        node.fail_expected("a statement: a SQL string or {\"sql\": ..., \"args\": [names]}");
    Fields f(node, {"sql", "args"});
    const Node sql = f.require("sql");
    st.sql = sql.nonempty_string();
    if (auto names = f.get("args")) {
        names->expect_array();
        for (std::size_t i = 0; i < names->json().size(); ++i) {
            const Node name = names->element(i);
            const std::string s = name.string();
            const auto it = std::find_if(args.begin(), args.end(), [&](const ArgConfig& a) { return a.name == s; });
            if (it == args.end())
                name.fail("\"" + s.substr(0, 64) + "\" is not one of the procedure's args");
            const auto index = static_cast<std::size_t>(it - args.begin());
            st.params.push_back(index);
            used[index] = true;
        }
    }
    check_placeholders(sql, st.sql, st.params.size());
    return st;
}

void parse_statements(const Fields& f, ProcedureConfig& p) {
    const Node sql = f.require("sql");
    if (p.mode != Mode::interaction) {
        if (!sql.json().is_string())
            sql.fail_expected("one SQL statement as a string (a list of statements needs mode \"interaction\")");
        StatementConfig st{sql.nonempty_string(), {}};
        for (std::size_t i = 0; i < p.args.size(); ++i) st.params.push_back(i);
        check_placeholders(sql, st.sql, st.params.size());
        p.statements.push_back(std::move(st));
        return;
    }
    if (!sql.json().is_array() || sql.json().empty())
        sql.fail_expected("a non-empty list of statements for mode \"interaction\"");
    std::vector<bool> used(p.args.size(), false);
    for (std::size_t i = 0; i < sql.json().size(); ++i)
        p.statements.push_back(parse_statement(sql.element(i), p.args, used));
    for (std::size_t i = 0; i < used.size(); ++i)
        if (!used[i])
            throw ConfigError(sql.source().file, f.node().child_path_field("args") + "[" + std::to_string(i) + "]",
                              "argument \"" + p.args[i].name + "\" is not bound by any statement");
}

ProcedureConfig parse_procedure(const Node& node, const std::string& uri) {
    Fields f(node, {"mode", "sql", "args", "rows", "single", "timeout_ms", "max_rows", "stream_max_rows", "roles",
                    "as_caller", "prepare", "pool", "sql_error_text", "read_only"});
    ProcedureConfig p;
    p.uri = uri;
    if (auto n = f.get("mode")) p.mode = n->choice<Mode>(modes);
    if (auto n = f.get("args")) p.args = parse_args(*n);
    parse_statements(f, p);

    if (p.mode == Mode::operation) {
        for (const char* key : {"rows", "single", "max_rows"})
            if (auto n = f.get(key)) n->fail("not used with mode \"operation\" (it returns no rows)");
    }
    if (auto n = f.get("rows")) p.rows = n->choice<RowFormat>(row_formats);
    if (auto n = f.get("single")) {
        if (n->json().is_boolean() && !n->json().get<bool>()) p.single = Single::none;
        else if (n->json().is_string()) p.single = n->choice<Single>(singles);
        else n->fail_expected("false, \"row\" (the first row) or \"value\" (its first column)");
    }
    // No 0 here: a zero per-call timeout means "the pool's default" to db/,
    // so "no deadline" is only database.statement_timeout_ms = 0.
    if (auto n = f.get("timeout_ms")) p.timeout = Milliseconds(n->integer(1, one_day_ms));
    if (auto n = f.get("max_rows")) {
        if (p.single != Single::none) n->fail("not used with \"single\" (which allows one row)");
        p.max_rows = static_cast<std::size_t>(n->integer(1, 10'000'000));
    }
    if (p.single != Single::none) p.max_rows = 1;
    if (auto n = f.get("prepare")) {
        if (!n->json().is_boolean()) n->fail_expected("true or false");
        p.prepare = n->json().get<bool>();
    }
    if (auto n = f.get("stream_max_rows")) {
        if (p.mode != Mode::query || p.single != Single::none)
            n->fail("only a \"query\" returning rows (no \"single\") streams");
        p.stream_max_rows = static_cast<std::size_t>(n->integer(1, 1'000'000'000));
    }
    if (auto n = f.get("roles")) p.roles = parse_roles(*n);
    if (auto n = f.get("as_caller")) p.as_caller = n->boolean();
    if (auto n = f.get("sql_error_text")) p.sql_error_text = n->choice<SqlErrorText>(sql_error_texts);
    if (auto n = f.get("pool")) {
        const std::string pool = n->nonempty_string();
        if (pool != "main" && pool != "login") n->fail_expected("\"main\" or \"login\" (identity.login's pool)");
        p.login_pool = pool == "login";
    }
    if (auto n = f.get("read_only")) {
        p.read_only = n->boolean();
        // The login pool is for sign-up, which writes (a new user); its
        // calls never go to a standby, and a read-only transaction would
        // make every one of them fail.
        if (p.read_only && p.login_pool)
            n->fail("a procedure on the login pool (\"pool\": \"login\", as sign-up) writes; "
                    "read_only procedures run on the main pool or a standby: drop one of the two");
    }
    return p;
}

}  // namespace

std::vector<ArgConfig> parse_args(const Node& node) {
    node.expect_array();
    std::vector<ArgConfig> args;
    for (std::size_t i = 0; i < node.json().size(); ++i) {
        const Node element = node.element(i);
        ArgConfig a = parse_arg(element);
        for (const auto& earlier : args)
            if (earlier.name == a.name) element.fail("duplicate argument name \"" + a.name + "\"");
        args.push_back(std::move(a));
    }
    return args;
}

std::vector<std::string> parse_roles(const Node& node) {
    node.expect_array();
    std::vector<std::string> roles;
    for (std::size_t i = 0; i < node.json().size(); ++i) roles.push_back(node.element(i).nonempty_string());
    if (roles.empty()) node.fail("list at least one WAMP role, or leave it out for any caller");
    return roles;
}

std::map<std::string, ProcedureConfig> parse_procedures(const Node& node) {
    node.expect_object();
    std::map<std::string, ProcedureConfig> out;
    for (const auto& [uri, value] : node.json().items()) {
        const Node entry = node.entry(uri);
        if (auto problem = wamp_uri_problem(uri)) entry.fail("not a valid procedure URI: " + *problem);
        out.emplace(uri, parse_procedure(entry, uri));
    }
    return out;
}

}  // namespace pgwamp::config::detail
