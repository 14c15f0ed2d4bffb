#pragma once
// Every pgwamp.error.* URI, spelled here and nowhere else: wamp/ uses some for
// failures on our side of a call (not joined, connection lost, send queue
// full), service/error_mapping.cpp maps every failure onto them. They are part
// of our wire contract with callers (README "Errors"), so tests spell them out
// literally on purpose: a rename here must fail a test.

namespace pgwamp::error_uri {

inline constexpr const char* sql = "pgwamp.error.sql";                            // PostgreSQL said no
inline constexpr const char* unavailable = "pgwamp.error.unavailable";            // no database / not joined / shutting down
inline constexpr const char* connection_lost = "pgwamp.error.connection_lost";    // lost mid-call
inline constexpr const char* overloaded = "pgwamp.error.overloaded";              // a queue is full
inline constexpr const char* timeout = "pgwamp.error.timeout";                    // the call's deadline passed
inline constexpr const char* canceled = "pgwamp.error.canceled";                  // the caller canceled
inline constexpr const char* rollback_failed = "pgwamp.error.rollback_failed";    // and the original error
inline constexpr const char* result_rejected = "pgwamp.error.result_rejected";    // result does not fit its declaration
inline constexpr const char* internal = "pgwamp.error.internal";                  // our bug; details only in our log
inline constexpr const char* result_too_large = "pgwamp.error.result_too_large";    // more than callers can receive
inline constexpr const char* too_many_attempts = "pgwamp.error.too_many_attempts";  // sign-in limits: wait, then retry
inline constexpr const char* history_truncated = "pgwamp.error.history_truncated";  // replay from before what is kept
inline constexpr const char* must_refetch = "pgwamp.error.must_refetch";            // a live query must start over

}  // namespace pgwamp::error_uri
