#pragma once
// Call arguments (Values) -> libpq parameters for PQsendQueryParams /
// PQsendQueryPrepared: psycopg2's adapter idea, with server-side binding
// instead of quoting into the SQL text.
//
// Which type OID each parameter announces decides how the server resolves
// the statement, so the choice mirrors how PostgreSQL itself types a literal
// written in SQL text (see pg/TYPES.md):
//   Null    -> SQL NULL, OID 0 (the server infers the type)
//   bool    -> "true"/"false", bool
//   int64   -> decimal, int4 when it fits (so substr(s, $1), make_date($1, ..)
//              and int4col = $1 resolve as with a literal 5), int8 otherwise
//   double  -> shortest round-trip text, float8; NaN/Infinity/-Infinity spelled
//              as PostgreSQL reads them
//   string  -> as is, OID 0: `name = $1`, `$1::date`, `$1::uuid` all work
//   Bytes   -> binary format, bytea (no hex doubling on the wire)
//   Array   -> array literal (elements quoted and escaped), OID 0
//   Object  -> JSON text, jsonb
// A JSON array for a json/jsonb parameter: send to_json(value) as a string.

#include <string>
#include <vector>

#include "common/value.hpp"
#include "pg/type_registry.hpp"

namespace pgwamp::db {

// Parallel arrays in the shape libpq wants. `values` point into `storage`
// (nullptr for SQL NULL); copies re-point into their own storage and moves
// keep the pointers valid, so a BoundParams can travel with its request.
struct BoundParams {
    std::vector<Oid> types;
    std::vector<std::string> storage;
    std::vector<const char*> values;
    std::vector<int> lengths;
    std::vector<int> formats;

    BoundParams() = default;
    BoundParams(const BoundParams& other);
    BoundParams& operator=(const BoundParams& other);
    BoundParams(BoundParams&&) noexcept = default;
    BoundParams& operator=(BoundParams&&) noexcept = default;

    int size() const { return static_cast<int>(types.size()); }
};

// Throws db::Error(Errc::bad_value) "parameter $n: <why>" for values it
// cannot adapt (text with NUL bytes, ragged or too deep arrays, bytes or
// NaN inside an Object, more than 65535 parameters).
BoundParams bind_params(const std::vector<Value>& params);

// The text one Value has inside a statement parameter or array literal;
// exposed for tests and for callers that build a parameter themselves
// (e.g. a JSON array for a jsonb parameter: to_json). Not for Null.
std::string param_text(const Value& value);

}  // namespace pgwamp::db
