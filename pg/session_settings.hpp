#pragma once
// The session settings type casting relies on. Temporal values are parsed
// from the server's text output, which depends on DateStyle and
// IntervalStyle; a role or database default (ALTER ROLE ... SET DateStyle)
// or a pooler in between can change them, so connections should pass these
// options at startup and check what the server reports.

#include <libpq-fe.h>

#include <string>

namespace pgwamp::db {

// The libpq `options` connection parameter (sent in the startup packet, so
// no extra round trip): ISO dates, ISO 8601 intervals, timestamptz in UTC.
inline constexpr const char* required_session_options =
    "-c DateStyle=ISO,YMD -c IntervalStyle=iso_8601 -c TimeZone=UTC";

// The `options` to connect with: ours, then the caller's own from the
// conninfo (so theirs win, and check_session_settings says so). Every
// connection pgwamp opens (pool, leader, replication) uses it.
std::string startup_options(const std::string& conninfo);

// Returns "" when the server reports DateStyle "ISO, ..." and IntervalStyle
// "iso_8601" for this (established) connection; otherwise a sentence naming
// the setting and its value. Both are GUC_REPORT parameters, so this reads
// libpq's copy and sends nothing. A mismatch is not fatal (temporal values
// then pass through as the server wrote them) but deserves a warning.
std::string check_session_settings(const PGconn* conn);

}  // namespace pgwamp::db
