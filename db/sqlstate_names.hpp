#pragma once
// SQLSTATE -> PostgreSQL's condition name ("23505" -> "unique_violation"),
// from the server's errcodes.txt at build time (cmake/sqlstate_names.cmake).

#include <string_view>

namespace pgwamp::db {

// The condition name; for a code PostgreSQL does not list, its class's
// ("23xyz" -> "integrity_constraint_violation"); "" when neither is known.
std::string_view sqlstate_condition(std::string_view sqlstate);

}  // namespace pgwamp::db
