#pragma once
// A value as pgwamp hands it around: the JSON data model plus bytes. db/
// produces it from PostgreSQL results, wamp/ serializes it to MessagePack or
// JSON; neither owns it, so it lives here. Exact types (numeric) and temporal
// types travel as text so nothing is rounded or re-zoned on the way to the browser.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace pgwamp {

struct Value;

using Bytes = std::vector<std::uint8_t>;
using Array = std::vector<Value>;
// Ordered so a row-as-map keeps the column order of the SELECT.
using Object = std::vector<std::pair<std::string, Value>>;

struct Null {
    friend bool operator==(Null, Null) { return true; }
};

struct Value {
    using Variant = std::variant<Null, bool, std::int64_t, double, std::string, Bytes, Array, Object>;
    Variant data;

    Value() : data(Null{}) {}
    Value(Null) : data(Null{}) {}
    Value(bool b) : data(b) {}
    Value(int i) : data(std::int64_t{i}) {}
    Value(std::int64_t i) : data(i) {}
    Value(double d) : data(d) {}
    Value(const char* s) : data(std::string(s)) {}
    Value(std::string s) : data(std::move(s)) {}
    Value(Bytes b) : data(std::move(b)) {}
    Value(Array a) : data(std::move(a)) {}
    Value(Object o) : data(std::move(o)) {}

    bool is_null() const { return std::holds_alternative<Null>(data); }
    template <class T>
    bool is() const { return std::holds_alternative<T>(data); }
    template <class T>
    const T& as() const { return std::get<T>(data); }

    friend bool operator==(const Value&, const Value&) = default;
};

// The JSON-ish name of the value's type ("null", "boolean", "integer",
// "number", "string", "bytes", "array", "object"), for error messages.
std::string_view type_name(const Value& value);

// The value under `key` in an object (the first, if a peer sent it twice), or null.
const Value* find_field(const Object& object, std::string_view key);

}  // namespace pgwamp
