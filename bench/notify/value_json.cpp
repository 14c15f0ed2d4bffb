#include "value_json.hpp"

#include <variant>

namespace pgwamp::bench {

nlohmann::json to_json(const Value& value, int depth) {
    // Payloads are flat; the bound only keeps a hostile one from blowing the stack.
    if (depth > 64) {
        return nullptr;
    }
    return std::visit(
        [depth](const auto& v) -> nlohmann::json {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, Null> || std::is_same_v<T, Bytes>) {
                return nullptr;  // bytes are not part of a bench payload
            } else if constexpr (std::is_same_v<T, Array>) {
                auto out = nlohmann::json::array();
                for (const auto& item : v) {
                    out.push_back(to_json(item, depth + 1));
                }
                return out;
            } else if constexpr (std::is_same_v<T, Object>) {
                auto out = nlohmann::json::object();
                for (const auto& [key, item] : v) {
                    out[key] = to_json(item, depth + 1);
                }
                return out;
            } else {
                return v;  // bool, int64, double, string
            }
        },
        value.data);
}

Value from_json(const nlohmann::json& doc) {
    switch (doc.type()) {
        case nlohmann::json::value_t::boolean: return Value(doc.get<bool>());
        case nlohmann::json::value_t::number_integer:
        case nlohmann::json::value_t::number_unsigned: return Value(doc.get<std::int64_t>());
        case nlohmann::json::value_t::number_float: return Value(doc.get<double>());
        case nlohmann::json::value_t::string: return Value(doc.get<std::string>());
        case nlohmann::json::value_t::array: {
            Array out;
            for (const auto& item : doc) out.push_back(from_json(item));
            return Value(std::move(out));
        }
        case nlohmann::json::value_t::object: {
            Object out;
            for (const auto& [key, item] : doc.items()) out.emplace_back(key, from_json(item));
            return Value(std::move(out));
        }
        default: return Value();
    }
}

}  // namespace pgwamp::bench
