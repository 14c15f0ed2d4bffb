#include "pg/casts.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <system_error>

#include "pg/error.hpp"

namespace pgwamp::db {

void throw_bad_value(std::string what) {
    throw Error(make_error_code(Errc::bad_value), std::move(what));
}

namespace casts {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool all_digits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s) {
        if (!is_digit(c)) return false;
    }
    return true;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool is_infinity(std::string_view s) { return s == "infinity" || s == "-infinity"; }

// "YYYY-MM-DD" with four or more year digits, as DateStyle=ISO prints it.
bool is_iso_date(std::string_view s) {
    auto dash = s.find('-');
    if (dash == std::string_view::npos || dash < 4) return false;
    return all_digits(s.substr(0, dash)) && s.size() == dash + 6 && s[dash + 3] == '-' &&
           all_digits(s.substr(dash + 1, 2)) && all_digits(s.substr(dash + 4, 2));
}

// Years before 1 AD keep PostgreSQL's " BC" suffix. ISO 8601 would count
// astronomically ("-0043-03-15" for 44 BC), but PostgreSQL cannot read that
// back, and a value a caller got must be one it can send again.
std::string with_era(std::string text, bool bc) {
    if (bc) text.append(" BC");
    return text;
}

// Splits " BC" off the end; returns whether it was there.
bool strip_bc(std::string_view& s) {
    constexpr std::string_view suffix = " BC";
    if (s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix) {
        s.remove_suffix(suffix.size());
        return true;
    }
    return false;
}

// "HH:MM:SS[.ffffff][+HH[:MM[:SS]]]" -> the same with a "+HH:MM" offset.
// Returns an empty string when the text is not ISO time output.
std::string iso_time(std::string_view s) {
    if (s.size() < 8 || !all_digits(s.substr(0, 2)) || s[2] != ':') return {};
    auto sign = s.find_first_of("+-");
    if (sign == std::string_view::npos) return std::string(s);
    std::string out(s.substr(0, sign));
    std::string_view offset = s.substr(sign);
    out.append(offset);
    // PostgreSQL prints whole-hour offsets as "+00"; ISO 8601 and JavaScript's
    // Date want "+00:00". Offsets with seconds (old local mean times) keep them.
    if (offset.size() == 3 && all_digits(offset.substr(1))) out.append(":00");
    return out;
}

}  // namespace

Value to_text(std::string_view text) { return std::string(text); }

Value to_bool(std::string_view text) {
    if (text == "t") return true;
    if (text == "f") return false;
    throw_bad_value("not a boolean (expected t or f)");
}

Value to_integer(std::string_view text) {
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec == std::errc::result_out_of_range) throw_bad_value("integer out of int64 range");
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
        throw_bad_value("not an integer");
    }
    return v;
}

Value to_float(std::string_view text) {
    if (text == "NaN" || text == "Infinity" || text == "-Infinity") return std::string(text);
    double v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
        throw_bad_value("not a floating-point number");
    }
    if (std::isnan(v)) return std::string("NaN");
    if (std::isinf(v)) return std::string(v > 0 ? "Infinity" : "-Infinity");
    return v;
}

Value to_bytea(std::string_view text) {
    Bytes out;
    if (text.substr(0, 2) == "\\x") {
        text.remove_prefix(2);
        if (text.size() % 2 != 0) throw_bad_value("bytea hex text has an odd number of digits");
        out.reserve(text.size() / 2);
        for (std::size_t i = 0; i < text.size(); i += 2) {
            int hi = hex_value(text[i]);
            int lo = hex_value(text[i + 1]);
            if (hi < 0 || lo < 0) throw_bad_value("bytea hex text has a non-hex digit");
            out.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
        }
        return out;
    }
    // Escape format (bytea_output=escape): "\\" is a backslash, "\ooo" an octal byte.
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\\') {
            out.push_back(static_cast<std::uint8_t>(text[i]));
        } else if (i + 1 < text.size() && text[i + 1] == '\\') {
            out.push_back('\\');
            ++i;
        } else if (i + 3 < text.size() && text[i + 1] >= '0' && text[i + 1] <= '3' &&
                   text[i + 2] >= '0' && text[i + 2] <= '7' && text[i + 3] >= '0' &&
                   text[i + 3] <= '7') {
            out.push_back(static_cast<std::uint8_t>((text[i + 1] - '0') * 64 +
                                                    (text[i + 2] - '0') * 8 + (text[i + 3] - '0')));
            i += 3;
        } else {
            throw_bad_value("bytea escape text has a bad backslash sequence");
        }
    }
    return out;
}

Value to_date(std::string_view text) {
    std::string_view s = text;
    bool bc = strip_bc(s);
    if (is_infinity(text) || !is_iso_date(s)) return std::string(text);
    return with_era(std::string(s), bc);
}

Value to_time(std::string_view text) {
    std::string out = iso_time(text);
    return out.empty() ? std::string(text) : out;
}

Value to_timestamp(std::string_view text) {
    std::string_view s = text;
    bool bc = strip_bc(s);
    auto space = s.find(' ');
    if (is_infinity(text) || space == std::string_view::npos) return std::string(text);
    std::string_view date = s.substr(0, space);
    std::string time = iso_time(s.substr(space + 1));
    if (!is_iso_date(date) || time.empty()) return std::string(text);
    return with_era(std::string(date) + "T" + time, bc);
}

Value to_interval(std::string_view text) { return std::string(text); }

namespace {

// hstore_out writes every key and value double-quoted (a backslash escapes
// the next character), NULL values bare, pairs separated by ", ".
class HstoreParser {
public:
    explicit HstoreParser(std::string_view text) : text_(text) {}

    Object parse() {
        Object out;
        skip_space();
        while (pos_ < text_.size()) {
            std::string key = quoted();
            skip_space();
            if (text_.substr(pos_, 2) != "=>") fail("expected =>");
            pos_ += 2;
            skip_space();
            if (text_.substr(pos_, 4) == "NULL") {
                pos_ += 4;
                out.emplace_back(std::move(key), Null{});
            } else {
                out.emplace_back(std::move(key), quoted());
            }
            skip_space();
            if (pos_ == text_.size()) break;
            if (text_[pos_] != ',') fail("expected a comma between pairs");
            ++pos_;
            skip_space();
            if (pos_ == text_.size()) fail("ends after a comma");
        }
        return out;
    }

private:
    [[noreturn]] void fail(const char* why) {
        throw_bad_value(std::string("malformed hstore: ") + why + " (at offset " +
                        std::to_string(pos_) + ")");
    }
    void skip_space() {
        while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
    }
    std::string quoted() {
        if (pos_ >= text_.size() || text_[pos_] != '"') fail("expected a quoted string");
        ++pos_;
        std::string out;
        while (pos_ < text_.size()) {
            char c = text_[pos_++];
            if (c == '"') return out;
            if (c == '\\') {
                if (pos_ >= text_.size()) break;
                c = text_[pos_++];
            }
            out.push_back(c);
        }
        fail("ends inside a quoted string");
    }

    std::string_view text_;
    std::size_t pos_ = 0;
};

}  // namespace

Value to_hstore(std::string_view text) { return HstoreParser(text).parse(); }

}  // namespace casts
}  // namespace pgwamp::db
