#pragma once
// An event argument (Value, as wamp::Client hands it over) as JSON, so
// the subscriber reads a payload the same way whether the publisher sent it
// as text or as a parsed object; and back, for the echo publisher.

#include "common/value.hpp"

#include <nlohmann/json.hpp>

namespace pgwamp::bench {

nlohmann::json to_json(const Value& value, int depth = 0);
// The other way, for the echo publisher's payloads (flat objects of numbers
// and booleans; nested ones work too).
Value from_json(const nlohmann::json& doc);

}  // namespace pgwamp::bench
