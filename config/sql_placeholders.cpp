#include "config/sql_placeholders.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace pgwamp::config {

namespace {

// PostgreSQL's own limit on bind parameters in one statement.
constexpr unsigned max_placeholder = 65535;

bool is_ident_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}
bool is_ident_char(char c) {
    return is_ident_start(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '$';
}
bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

class Scanner {
public:
    explicit Scanner(std::string_view sql) : s_(sql) {}

    PlaceholderScan run() {
        while (i_ < s_.size() && !result_.error) step();
        result_.numbers.assign(found_.begin(), found_.end());
        return result_;
    }

private:
    void step() {
        const char c = s_[i_];
        if (c == '\'') {
            // E'...' allows backslash escapes; the E must start a token.
            const bool escapes = i_ > 0 && (s_[i_ - 1] == 'E' || s_[i_ - 1] == 'e') &&
                                 (i_ == 1 || !is_ident_char(s_[i_ - 2]));
            skip_quoted('\'', escapes, "string literal");
        } else if (c == '"') {
            skip_quoted('"', false, "quoted identifier");
        } else if (c == '-' && next_is('-')) {
            const auto end = s_.find('\n', i_);
            i_ = end == std::string_view::npos ? s_.size() : end + 1;
        } else if (c == '/' && next_is('*')) {
            skip_block_comment();
        } else if (is_ident_start(c)) {
            // Identifiers and keywords may contain '$' and digits: "a$1" is no placeholder.
            while (i_ < s_.size() && is_ident_char(s_[i_])) ++i_;
        } else if (c == '$') {
            dollar();
        } else {
            ++i_;
        }
    }

    bool next_is(char c) const { return i_ + 1 < s_.size() && s_[i_ + 1] == c; }

    void skip_quoted(char quote, bool escapes, const char* what) {
        ++i_;
        while (i_ < s_.size()) {
            const char c = s_[i_];
            if (escapes && c == '\\') {
                i_ += 2;
            } else if (c == quote) {
                if (next_is(quote)) {
                    i_ += 2;  // doubled quote stands for itself
                } else {
                    ++i_;
                    return;
                }
            } else {
                ++i_;
            }
        }
        result_.error = std::string("unterminated ") + what;
    }

    void skip_block_comment() {
        int depth = 0;  // PostgreSQL block comments nest
        while (i_ < s_.size()) {
            if (s_[i_] == '/' && next_is('*')) {
                ++depth;
                i_ += 2;
            } else if (s_[i_] == '*' && next_is('/')) {
                i_ += 2;
                if (--depth == 0) return;
            } else {
                ++i_;
            }
        }
        result_.error = "unterminated /* comment";
    }

    void dollar() {
        std::size_t j = i_ + 1;
        if (j < s_.size() && is_digit(s_[j])) {
            unsigned long n = 0;
            while (j < s_.size() && is_digit(s_[j])) {
                n = std::min<unsigned long>(n * 10 + static_cast<unsigned long>(s_[j] - '0'),
                                            max_placeholder + 1ul);
                ++j;
            }
            if (n == 0 || n > max_placeholder) {
                result_.error = "placeholder $" + std::string(s_.substr(i_ + 1, j - i_ - 1)) +
                                " is out of range (1 to 65535)";
                return;
            }
            found_.insert(static_cast<unsigned>(n));
            i_ = j;
            return;
        }
        // A dollar quote: $$...$$ or $tag$...$tag$ (a tag never starts with a digit).
        while (j < s_.size() && is_ident_start(s_[j])) {
            ++j;
            while (j < s_.size() && (is_ident_start(s_[j]) || is_digit(s_[j]))) ++j;
        }
        if (j < s_.size() && s_[j] == '$') {
            const std::string_view tag = s_.substr(i_, j - i_ + 1);
            const auto end = s_.find(tag, j + 1);
            if (end == std::string_view::npos) {
                result_.error = "unterminated dollar-quoted string";
                return;
            }
            i_ = end + tag.size();
            return;
        }
        ++i_;  // a lone '$': not ours to judge, PostgreSQL will
    }

    std::string_view s_;
    std::size_t i_ = 0;
    std::set<unsigned> found_;
    PlaceholderScan result_;
};

}  // namespace

PlaceholderScan scan_placeholders(std::string_view sql) { return Scanner(sql).run(); }

}  // namespace pgwamp::config
