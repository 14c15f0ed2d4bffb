#pragma once
// A live query's predicate with its values bound for one call: the same
// test two ways, which must agree exactly:
//   sql()      the snapshot's WHERE, run by PostgreSQL as the caller, every
//              value a bound parameter;
//   matches()  each streamed row, evaluated here.
// They agree because only comparisons whose meaning is the same in both are
// accepted (check_types(), against the catalog): integers, booleans, and
// text compared byte-wise (COLLATE "C" in the SQL for <, <=, >, >=). A NULL
// on either side makes a comparison false; with AND and OR only (no NOT),
// that is exactly SQL's "unknown is not true".
//
// index_terms(): equalities of which at least one holds for every row the
// predicate matches, so a change is tested only against the live queries
// filed under a value its row has (service/live_index.hpp).

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/value.hpp"
#include "config/config.hpp"

namespace pgwamp::service {

// How a column's values compare, as far as live predicates go.
enum class ColumnFamily { integer, text, boolean, other };
ColumnFamily column_family(const std::string& type_name);  // pg_type.typname

struct LiveCaller {
    std::string authid;
    std::string authrole;
};

class BoundPredicate {
public:
    // `args`: the call's arguments by name, already checked against their
    // declared types (bind_arguments). Throws InvalidArgument for an `in`
    // argument whose elements are not all of `families`' kind for the
    // column, or that has more than 1000 of them.
    static BoundPredicate bind(const config::LivePredicate& predicate, const LiveCaller& caller,
                               const std::map<std::string, Value>& args,
                               const std::map<std::string, ColumnFamily>& families);

    bool matches(const Object& row) const;
    // The WHERE condition, its parameters appended to `params` ($n numbered after those already there).
    std::string sql(std::vector<Value>& params) const;
    // nullopt: some matching row need not satisfy any equality (the query is tested on every change).
    std::optional<std::vector<std::pair<std::string, Value>>> index_terms() const;

private:
    struct Node {
        config::LivePredicate::Kind kind = config::LivePredicate::Kind::all;
        std::vector<Node> terms;
        std::string column;
        config::LiveOp op = config::LiveOp::eq;
        ColumnFamily family = ColumnFamily::other;
        std::vector<Value> values;
    };
    static Node bind_node(const config::LivePredicate& p, const LiveCaller& caller,
                          const std::map<std::string, Value>& args, const std::map<std::string, ColumnFamily>& families);
    static bool matches(const Node& n, const Object& row);
    static std::string sql(const Node& n, std::vector<Value>& params);
    static std::optional<std::vector<std::pair<std::string, Value>>> index_terms(const Node& n);

    Node root_;
};

// Why a declared predicate cannot be followed exactly on a table whose
// columns have these families (nullopt: it can). Checked when the catalog is
// first read; a query that fails is never registered.
std::optional<std::string> check_types(const config::LivePredicate& predicate,
                                       const std::vector<config::ArgConfig>& args,
                                       const std::map<std::string, ColumnFamily>& families);

// A value's index key: equal exactly when SQL equality on its family holds.
std::string index_key(const Value& value);

}  // namespace pgwamp::service
