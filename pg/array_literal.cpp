#include "pg/array_literal.hpp"

#include <cstddef>
#include <vector>

#include "pg/casts.hpp"

namespace pgwamp::db {
namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

bool iequals_null(std::string_view s) {
    return s.size() == 4 && (s[0] | 0x20) == 'n' && (s[1] | 0x20) == 'u' && (s[2] | 0x20) == 'l' &&
           (s[3] | 0x20) == 'l';
}

// A recursive-descent parser over array_out's grammar. Recursion is bounded
// by max_array_dimensions, so hostile text cannot exhaust the stack.
class ArrayParser {
public:
    ArrayParser(std::string_view text, char delimiter,
                const std::function<Value(std::string_view)>& cast_element)
        : text_(text), delim_(delimiter), cast_(cast_element) {}

    Array parse() {
        if (peek() == '[') skip_bounds();
        skip_space();
        if (peek() != '{') fail("does not start with '{'");
        Array out = parse_level(1);
        skip_space();
        if (pos_ != text_.size()) fail("has text after the closing '}'");
        return out;
    }

private:
    [[noreturn]] void fail(const char* why) {
        throw_bad_value(std::string("malformed array literal: ") + why + " (at offset " +
                        std::to_string(pos_) + ")");
    }

    char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
    bool at_end() const { return pos_ >= text_.size(); }
    void skip_space() {
        while (!at_end() && is_space(text_[pos_])) ++pos_;
    }

    // "[1:3][0:1]=" precedes the braces when a lower bound is not 1.
    void skip_bounds() {
        auto eq = text_.find('=', pos_);
        if (eq == std::string_view::npos) fail("has a dimension prefix without '='");
        pos_ = eq + 1;
    }

    Array parse_level(int depth) {
        if (depth > max_array_dimensions) fail("has more than 6 dimensions");
        ++pos_;  // '{'
        Array out;
        skip_space();
        if (peek() == '}') {
            ++pos_;
            return out;
        }
        for (;;) {
            skip_space();
            if (at_end()) fail("ends inside the array");
            if (peek() == '{') {
                out.emplace_back(parse_level(depth + 1));
            } else if (peek() == '"') {
                std::string element = parse_quoted();
                out.push_back(cast_(element));
            } else {
                out.push_back(parse_unquoted());
            }
            skip_space();
            char c = peek();
            ++pos_;
            if (c == '}') return out;
            if (c != delim_) fail("expected a delimiter or '}'");
        }
    }

    std::string parse_quoted() {
        ++pos_;  // opening quote
        std::string out;
        while (!at_end()) {
            char c = text_[pos_++];
            if (c == '"') return out;
            if (c == '\\') {
                if (at_end()) break;
                c = text_[pos_++];
            }
            out.push_back(c);
        }
        fail("ends inside a quoted element");
    }

    Value parse_unquoted() {
        std::string out;
        bool escaped = false;
        std::size_t keep = 0;  // length without trailing unescaped whitespace
        while (!at_end() && text_[pos_] != delim_ && text_[pos_] != '}') {
            char c = text_[pos_++];
            if (c == '{' || c == '"') fail("has a stray '{' or '\"' inside an element");
            if (c == '\\') {
                if (at_end()) fail("ends after a backslash");
                out.push_back(text_[pos_++]);
                escaped = true;
                keep = out.size();
                continue;
            }
            out.push_back(c);
            if (!is_space(c)) keep = out.size();
        }
        out.resize(keep);
        if (out.empty() && !escaped) fail("has an empty element");
        if (!escaped && iequals_null(out)) return Null{};
        return cast_(out);
    }

    std::string_view text_;
    char delim_;
    const std::function<Value(std::string_view)>& cast_;
    std::size_t pos_ = 0;
};

// The length of every dimension, taken from the first element at each level.
std::vector<std::size_t> array_shape(const Array& array) {
    std::vector<std::size_t> shape;
    const Array* level = &array;
    for (;;) {
        shape.push_back(level->size());
        if (level->empty() || !level->front().is<Array>()) return shape;
        level = &level->front().as<Array>();
    }
}

class ArrayWriter {
public:
    ArrayWriter(const std::function<std::string(const Value&)>& element_text)
        : text_(element_text) {}

    std::string write(const Array& array) {
        shape_ = array_shape(array);
        if (shape_.size() > static_cast<std::size_t>(max_array_dimensions)) {
            throw_bad_value("array has more than 6 dimensions");
        }
        write_level(array, 0);
        return std::move(out_);
    }

private:
    void write_level(const Array& array, std::size_t depth) {
        if (array.size() != shape_[depth]) {
            throw_bad_value("array is not rectangular (sub-arrays of different lengths)");
        }
        bool inner = depth + 1 < shape_.size();
        out_.push_back('{');
        for (std::size_t i = 0; i < array.size(); ++i) {
            if (i > 0) out_.push_back(',');
            const Value& v = array[i];
            if (inner != v.is<Array>()) {
                throw_bad_value("array mixes sub-arrays and scalars at the same level");
            }
            if (inner) {
                write_level(v.as<Array>(), depth + 1);
            } else if (v.is_null()) {
                out_.append("NULL");
            } else {
                write_quoted(text_(v));
            }
        }
        out_.push_back('}');
    }

    void write_quoted(const std::string& s) {
        out_.push_back('"');
        for (char c : s) {
            if (c == '\0') throw_bad_value("array element text contains a NUL byte");
            if (c == '"' || c == '\\') out_.push_back('\\');
            out_.push_back(c);
        }
        out_.push_back('"');
    }

    const std::function<std::string(const Value&)>& text_;
    std::vector<std::size_t> shape_;
    std::string out_;
};

}  // namespace

Array parse_array_literal(std::string_view text, char delimiter,
                          const std::function<Value(std::string_view)>& cast_element) {
    return ArrayParser(text, delimiter, cast_element).parse();
}

std::string format_array_literal(const Array& array,
                                 const std::function<std::string(const Value&)>& element_text) {
    return ArrayWriter(element_text).write(array);
}

}  // namespace pgwamp::db
