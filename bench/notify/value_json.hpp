#pragma once
// An event argument (db::Value, as wamp::Client hands it over) as JSON, so
// the subscriber reads a payload the same way whether the publisher sent it
// as text or as a parsed object.

#include "db/value.hpp"

#include <nlohmann/json.hpp>

namespace pgwamp::bench {

nlohmann::json to_json(const db::Value& value, int depth = 0);

}  // namespace pgwamp::bench
