#pragma once
// JSON text <-> Value, for json/jsonb columns and Object parameters.
//
// Numbers: an integer that fits int64 stays int64; every other number
// (fractions, exponents, integers beyond int64) becomes a double, which is
// what a JavaScript client would make of it anyway. A number beyond double's
// range (jsonb accepts 1e400) cannot be represented and throws bad_value.
// Object keys keep their order and duplicates (json keeps both, jsonb has
// already removed them), since Object is an ordered list of pairs.

#include <string>
#include <string_view>

#include "common/value.hpp"

namespace pgwamp::db {

// Deeper documents are rejected instead of risking the stack of whoever
// walks the Value later (serializers, destructors are recursive).
inline constexpr int max_json_depth = 512;

// Throws db::Error(Errc::bad_value) on malformed or too deep JSON.
Value parse_json(std::string_view text);

// Compact JSON text. Integral doubles are written "100.0" so they read back
// as doubles. Bytes, NaN and Infinity have no JSON spelling and throw
// db::Error(Errc::bad_value) saying so, as does nesting beyond max_json_depth.
std::string to_json(const Value& value);

}  // namespace pgwamp::db
