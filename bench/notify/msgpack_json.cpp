#include "msgpack_json.hpp"

#include <string>

namespace pgwamp::bench {

nlohmann::json to_json(const msgpack::object& o, int depth) {
    // Payloads are flat; the bound only keeps a hostile one from blowing the stack.
    if (depth > 64) {
        return nullptr;
    }
    switch (o.type) {
    case msgpack::type::NIL:
        return nullptr;
    case msgpack::type::BOOLEAN:
        return o.via.boolean;
    case msgpack::type::POSITIVE_INTEGER:
        return o.via.u64;
    case msgpack::type::NEGATIVE_INTEGER:
        return o.via.i64;
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64:
        return o.via.f64;
    case msgpack::type::STR:
        return std::string(o.via.str.ptr, o.via.str.size);
    case msgpack::type::ARRAY: {
        auto out = nlohmann::json::array();
        for (std::uint32_t i = 0; i < o.via.array.size; ++i) {
            out.push_back(to_json(o.via.array.ptr[i], depth + 1));
        }
        return out;
    }
    case msgpack::type::MAP: {
        auto out = nlohmann::json::object();
        for (std::uint32_t i = 0; i < o.via.map.size; ++i) {
            const auto& kv = o.via.map.ptr[i];
            if (kv.key.type == msgpack::type::STR) {
                out[std::string(kv.key.via.str.ptr, kv.key.via.str.size)] = to_json(kv.val, depth + 1);
            }
        }
        return out;
    }
    default:  // BIN, EXT: not part of a bench payload
        return nullptr;
    }
}

}  // namespace pgwamp::bench
