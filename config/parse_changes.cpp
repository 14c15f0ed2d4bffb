#include <algorithm>
#include <regex>

#include "config/parsers.hpp"
#include "config/wamp_uri.hpp"

namespace pgwamp::config::detail {

namespace {

// Slot and publication names: what pg_create_logical_replication_slot accepts
// (lower-case letters, digits, underscore), so they never need quoting.
bool is_slot_name(const std::string& s) {
    static const std::regex pattern("[a-z0-9_]{1,63}");
    return std::regex_match(s, pattern);
}

// A table's schema or name as PostgreSQL stores it (case kept, no quoting rules here).
bool is_identifier(const std::string& s) {
    static const std::regex pattern("[A-Za-z_][A-Za-z0-9_$]{0,62}");
    return std::regex_match(s, pattern);
}

std::string lower_identifier(const Node& node) {
    std::string s = node.string();
    if (!is_slot_name(s)) node.fail("use 1 to 63 lower-case letters, digits or underscores");
    return s;
}

std::optional<std::string> procedure_uri(const Node& node) {
    if (node.json().is_null()) return std::nullopt;
    std::string uri = node.string();
    if (auto problem = wamp_uri_problem(uri)) node.fail("not a valid procedure URI: " + *problem);
    return uri;
}

void parse_operations(const Node& node, ChangeTableConfig& t) {
    node.expect_array();
    t.insert = t.update = t.remove = t.truncate = false;
    if (node.json().empty()) node.fail("list at least one of insert, update, delete, truncate");
    for (std::size_t i = 0; i < node.json().size(); ++i) {
        const Node op = node.element(i);
        const std::string name = op.string();
        if (name == "insert") t.insert = true;
        else if (name == "update") t.update = true;
        else if (name == "delete") t.remove = true;
        else if (name == "truncate") t.truncate = true;
        else op.fail("expected one of insert, update, delete, truncate");
    }
}

ChangeTableConfig parse_table(const Node& node, const std::string& key) {
    ChangeTableConfig t;
    const auto dot = key.find('.');
    if (dot != std::string::npos) {
        t.schema = key.substr(0, dot);
        t.table = key.substr(dot + 1);
    } else {
        t.table = key;
    }
    if (!is_identifier(t.schema) || !is_identifier(t.table))
        node.fail("a table is \"schema.table\" or \"table\", each part a plain identifier (letters, digits, _)");
    Fields f(node, {"topic", "operations", "columns", "audience"});
    const Node topic = f.require("topic");
    t.topic = topic.string();
    if (auto problem = wamp_uri_problem(t.topic)) topic.fail("not a valid topic URI: " + *problem);
    if (auto n = f.get("operations")) parse_operations(*n, t);
    if (auto n = f.get("columns")) {
        n->expect_array();
        std::vector<std::string> columns;
        for (std::size_t i = 0; i < n->json().size(); ++i) {
            const Node column = n->element(i);
            columns.push_back(column.nonempty_string());
        }
        if (columns.empty()) n->fail("list at least one column, or leave \"columns\" out for all");
        t.columns = std::move(columns);
    }
    if (auto n = f.get("audience")) {
        t.audience = parse_audience(*n);
        // The audience is read from the published row (replays judge it again from there).
        for (const auto& name : {t.audience.owner, t.audience.public_flag})
            if (name && t.columns && std::find(t.columns->begin(), t.columns->end(), *name) == t.columns->end())
                n->fail("column \"" + *name + "\" must also be in \"columns\"");
    }
    return t;
}

}  // namespace

ChangesConfig parse_changes(const Node& node) {
    Fields f(node, {"publication", "slot", "history", "max_unacknowledged", "lag_log_interval_ms",
                    "replay_procedure", "status_procedure", "tables"});
    ChangesConfig c;
    if (auto n = f.get("publication")) c.publication = lower_identifier(*n);
    if (auto n = f.get("slot")) c.slot = lower_identifier(*n);
    if (auto n = f.get("history")) c.history = static_cast<std::size_t>(n->integer(1, 1'000'000));
    if (auto n = f.get("max_unacknowledged"))
        c.max_unacknowledged = static_cast<std::size_t>(n->integer(1, 1'000'000));
    if (auto n = f.get("lag_log_interval_ms")) c.lag_log_interval = n->milliseconds(86'400'000);
    if (auto n = f.get("replay_procedure")) c.replay_procedure = procedure_uri(*n);
    if (auto n = f.get("status_procedure")) c.status_procedure = procedure_uri(*n);
    const Node tables = f.require("tables");
    tables.expect_object();
    if (tables.json().empty()) tables.fail("name at least one table");
    for (const auto& [key, value] : tables.json().items()) {
        ChangeTableConfig t = parse_table(tables.entry(key), key);
        const std::string name = t.qualified_name();
        if (c.tables.contains(name)) tables.entry(key).fail("\"" + name + "\" is named twice");
        c.tables.emplace(name, std::move(t));
    }
    return c;
}

}  // namespace pgwamp::config::detail
