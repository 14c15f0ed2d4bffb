#pragma once
// Scalar casters: one PostgreSQL text-format output value -> Value. These are
// the building blocks TypeRegistry::defaults() registers by OID; they are
// public so a custom caster (a domain, an enum) can reuse them.
//
// They assume the session settings pgwamp asks for (DateStyle=ISO,
// IntervalStyle=iso_8601, TimeZone=UTC; see pg/TYPES.md). Text they do not
// recognise as ISO output is passed through unchanged rather than guessed at;
// text that cannot be what the server sends for the type throws
// db::Error(Errc::bad_value). The value itself is never put in the message:
// it may be a secret, and messages end up in logs.

#include <string>
#include <string_view>

#include "common/value.hpp"

namespace pgwamp::db {

// Throws db::Error(Errc::bad_value, what). Shared by the casters, the array
// literal parser and the parameter adapters.
[[noreturn]] void throw_bad_value(std::string what);

namespace casts {

Value to_text(std::string_view text);
Value to_bool(std::string_view text);     // "t" / "f"
Value to_integer(std::string_view text);  // int2, int4, int8, oid -> int64
// float4, float8 -> double. JSON has no NaN or Infinity, so those arrive as the
// strings "NaN", "Infinity", "-Infinity" (the spelling PostgreSQL accepts back).
Value to_float(std::string_view text);
Value to_bytea(std::string_view text);  // hex ("\x0a0b") or escape format -> Bytes

// Temporal types -> ISO 8601 text. "2026-11-21 07:00:00+00" becomes
// "2026-11-21T07:00:00+00:00". Years before 1 AD keep PostgreSQL's " BC"
// suffix ("0044-03-15 BC"): PostgreSQL does not read ISO's negative years, and
// values must survive the round trip. "infinity" and "-infinity" stay as they are.
Value to_date(std::string_view text);
Value to_time(std::string_view text);         // time and timetz
Value to_timestamp(std::string_view text);    // timestamp and timestamptz
Value to_interval(std::string_view text);     // already ISO 8601 with IntervalStyle=iso_8601

// hstore ('"a"=>"1", "b"=>NULL') -> Object of strings and Nulls, in the
// order hstore prints its keys. hstore is an extension with no fixed OID:
// look it up (SELECT 'hstore'::regtype::oid) and register_type it.
Value to_hstore(std::string_view text);

}  // namespace casts
}  // namespace pgwamp::db
