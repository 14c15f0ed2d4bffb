#include "service/live_index.hpp"

#include <algorithm>

#include "service/live_predicate.hpp"

namespace pgwamp::service {

void LiveIndex::add(Id id, const std::optional<Terms>& terms) {
    auto& filed = filed_[id];
    if (!terms) {
        unindexed_.insert(id);
        return;
    }
    for (const auto& [column, value] : *terms) {
        std::string key = index_key(value);
        by_column_[column][key].insert(id);
        filed.emplace_back(column, std::move(key));
    }
}

void LiveIndex::remove(Id id) {
    const auto found = filed_.find(id);
    if (found == filed_.end()) return;
    for (const auto& [column, key] : found->second) {
        auto& keys = by_column_[column];
        const auto ids = keys.find(key);
        if (ids == keys.end()) continue;
        ids->second.erase(id);
        if (ids->second.empty()) keys.erase(ids);
    }
    unindexed_.erase(id);
    filed_.erase(found);
}

std::vector<LiveIndex::Id> LiveIndex::candidates(const Object* old_row, const Object* new_row) const {
    std::vector<Id> out(unindexed_.begin(), unindexed_.end());
    for (const auto& [column, keys] : by_column_) {
        for (const Object* row : {old_row, new_row}) {
            if (!row) continue;
            const Value* value = find_field(*row, column);
            if (!value) continue;
            const auto ids = keys.find(index_key(*value));
            if (ids != keys.end()) out.insert(out.end(), ids->second.begin(), ids->second.end());
        }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

}  // namespace pgwamp::service
