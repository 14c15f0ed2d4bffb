#pragma once
// Finds the $n parameter placeholders in a SQL statement so the config can
// check them against the declared arguments before PostgreSQL ever sees the
// statement. This is a lexer, not a parser: it only skips the places where
// "$1" is not a placeholder ('...', E'...', "...", $tag$...$tag$, -- and
// /* */ comments, and identifiers such as a$1), and decides nothing else.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgwamp::config {

struct PlaceholderScan {
    std::vector<unsigned> numbers;  // distinct placeholder numbers, ascending
    std::optional<std::string> error;  // set when a quote or comment is left open, or $n is too big
};

PlaceholderScan scan_placeholders(std::string_view sql);

}  // namespace pgwamp::config
