// db::parse_array_literal(): array_out text to nested Arrays, elements kept as
// text. Input: the literal, or ';' and a literal for box's delimiter.
// The only error is db::Error; what parses must also survive
// format_array_literal -> parse unchanged (when it can be formatted at all:
// ragged arrays and NUL bytes are refused by design).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "pg/array_literal.hpp"
#include "pg/error.hpp"

using namespace pgwamp::db;
using pgwamp::Array;
using pgwamp::Value;

namespace {

Value as_text(std::string_view element) { return std::string(element); }
std::string element_text(const Value& v) { return v.as<std::string>(); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    char delimiter = ',';
    if (!text.empty() && text.front() == ';') {
        delimiter = ';';
        text.remove_prefix(1);
    }
    Array parsed;
    try {
        parsed = parse_array_literal(text, delimiter, as_text);
    } catch (const Error&) {
        return 0;
    }
    std::string formatted;
    try {
        formatted = format_array_literal(parsed, element_text);
    } catch (const Error&) {
        return 0;
    }
    // format_array_literal always writes ',' (box values never reach it as parameters).
    if (parse_array_literal(formatted, ',', as_text) != parsed) std::abort();
    return 0;
}
