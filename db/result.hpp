#pragma once
// A finished statement's result as Values: the columns, the rows cast through
// a TypeRegistry, and the affected-row count. Built in one pass from the
// PGresult so the PGresult can be freed right after.

#include <libpq-fe.h>

#include <cstdint>
#include <string>
#include <vector>

#include "db/type_registry.hpp"
#include "db/value.hpp"

namespace pgwamp::db {

struct Column {
    std::string name;
    Oid type;
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

// Accepts PGRES_TUPLES_OK, PGRES_SINGLE_TUPLE, PGRES_COMMAND_OK and
// PGRES_EMPTY_QUERY. Text-format columns are cast by type OID; binary-format
// columns are only supported for bytea. Throws db::Error: Errc::bad_value
// when a value cannot be cast, Errc::sql_error (with the server's diagnostics)
// for an error result, which the caller should normally have handled itself.
Result make_result(const PGresult* res, const TypeRegistry& types);

}  // namespace pgwamp::db
