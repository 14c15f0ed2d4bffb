#pragma once
// Result from a libpq PGresult. Private to db/'s implementation (the driver
// and tests): pg/result.hpp is public, reachable from db/pool.hpp, and must not
// pull libpq's headers into every file that uses the pool.

#include <libpq-fe.h>

#include <string>

#include "pg/error.hpp"
#include "pg/result.hpp"
#include "pg/type_registry.hpp"

namespace pgwamp::db {

// Accepts PGRES_TUPLES_OK, PGRES_SINGLE_TUPLE, PGRES_COMMAND_OK and
// PGRES_EMPTY_QUERY. Text-format columns are cast by type OID; binary-format
// columns are only supported for bytea. Throws db::Error: Errc::bad_value
// when a value cannot be cast, Errc::sql_error (with the server's diagnostics)
// for an error result, which the caller should normally have handled itself.
Result make_result(const PGresult* res, const TypeRegistry& types);

// libpq's message text without its trailing newline ("" for null).
std::string trimmed_message(const char* text);
// What the server said in an error result; the message falls back to
// libpq's own text when the server sent none (a connection-level error).
Diagnostics server_diagnostics(const PGresult* res);

}  // namespace pgwamp::db
