#include "pg/params.hpp"

#include <charconv>
#include <cmath>
#include <limits>

#include "pg/array_literal.hpp"
#include "pg/casts.hpp"
#include "pg/error.hpp"
#include "pg/value_json.hpp"

namespace pgwamp::db {
namespace {

// The protocol counts parameters in an int16.
constexpr std::size_t max_params = 65535;

bool fits_int4(std::int64_t i) {
    return i >= std::numeric_limits<std::int32_t>::min() &&
           i <= std::numeric_limits<std::int32_t>::max();
}

std::string double_text(double d) {
    if (std::isnan(d)) return "NaN";
    if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
    char buf[32];
    auto res = std::to_chars(buf, buf + sizeof buf, d);  // shortest text that round-trips
    return std::string(buf, res.ptr);
}

std::string bytes_hex(const Bytes& b) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "\\x";
    out.reserve(2 + 2 * b.size());
    for (std::uint8_t byte : b) {
        out.push_back(hex[byte >> 4]);
        out.push_back(hex[byte & 0xf]);
    }
    return out;
}

// Type OID and text (or bytes) of one non-null parameter; format 1 = binary.
struct Adapted {
    Oid type;
    std::string data;
    int format = 0;
};

Adapted adapt(const Value& v) {
    if (v.is<bool>()) return {pg_type::bool_, v.as<bool>() ? "true" : "false"};
    if (v.is<std::int64_t>()) {
        auto i = v.as<std::int64_t>();
        return {fits_int4(i) ? pg_type::int4 : pg_type::int8, std::to_string(i)};
    }
    if (v.is<double>()) return {pg_type::float8, double_text(v.as<double>())};
    if (v.is<std::string>()) {
        const auto& s = v.as<std::string>();
        // libpq takes text parameters as C strings and PostgreSQL text cannot
        // hold NUL: better a clear error here than a silently cut value.
        if (s.find('\0') != std::string::npos) throw_bad_value("text contains a NUL byte");
        return {pg_type::unspecified, s};
    }
    if (v.is<Bytes>()) {
        const auto& b = v.as<Bytes>();
        return {pg_type::bytea, std::string(b.begin(), b.end()), 1};
    }
    if (v.is<Array>()) {
        return {pg_type::unspecified, format_array_literal(v.as<Array>(), param_text)};
    }
    return {pg_type::jsonb, to_json(v)};
}

}  // namespace

std::string param_text(const Value& v) {
    if (v.is<bool>()) return v.as<bool>() ? "true" : "false";
    if (v.is<std::int64_t>()) return std::to_string(v.as<std::int64_t>());
    if (v.is<double>()) return double_text(v.as<double>());
    if (v.is<std::string>()) return v.as<std::string>();
    if (v.is<Bytes>()) return bytes_hex(v.as<Bytes>());
    if (v.is<Array>()) return format_array_literal(v.as<Array>(), param_text);
    if (v.is<Object>()) return to_json(v);
    throw_bad_value("NULL has no parameter text");
}

BoundParams::BoundParams(const BoundParams& other)
    : types(other.types),
      storage(other.storage),
      values(other.values),
      lengths(other.lengths),
      formats(other.formats) {
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (values[i] != nullptr) values[i] = storage[i].data();
    }
}

BoundParams& BoundParams::operator=(const BoundParams& other) {
    if (this != &other) *this = BoundParams(other);
    return *this;
}

BoundParams bind_params(const std::vector<Value>& params) {
    if (params.size() > max_params) {
        throw_bad_value("too many parameters (" + std::to_string(params.size()) +
                        "; PostgreSQL accepts at most 65535)");
    }
    BoundParams out;
    const std::size_t n = params.size();
    out.types.reserve(n);
    out.storage.reserve(n);
    out.lengths.reserve(n);
    out.formats.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        if (params[i].is_null()) {
            out.types.push_back(pg_type::unspecified);
            out.storage.emplace_back();
            out.lengths.push_back(0);
            out.formats.push_back(0);
            continue;
        }
        try {
            Adapted a = adapt(params[i]);
            out.types.push_back(a.type);
            out.lengths.push_back(static_cast<int>(a.data.size()));
            out.formats.push_back(a.format);
            out.storage.push_back(std::move(a.data));
        } catch (const std::exception& e) {
            throw_bad_value("parameter $" + std::to_string(i + 1) + ": " + e.what());
        }
    }
    // Pointers are taken only now: growing `storage` above moves short
    // strings' inline buffers, which would leave earlier pointers dangling.
    out.values.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        out.values.push_back(params[i].is_null() ? nullptr : out.storage[i].data());
    }
    return out;
}

}  // namespace pgwamp::db
