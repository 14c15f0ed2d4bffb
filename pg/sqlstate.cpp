#include "pg/sqlstate.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <utility>

namespace pgwamp::db {
namespace {

struct Entry {
    std::string_view code;
    std::string_view name;
};

// errcodes.txt lists each code once, sorted within its class; sorted again here to search.
const auto& table() {
    static const auto sorted = [] {
        auto entries = std::to_array<Entry>({
#include "pg/sqlstate_names.inc"
        });
        std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.code < b.code; });
        return entries;
    }();
    return sorted;
}

std::string_view lookup(std::string_view code) {
    const auto& t = table();
    auto it = std::lower_bound(t.begin(), t.end(), code, [](const Entry& e, std::string_view c) { return e.code < c; });
    return it != t.end() && it->code == code ? it->name : std::string_view();
}

}  // namespace

std::string_view sqlstate_condition(std::string_view sqlstate) {
    if (sqlstate.size() != 5) return {};
    if (auto name = lookup(sqlstate); !name.empty()) return name;
    return lookup(std::string(sqlstate.substr(0, 2)) + "000");
}

}  // namespace pgwamp::db
