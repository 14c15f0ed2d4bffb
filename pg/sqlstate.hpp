#pragma once
// SQLSTATEs: the constants (pg/sqlstate_codes.hpp, generated from the
// server's errcodes.txt by cmake/sqlstate.cmake, so none is typed by hand),
// the tests callers make on a code, and PostgreSQL's condition names.

#include <string_view>

#include "pg/sqlstate_codes.hpp"

namespace pgwamp::db {

// Whether `code` is in the class of `class_code` (same first two characters):
// sqlstate_in_class(code, sqlstate::syntax_error_or_access_rule_violation) for 42xxx.
constexpr bool sqlstate_in_class(std::string_view code, std::string_view class_code) {
    return code.size() == 5 && class_code.size() == 5 && code.substr(0, 2) == class_code.substr(0, 2);
}

// Subclass 57P (admin_shutdown, crash_shutdown, cannot_connect_now, ...):
// the server is ending the connection, whatever the statement was.
constexpr bool sqlstate_ends_connection(std::string_view code) {
    return code.size() == 5 && code.substr(0, 3) == std::string_view(sqlstate::admin_shutdown).substr(0, 3);
}

// The condition name (unique_violation for sqlstate::unique_violation); for
// a code PostgreSQL does not list, its class's; "" when neither is known.
std::string_view sqlstate_condition(std::string_view code);

}  // namespace pgwamp::db
