// The "live" section: declared live queries (config/config.hpp LiveConfig).
// Cross-checks against changes.tables and identity are in load.cpp.

#include <regex>

#include "config/parsers.hpp"
#include "config/wamp_uri.hpp"

namespace pgwamp::config::detail {

namespace {

bool is_column_name(const std::string& s) {
    static const std::regex pattern("[A-Za-z_][A-Za-z0-9_$]{0,62}");
    return std::regex_match(s, pattern);
}

std::string column_name(const Node& node, const std::string& name) {
    if (!is_column_name(name)) node.fail("\"" + name + "\" is not a plain column name (letters, digits, _)");
    return name;
}

const std::vector<std::pair<std::string_view, LiveOp>> operators{{"=", LiveOp::eq},  {"<>", LiveOp::ne},
                                                                  {"!=", LiveOp::ne}, {"<", LiveOp::lt},
                                                                  {"<=", LiveOp::le}, {">", LiveOp::gt},
                                                                  {">=", LiveOp::ge}, {"in", LiveOp::in}};

constexpr const char* value_forms =
    "a string, an integer, true/false, {\"caller\": \"authid\"}, {\"caller\": \"authrole\"} or {\"arg\": name}";

LiveValue parse_value(const Node& node, const std::vector<ArgConfig>& args) {
    const auto& j = node.json();
    LiveValue v;
    if (j.is_string() || j.is_boolean() || j.is_number_integer()) {
        v.literal = j;
        return v;
    }
    if (j.is_null()) node.fail("a comparison with null is never true in SQL; leave the row out another way");
    if (!j.is_object()) node.fail_expected(value_forms);
    if (j.size() != 1) node.fail_expected(value_forms);
    if (j.contains("caller")) {
        const Node who = node.entry("caller");
        const std::string s = who.string();
        if (s == "authid") v.kind = LiveValue::Kind::caller_authid;
        else if (s == "authrole") v.kind = LiveValue::Kind::caller_authrole;
        else who.fail_expected("\"authid\" or \"authrole\"");
        return v;
    }
    if (j.contains("arg")) {
        const Node name = node.entry("arg");
        v.kind = LiveValue::Kind::argument;
        v.argument = name.string();
        if (std::none_of(args.begin(), args.end(), [&](const ArgConfig& a) { return a.name == v.argument; }))
            name.fail("\"" + v.argument + "\" is not one of the query's \"args\"");
        return v;
    }
    node.fail_expected(value_forms);
}

LivePredicate parse_predicate(const Node& node, const std::vector<ArgConfig>& args, int depth) {
    if (depth > 16) node.fail("nested deeper than 16 levels");
    node.expect_object();
    const auto& j = node.json();
    if (j.size() != 1)
        node.fail_expected("one key: \"and\", \"or\", or a column name with its comparisons");
    const std::string key = j.begin().key();
    LivePredicate p;
    if (key == "and" || key == "or") {
        p.kind = key == "and" ? LivePredicate::Kind::all : LivePredicate::Kind::any;
        const Node list = node.entry(key);
        list.expect_array();
        if (list.json().empty()) list.fail("list at least one condition");
        for (std::size_t i = 0; i < list.json().size(); ++i)
            p.terms.push_back(parse_predicate(list.element(i), args, depth + 1));
        return p;
    }
    const Node comparisons = node.entry(key);
    const std::string column = column_name(node, key);
    comparisons.expect_object();
    if (comparisons.json().empty()) comparisons.fail("give at least one comparison, e.g. {\"=\": value}");
    std::vector<LivePredicate> each;
    for (const auto& item : comparisons.json().items()) {
        const std::string op_name = item.key();  // not a structured binding: clang 14 cannot capture one
        const auto& value = item.value();
        const Node value_node = comparisons.entry(op_name);
        LivePredicate c;
        c.kind = LivePredicate::Kind::compare;
        c.column = column;
        const auto op = std::find_if(operators.begin(), operators.end(),
                                     [&](const auto& o) { return o.first == op_name; });
        if (op == operators.end())
            value_node.fail("unknown comparison \"" + op_name + "\": use =, <>, <, <=, >, >= or in");
        c.op = op->second;
        if (c.op == LiveOp::in && value.is_array()) {
            if (value.empty()) value_node.fail("list at least one value");
            for (std::size_t i = 0; i < value.size(); ++i) c.values.push_back(parse_value(value_node.element(i), args));
        } else {
            c.values.push_back(parse_value(value_node, args));
            if (c.op == LiveOp::in) {
                const auto& v = c.values.front();
                const auto arg = std::find_if(args.begin(), args.end(),
                                              [&](const ArgConfig& a) { return a.name == v.argument; });
                if (v.kind != LiveValue::Kind::argument || arg->type != ArgType::array)
                    value_node.fail_expected("a list of values, or {\"arg\": name} of an argument of type \"array\"");
            }
        }
        each.push_back(std::move(c));
    }
    if (each.size() == 1) return std::move(each.front());
    p.kind = LivePredicate::Kind::all;
    p.terms = std::move(each);
    return p;
}

LiveQueryConfig parse_query(const Node& node, const std::string& uri) {
    if (auto problem = wamp_uri_problem(uri)) node.fail("not a valid procedure URI: " + *problem);
    Fields f(node, {"table", "columns", "where", "args", "roles"});
    LiveQueryConfig q;
    q.uri = uri;
    const Node table = f.require("table");
    q.table = table.nonempty_string();
    if (q.table.find('.') == std::string::npos) q.table = "public." + q.table;
    if (auto n = f.get("args")) q.args = parse_args(*n);
    for (const auto& a : q.args)
        if (a.name == "handle" || a.name == "after")
            f.node().fail("\"" + a.name + "\" is the resume keyword of every live query; name the argument otherwise");
    const Node columns = f.require("columns");
    columns.expect_array();
    for (std::size_t i = 0; i < columns.json().size(); ++i) {
        const Node c = columns.element(i);
        const std::string name = column_name(c, c.nonempty_string());
        if (std::find(q.columns.begin(), q.columns.end(), name) != q.columns.end()) c.fail("named twice");
        q.columns.push_back(name);
    }
    if (q.columns.empty()) columns.fail("list at least one column");
    if (auto n = f.get("where")) q.where = parse_predicate(*n, q.args, 0);
    if (auto n = f.get("roles")) q.roles = parse_roles(*n);
    return q;
}

}  // namespace

LiveConfig parse_live(const Node& node) {
    Fields f(node, {"max_calls", "max_calls_per_session", "max_calls_per_address", "max_pending_changes", "handles",
                    "chunk_rows", "queries"});
    LiveConfig c;
    if (auto n = f.get("max_calls")) c.max_calls = static_cast<std::size_t>(n->integer(1, 1'000'000));
    if (auto n = f.get("max_calls_per_session"))
        c.max_calls_per_session = static_cast<std::size_t>(n->integer(1, 1'000'000));
    if (auto n = f.get("max_calls_per_address"))
        c.max_calls_per_address = static_cast<std::size_t>(n->integer(1, 1'000'000));
    if (auto n = f.get("max_pending_changes"))
        c.max_pending_changes = static_cast<std::size_t>(n->integer(1, 10'000'000));
    if (auto n = f.get("handles")) c.handles = static_cast<std::size_t>(n->integer(1, 10'000'000));
    if (auto n = f.get("chunk_rows")) c.chunk_rows = static_cast<std::size_t>(n->integer(1, 100'000));
    const Node queries = f.require("queries");
    queries.expect_object();
    if (queries.json().empty()) queries.fail("declare at least one live query");
    for (const auto& [uri, value] : queries.json().items()) c.queries.emplace(uri, parse_query(queries.entry(uri), uri));
    return c;
}

// The columns a predicate compares, each once, in order of appearance.
void predicate_columns(const LivePredicate& p, std::vector<std::string>& out) {
    if (p.kind == LivePredicate::Kind::compare) {
        if (std::find(out.begin(), out.end(), p.column) == out.end()) out.push_back(p.column);
        return;
    }
    for (const auto& t : p.terms) predicate_columns(t, out);
}

}  // namespace pgwamp::config::detail
