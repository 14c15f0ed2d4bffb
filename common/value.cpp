#include "common/value.hpp"

namespace pgwamp {

// Next to the variant so the indexes cannot drift from its alternatives.
std::string_view type_name(const Value& value) {
    static_assert(std::variant_size_v<Value::Variant> == 8, "name the new alternative here");
    switch (value.data.index()) {
        case 0: return "null";
        case 1: return "boolean";
        case 2: return "integer";
        case 3: return "number";
        case 4: return "string";
        case 5: return "bytes";
        case 6: return "array";
        default: return "object";
    }
}

const Value* find_field(const Object& object, std::string_view key) {
    for (const auto& [k, v] : object)
        if (k == key) return &v;
    return nullptr;
}

}  // namespace pgwamp
