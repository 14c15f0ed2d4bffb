#include "db/statement_cache.hpp"

namespace pgwamp::db {

const std::string& StatementCache::key_of(std::string_view sql, std::span<const Oid> types) {
    // The SQL, a NUL (never in SQL we send: make_request refuses it), then
    // the parameter types' bytes: one flat key, hashed once.
    scratch_.assign(sql);
    scratch_.push_back('\0');
    scratch_.append(reinterpret_cast<const char*>(types.data()), types.size_bytes());
    return scratch_;
}

StatementCache::Use StatementCache::use(std::string_view sql, std::span<const Oid> types, bool can_close) {
    Use u;
    if (capacity_ == 0) return u;
    const std::string& key = key_of(sql, types);
    if (auto it = entries_.find(key); it != entries_.end()) {
        Lru::iterator e = it->second;
        if (!e->prepared) return u;  // its Parse is still on the wire
        lru_.splice(lru_.begin(), lru_, e);
        u.kind = Kind::prepared;
        u.name = e->name;
        return u;
    }
    if (server_count() >= capacity_) {
        if (!can_close) return u;
        // Evict the least recently used prepared entry; a pending one keeps
        // its slot (its name may not exist yet, so it cannot be closed).
        auto victim = lru_.end();
        for (auto it = lru_.rbegin(); it != lru_.rend(); ++it) {
            if (it->prepared) {
                victim = std::prev(it.base());
                break;
            }
        }
        if (victim == lru_.end()) return u;
        u.close_first = victim->name;
        entries_.erase(std::string_view(victim->key));
        lru_.erase(victim);
        // Still full while closes are unconfirmed: that slot is not ours.
        if (server_count() >= capacity_) {
            closing_.insert(u.close_first);
            close_queue_.push_back(std::move(u.close_first));
            u.close_first.clear();
            return u;
        }
    }
    lru_.push_front(Entry{key, next_name(), false});
    entries_.emplace(std::string_view(lru_.front().key), lru_.begin());
    u.kind = Kind::prepare;
    u.name = lru_.front().name;
    return u;
}

StatementCache::Lru::iterator StatementCache::find_name(const std::string& name) {
    // Only on a Parse's answer or a stale plan, never per statement: a scan
    // of at most `capacity` entries.
    for (auto it = lru_.begin(); it != lru_.end(); ++it)
        if (it->name == name) return it;
    return lru_.end();
}

void StatementCache::parsed(const std::string& name, bool ok) {
    auto e = find_name(name);
    if (e == lru_.end()) return;  // cleared (a new connection) meanwhile
    if (ok) {
        e->prepared = true;
        return;
    }
    entries_.erase(std::string_view(e->key));
    lru_.erase(e);
}

void StatementCache::closed(const std::string& name, bool ok) {
    if (ok) {
        closing_.erase(name);
        return;
    }
    // Still on the server: close it again later, and count it until then.
    closing_.insert(name);
    close_queue_.push_back(name);
}

void StatementCache::invalidate(const std::string& name) {
    auto e = find_name(name);
    if (e == lru_.end() || !e->prepared) return;
    entries_.erase(std::string_view(e->key));
    lru_.erase(e);
    closing_.insert(name);
    close_queue_.push_back(name);
}

std::vector<std::string> StatementCache::take_closes() {
    std::vector<std::string> out;
    out.swap(close_queue_);
    return out;
}

void StatementCache::clear() {
    entries_.clear();
    lru_.clear();
    close_queue_.clear();
    closing_.clear();
}

}  // namespace pgwamp::db
