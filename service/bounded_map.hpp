#pragma once
// Room for one more entry in a map that must stay under `max` entries
// (login and sign-up limits keyed by what a visitor chooses: names, addresses).
// Expired entries go first; while it is still full, the one with the oldest
// `age` goes.

#include <cstddef>
#include <iterator>

namespace pgwamp::service {

template <class Map, class Expired, class Age>
void make_room(Map& map, std::size_t max, Expired expired, Age age) {
    if (map.size() < max) return;
    for (auto it = map.begin(); it != map.end();) it = expired(it->second) ? map.erase(it) : std::next(it);
    while (!map.empty() && map.size() >= max) {
        auto oldest = map.begin();
        for (auto it = map.begin(); it != map.end(); ++it)
            if (age(it->second) < age(oldest->second)) oldest = it;
        map.erase(oldest);
    }
}

}  // namespace pgwamp::service
