#include "service/live_predicate.hpp"

#include <algorithm>

#include "pg/identifier.hpp"
#include "service/call_arguments.hpp"
#include "service/error_mapping.hpp"

namespace pgwamp::service {

namespace {

using Kind = config::LivePredicate::Kind;
using config::LiveOp;
using config::LiveValue;

constexpr std::size_t max_in_values = 1000;

const char* op_sql(LiveOp op) {
    switch (op) {
        case LiveOp::eq: return "=";
        case LiveOp::ne: return "<>";
        case LiveOp::lt: return "<";
        case LiveOp::le: return "<=";
        case LiveOp::gt: return ">";
        case LiveOp::ge: return ">=";
        case LiveOp::in: return "IN";
    }
    return "=";
}

bool of_family(const Value& v, ColumnFamily family) {
    switch (family) {
        case ColumnFamily::integer: return v.is<std::int64_t>();
        case ColumnFamily::text: return v.is<std::string>();
        case ColumnFamily::boolean: return v.is<bool>();
        case ColumnFamily::other: return false;
    }
    return false;
}

// -1, 0, 1; nullopt when either side is NULL or they are not comparable.
std::optional<int> compare(const Value& a, const Value& b) {
    if (a.is<std::int64_t>() && b.is<std::int64_t>()) {
        const auto x = a.as<std::int64_t>(), y = b.as<std::int64_t>();
        return x < y ? -1 : (x > y ? 1 : 0);
    }
    if (a.is<std::string>() && b.is<std::string>()) {
        const int c = a.as<std::string>().compare(b.as<std::string>());  // byte-wise: COLLATE "C"
        return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    if (a.is<bool>() && b.is<bool>()) return static_cast<int>(a.as<bool>()) - static_cast<int>(b.as<bool>());
    return std::nullopt;
}

bool holds(LiveOp op, int c) {
    switch (op) {
        case LiveOp::eq:
        case LiveOp::in: return c == 0;
        case LiveOp::ne: return c != 0;
        case LiveOp::lt: return c < 0;
        case LiveOp::le: return c <= 0;
        case LiveOp::gt: return c > 0;
        case LiveOp::ge: return c >= 0;
    }
    return false;
}

ColumnFamily family_of_arg(config::ArgType type) {
    switch (type) {
        case config::ArgType::integer: return ColumnFamily::integer;
        case config::ArgType::string: return ColumnFamily::text;
        case config::ArgType::boolean: return ColumnFamily::boolean;
        default: return ColumnFamily::other;
    }
}

const char* family_name(ColumnFamily f) {
    switch (f) {
        case ColumnFamily::integer: return "an integer";
        case ColumnFamily::text: return "a text";
        case ColumnFamily::boolean: return "a boolean";
        case ColumnFamily::other: return "another";
    }
    return "another";
}

const char* family_word(ColumnFamily f) {
    switch (f) {
        case ColumnFamily::integer: return "integer";
        case ColumnFamily::text: return "string";
        case ColumnFamily::boolean: return "boolean";
        case ColumnFamily::other: return "other";
    }
    return "other";
}

std::optional<std::string> check_node(const config::LivePredicate& p, const std::vector<config::ArgConfig>& args,
                                      const std::map<std::string, ColumnFamily>& families) {
    if (p.kind != Kind::compare) {
        for (const auto& t : p.terms)
            if (auto problem = check_node(t, args, families)) return problem;
        return std::nullopt;
    }
    const auto found = families.find(p.column);
    if (found == families.end()) return "column \"" + p.column + "\" does not exist";
    const ColumnFamily family = found->second;
    if (family == ColumnFamily::other)
        return "column \"" + p.column +
               "\" is not an integer, text or boolean column: its comparisons could differ between PostgreSQL and "
               "pgwamp";
    for (const auto& v : p.values) {
        ColumnFamily given = ColumnFamily::other;
        std::string what;
        switch (v.kind) {
            case LiveValue::Kind::literal:
                given = v.literal.is_number_integer() ? ColumnFamily::integer
                        : v.literal.is_string()       ? ColumnFamily::text
                                                      : ColumnFamily::boolean;
                what = "the value " + v.literal.dump();
                break;
            case LiveValue::Kind::caller_authid:
            case LiveValue::Kind::caller_authrole:
                given = ColumnFamily::text;
                what = "the caller's " + std::string(v.kind == LiveValue::Kind::caller_authid ? "authid" : "authrole");
                break;
            case LiveValue::Kind::argument: {
                const auto arg = std::find_if(args.begin(), args.end(),
                                              [&](const config::ArgConfig& a) { return a.name == v.argument; });
                if (arg == args.end()) return "argument \"" + v.argument + "\" is not declared";
                // An `in` array's elements are checked per call.
                if (p.op == LiveOp::in && arg->type == config::ArgType::array) continue;
                given = family_of_arg(arg->type);
                what = "argument \"" + v.argument + "\" (type \"" + std::string(config::to_string(arg->type)) + "\")";
                break;
            }
        }
        if (given != family)
            return "column \"" + p.column + "\" is " + family_name(family) + " column, compared with " + what;
    }
    return std::nullopt;
}

}  // namespace

ColumnFamily column_family(const std::string& type_name) {
    if (type_name == "int2" || type_name == "int4" || type_name == "int8") return ColumnFamily::integer;
    if (type_name == "text" || type_name == "varchar") return ColumnFamily::text;
    if (type_name == "bool") return ColumnFamily::boolean;
    return ColumnFamily::other;
}

std::optional<std::string> check_types(const config::LivePredicate& predicate,
                                       const std::vector<config::ArgConfig>& args,
                                       const std::map<std::string, ColumnFamily>& families) {
    return check_node(predicate, args, families);
}

std::string index_key(const Value& value) {
    if (value.is<std::int64_t>()) return "i" + std::to_string(value.as<std::int64_t>());
    if (value.is<bool>()) return value.as<bool>() ? "b1" : "b0";
    if (value.is<std::string>()) return "s" + value.as<std::string>();
    return {};  // never an index key: NULL and the rest match no equality here
}

BoundPredicate BoundPredicate::bind(const config::LivePredicate& predicate, const LiveCaller& caller,
                                    const std::map<std::string, Value>& args,
                                    const std::map<std::string, ColumnFamily>& families) {
    BoundPredicate b;
    b.root_ = bind_node(predicate, caller, args, families);
    return b;
}

BoundPredicate::Node BoundPredicate::bind_node(const config::LivePredicate& p, const LiveCaller& caller,
                                               const std::map<std::string, Value>& args,
                                               const std::map<std::string, ColumnFamily>& families) {
    Node n;
    n.kind = p.kind;
    if (p.kind != Kind::compare) {
        for (const auto& t : p.terms) n.terms.push_back(bind_node(t, caller, args, families));
        return n;
    }
    n.column = p.column;
    n.op = p.op;
    const auto family = families.find(p.column);
    n.family = family == families.end() ? ColumnFamily::other : family->second;
    for (const auto& v : p.values) {
        switch (v.kind) {
            case LiveValue::Kind::literal: n.values.push_back(value_from_json(v.literal)); break;
            case LiveValue::Kind::caller_authid: n.values.emplace_back(caller.authid); break;
            case LiveValue::Kind::caller_authrole: n.values.emplace_back(caller.authrole); break;
            case LiveValue::Kind::argument: {
                const auto a = args.find(v.argument);
                const Value value = a == args.end() ? Value() : a->second;
                if (p.op != LiveOp::in || !value.is<Array>()) {
                    n.values.push_back(value);
                    break;
                }
                const auto& list = value.as<Array>();
                if (list.size() > max_in_values)
                    throw InvalidArgument("argument \"" + v.argument + "\" has " + std::to_string(list.size()) +
                                          " values; at most " + std::to_string(max_in_values));
                for (const auto& element : list) {
                    if (!element.is_null() && !of_family(element, n.family))
                        throw InvalidArgument("argument \"" + v.argument + "\" must list " + family_word(n.family) +
                                          " values for column \"" + p.column + "\", not " +
                                          std::string(type_name(element)));
                    n.values.push_back(element);
                }
                break;
            }
        }
    }
    return n;
}

bool BoundPredicate::matches(const Object& row) const { return matches(root_, row); }

bool BoundPredicate::matches(const Node& n, const Object& row) {
    switch (n.kind) {
        case Kind::all:
            return std::all_of(n.terms.begin(), n.terms.end(), [&](const Node& t) { return matches(t, row); });
        case Kind::any:
            return std::any_of(n.terms.begin(), n.terms.end(), [&](const Node& t) { return matches(t, row); });
        case Kind::compare: break;
    }
    const Value* column = find_field(row, n.column);
    if (!column) return false;
    for (const auto& v : n.values) {
        const auto c = compare(*column, v);
        if (!c) continue;  // NULL: unknown, never true
        if (holds(n.op, *c)) return true;  // `in`: any value; the others have one
    }
    return false;
}

std::string BoundPredicate::sql(std::vector<Value>& params) const { return sql(root_, params); }

std::string BoundPredicate::sql(const Node& n, std::vector<Value>& params) {
    if (n.kind != Kind::compare) {
        if (n.terms.empty()) return "true";
        std::string out = "(";
        for (std::size_t i = 0; i < n.terms.size(); ++i) {
            if (i) out += n.kind == Kind::all ? " AND " : " OR ";
            out += sql(n.terms[i], params);
        }
        return out + ")";
    }
    if (n.values.empty()) return "false";  // `in` an empty list
    // Byte order for text, as matches() compares.
    const bool ordering = n.op != LiveOp::eq && n.op != LiveOp::ne && n.op != LiveOp::in;
    std::string out = db::quote_identifier(n.column) + (ordering && n.family == ColumnFamily::text ? " COLLATE \"C\" " : " ");
    auto placeholder = [&](const Value& v) {
        params.push_back(v);
        return "$" + std::to_string(params.size());
    };
    if (n.op != LiveOp::in) return out + op_sql(n.op) + " " + placeholder(n.values.front());
    out += "IN (";
    for (std::size_t i = 0; i < n.values.size(); ++i) out += (i ? ", " : "") + placeholder(n.values[i]);
    return out + ")";
}

std::optional<std::vector<std::pair<std::string, Value>>> BoundPredicate::index_terms() const {
    return index_terms(root_);
}

std::optional<std::vector<std::pair<std::string, Value>>> BoundPredicate::index_terms(const Node& n) {
    using Terms = std::vector<std::pair<std::string, Value>>;
    switch (n.kind) {
        case Kind::compare: {
            if (n.op != LiveOp::eq && n.op != LiveOp::in) return std::nullopt;
            Terms terms;
            for (const auto& v : n.values)
                if (!index_key(v).empty()) terms.emplace_back(n.column, v);  // a NULL matches nothing
            return terms;
        }
        case Kind::all: {
            // Any one term that must hold will do: the narrowest.
            std::optional<Terms> best;
            for (const auto& t : n.terms) {
                auto terms = index_terms(t);
                if (terms && (!best || terms->size() < best->size())) best = std::move(terms);
            }
            return best;
        }
        case Kind::any: {
            Terms all;
            for (const auto& t : n.terms) {
                auto terms = index_terms(t);
                if (!terms) return std::nullopt;
                all.insert(all.end(), terms->begin(), terms->end());
            }
            return all;
        }
    }
    return std::nullopt;
}

}  // namespace pgwamp::service
