#pragma once
// Internal to config/: JSON parsing that refuses duplicate keys. nlohmann
// keeps the last of two equal keys silently; in a config that hides a typo
// or a copy-paste (two procedures with one URI), so it is an error here.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace pgwamp::config::detail {

// Parses `text` (// and /* */ comments allowed). Throws ConfigError naming
// `file` and the key path on a syntax error, a duplicate key or nesting
// deeper than 64 levels.
nlohmann::json parse_json_strict(std::string_view text, const std::string& file);

}  // namespace pgwamp::config::detail
