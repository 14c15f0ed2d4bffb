#pragma once
// A finished statement's result as Values: the columns, the rows cast through
// a TypeRegistry, and the affected-row count. Built in one pass from the
// PGresult so the PGresult can be freed right after (make_result, in the
// private pg/pg_result.hpp: this header is public and stays free of libpq).

#include <cstdint>
#include <string>
#include <vector>

#include "common/value.hpp"
#include "pg/type_registry.hpp"

namespace pgwamp::db {

struct Column {
    std::string name;
    Oid type;  // db::Oid (type_registry.hpp), the same integer as libpq's
};

struct Result {
    std::vector<Column> columns;
    std::vector<std::vector<Value>> rows;
    // PQcmdTuples: rows inserted/updated/deleted/selected; 0 for other commands.
    std::uint64_t affected_rows = 0;

    // [[v, v], ...]
    Array rows_as_tuples() const&;
    // [{"col": v, ...}, ...] in column order, the dict-cursor idea. Like a
    // dict, a repeated column name keeps its first position and last value.
    Array rows_as_maps() const&;
    // The same, moving the values out instead of copying them, for a Result
    // that is about to be dropped: std::move(result).rows_as_maps().
    Array rows_as_tuples() &&;
    Array rows_as_maps() &&;
};

}  // namespace pgwamp::db
