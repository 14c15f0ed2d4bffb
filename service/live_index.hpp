#pragma once
// Live queries of one table filed by the equalities their rows must meet
// (BoundPredicate::index_terms()), so a change is tested only against the
// queries it can concern: with 10,000 callers each following their own
// rows, a change of one owner's row looks up that owner, not 10,000 queries.
// A query with no such equality is tested on every change of its table.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/value.hpp"

namespace pgwamp::service {

class LiveIndex {
public:
    using Id = std::uint64_t;
    using Terms = std::vector<std::pair<std::string, Value>>;

    // nullopt terms: tested on every change.
    void add(Id id, const std::optional<Terms>& terms);
    void remove(Id id);
    // The queries a change with these rows (either may be null) can concern,
    // each once, ascending.
    std::vector<Id> candidates(const Object* old_row, const Object* new_row) const;
    std::size_t size() const { return filed_.size(); }

private:
    // column -> value's index_key -> queries
    std::map<std::string, std::unordered_map<std::string, std::unordered_set<Id>>> by_column_;
    std::unordered_set<Id> unindexed_;
    std::unordered_map<Id, std::vector<std::pair<std::string, std::string>>> filed_;  // for remove()
};

}  // namespace pgwamp::service
