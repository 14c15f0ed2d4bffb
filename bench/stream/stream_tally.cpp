#include "stream_tally.hpp"

#include <variant>

namespace pgwamp::bench {
namespace {

// Header octets of a str/bin/array/map with n elements (or n octets).
std::uint64_t header(std::uint64_t n, std::uint64_t fix_limit) {
    if (n < fix_limit) return 1;
    if (n <= 0xffff) return 3;
    return 5;
}

std::uint64_t integer_size(std::int64_t i) {
    if (i >= -32 && i <= 127) return 1;
    if (i >= -128 && i <= 255) return 2;  // int8 or uint8
    if (i >= -32768 && i <= 65535) return 3;
    if (i >= -2147483648LL && i <= 4294967295LL) return 5;
    return 9;
}

std::uint64_t string_header(std::uint64_t n) {
    if (n < 32) return 1;
    if (n <= 0xff) return 2;
    return header(n, 0);
}

const Value* find(const Object& object, std::string_view key) {
    for (const auto& [k, v] : object) {
        if (k == key) return &v;
    }
    return nullptr;
}

std::optional<std::uint64_t> count_field(const Object& object, std::string_view key) {
    const Value* v = find(object, key);
    if (v && v->is<std::int64_t>() && v->as<std::int64_t>() >= 0) return static_cast<std::uint64_t>(v->as<std::int64_t>());
    return std::nullopt;
}

}  // namespace

std::uint64_t msgpack_size(const Value& value) {
    return std::visit(
        [](const auto& v) -> std::uint64_t {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, Null> || std::is_same_v<T, bool>) {
                return 1;
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
                return integer_size(v);
            } else if constexpr (std::is_same_v<T, double>) {
                return 9;  // float64 always (wamp/value_msgpack.hpp)
            } else if constexpr (std::is_same_v<T, std::string>) {
                return string_header(v.size()) + v.size();
            } else if constexpr (std::is_same_v<T, Bytes>) {
                return (v.size() <= 0xff ? 2 : header(v.size(), 0)) + v.size();
            } else if constexpr (std::is_same_v<T, Array>) {
                std::uint64_t n = header(v.size(), 16);
                for (const auto& e : v) n += msgpack_size(e);
                return n;
            } else {
                std::uint64_t n = header(v.size(), 16);
                for (const auto& [k, e] : v) n += string_header(k.size()) + k.size() + msgpack_size(e);
                return n;
            }
        },
        value.data);
}

double StreamTally::ms_since_call(Clock::time_point now) const {
    return std::chrono::duration<double, std::milli>(now - called_).count();
}

void StreamTally::add_rows(const Value& rows, Clock::time_point now) {
    if (!rows.is<Array>()) {
        shape_error_ = "expected a list of rows, got " + std::string(type_name(rows));
        return;
    }
    if (!first_ms_) first_ms_ = ms_since_call(now);
    ++chunks_;
    for (const auto& row : rows.as<Array>()) bytes_ += msgpack_size(row);
    rows_ += rows.as<Array>().size();
}

void StreamTally::on_progress(const Array& args, const Object& kwargs, Clock::time_point now) {
    if (args.empty()) {
        shape_error_ = "a progressive result without args";
        return;
    }
    if (count_field(kwargs, "offset") != rows_) ++offset_errors_;
    add_rows(args.front(), now);
}

void StreamTally::on_result(const Array& args, Clock::time_point now) {
    total_s_ = ms_since_call(now) / 1000;
    if (args.empty()) {
        shape_error_ = "a result without args";
        return;
    }
    if (chunks_ > 0 || args.front().is<Object>()) {
        // The end of a progressive call: it carries the totals, not rows.
        if (!args.front().is<Object>()) {
            shape_error_ = "the final result of a progressive call is not {rows, chunks}";
            return;
        }
        announced_rows_ = count_field(args.front().as<Object>(), "rows");
        announced_chunks_ = count_field(args.front().as<Object>(), "chunks");
        return;
    }
    add_rows(args.front(), now);
}

}  // namespace pgwamp::bench
