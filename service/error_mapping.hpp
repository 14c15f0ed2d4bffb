#pragma once
// The one place where failures become WAMP error URIs. Procedures never pick
// a URI themselves: they pass whatever went wrong here, so a caller sees the
// same URI and payload shape for the same failure everywhere. The URIs
// themselves are spelled once: pgwamp.error.<name> in common/error_uris.hpp
// (error_uri::<name> below), the WAMP spec's in wamp/error.hpp (wamp::uri).
//
//   failure                  URI constant                 payload
//   db Errc sql_error        error_uri::sql               kwargs: sqlstate, condition (+ message, detail, hint
//                                                         with sql_error_text "full"; else those go to our log)
//   db Errc unavailable,
//     closed, connect_failed error_uri::unavailable
//   db Errc connection_lost  error_uri::connection_lost   (it may or may not have run: do not blindly retry)
//   db Errc overloaded       error_uri::overloaded
//   db Errc timeout          error_uri::timeout
//   db Errc canceled         error_uri::canceled
//   db Errc rollback_failed  error_uri::rollback_failed   kwargs: original, rollback (each an error's fields)
//   db Errc bad_value        wamp::uri::invalid_argument
//   InvalidArgument          wamp::uri::invalid_argument
//   ResultRejected           error_uri::result_rejected
//   HistoryTruncated         error_uri::history_truncated kwargs: oldest (the earliest position a replay can start at)
//   TooManyAttempts          error_uri::too_many_attempts kwargs: retry_after_ms
//   anything else            error_uri::internal          (details only in our log)

#include <cstdint>
#include <exception>
#include <stdexcept>
#include <string>

#include "common/value.hpp"
#include "config/config.hpp"

namespace pgwamp::service {

struct WampError {
    std::string uri;
    Array args;     // [human-readable message]
    Object kwargs;  // structured detail, see the table above
};

// A call's arguments do not fit the procedure (missing, wrong type, unknown).
class InvalidArgument : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The caller may not call this procedure (its WAMP role is not allowed, or
// the router did not say who it is).
class NotAuthorized : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A procedure's result does not fit its declaration (e.g. more than max_rows).
class ResultRejected : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A replay asked for events from before what is kept: the caller must reload.
class HistoryTruncated : public std::runtime_error {
public:
    HistoryTruncated(const std::string& what, std::string oldest_kept) : std::runtime_error(what), oldest(std::move(oldest_kept)) {}
    std::string oldest;
};

// A live query cannot go on from where the caller was (unknown handle,
// history too short, this process stopped following the changes): call it
// again without handle and after, for a new snapshot.
class MustRefetch : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Sign-in refused by its limits before any password was checked.
class TooManyAttempts : public std::runtime_error {
public:
    TooManyAttempts(const std::string& what, std::int64_t retry_after) : std::runtime_error(what), retry_after_ms(retry_after) {}
    std::int64_t retry_after_ms;
};

// `sql_text`: how much of a PostgreSQL error the caller sees (config::SqlErrorText).
WampError to_wamp_error(std::exception_ptr error, config::SqlErrorText sql_text = config::SqlErrorText::code);

}  // namespace pgwamp::service
