#pragma once
// A MessagePack object (as Autobahn|Cpp hands event arguments over) as JSON,
// so the subscriber reads a payload the same way whether the publisher sent
// it as text or as a parsed object.

#include <msgpack.hpp>
#include <nlohmann/json.hpp>

namespace pgwamp::bench {

nlohmann::json to_json(const msgpack::object& o, int depth = 0);

}  // namespace pgwamp::bench
