#include "value_json.hpp"

#include <variant>

namespace pgwamp::bench {

nlohmann::json to_json(const db::Value& value, int depth) {
    // Payloads are flat; the bound only keeps a hostile one from blowing the stack.
    if (depth > 64) {
        return nullptr;
    }
    return std::visit(
        [depth](const auto& v) -> nlohmann::json {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, db::Null> || std::is_same_v<T, db::Bytes>) {
                return nullptr;  // bytes are not part of a bench payload
            } else if constexpr (std::is_same_v<T, db::Array>) {
                auto out = nlohmann::json::array();
                for (const auto& item : v) {
                    out.push_back(to_json(item, depth + 1));
                }
                return out;
            } else if constexpr (std::is_same_v<T, db::Object>) {
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

}  // namespace pgwamp::bench
