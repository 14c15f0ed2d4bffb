#pragma once
// The one place where failures become WAMP error URIs. Procedures never pick
// a URI themselves: they pass whatever went wrong here, so a caller sees the
// same URI and payload shape for the same failure everywhere.
//
//   db Errc                  WAMP error URI
//   sql_error                pgwamp.error.sql            kwargs: sqlstate, message, detail, hint
//   unavailable, closed,
//   connect_failed           pgwamp.error.unavailable
//   connection_lost          pgwamp.error.connection_lost  (it may or may not have run: do not blindly retry)
//   overloaded               pgwamp.error.overloaded
//   timeout                  pgwamp.error.timeout
//   canceled                 pgwamp.error.canceled
//   rollback_failed          pgwamp.error.rollback_failed  kwargs: the original error's fields
//   bad_value                wamp.error.invalid_argument
//   InvalidArgument          wamp.error.invalid_argument
//   anything else            pgwamp.error.internal        (details only in our log)

#include <exception>
#include <stdexcept>
#include <string>

#include "db/value.hpp"

namespace pgwamp::service {

struct WampError {
    std::string uri;
    db::Array args;     // [human-readable message]
    db::Object kwargs;  // structured detail, see the table above
};

// A call's arguments do not fit the procedure (missing, wrong type, unknown).
class InvalidArgument : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A procedure's result does not fit its declaration (e.g. more than max_rows).
class ResultRejected : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

WampError to_wamp_error(std::exception_ptr error);

}  // namespace pgwamp::service
