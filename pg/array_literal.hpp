#pragma once
// PostgreSQL array literals ("{1,NULL,\"a \\\"b\\\"\"}", "{{1,2},{3,4}}") in
// both directions: parsing what array_out sends us, and writing what array_in
// accepts for a parameter. Multi-dimensional arrays become nested Arrays.

#include <functional>
#include <string>
#include <string_view>

#include "common/value.hpp"

namespace pgwamp::db {

// PostgreSQL's own limit (MAXDIM); deeper text is rejected, not recursed into.
inline constexpr int max_array_dimensions = 6;

// Parses array_out text. Each non-NULL element's text (quotes and escapes
// removed) goes through cast_element. A "[0:2]=" bounds prefix is accepted
// and dropped: the result is a plain list. `delimiter` is ',' for every
// built-in type except box (';'). Throws db::Error(Errc::bad_value).
Array parse_array_literal(std::string_view text, char delimiter,
                          const std::function<Value(std::string_view)>& cast_element);

// Writes an array_in literal. Every non-null element is double-quoted (so
// any element text is safe) and element_text gives that text. Nested Arrays
// are dimensions and must be rectangular. Throws db::Error(Errc::bad_value)
// with a reason for ragged or too deep arrays and for text containing NUL.
std::string format_array_literal(const Array& array,
                                 const std::function<std::string(const Value&)>& element_text);

}  // namespace pgwamp::db
