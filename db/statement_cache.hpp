#pragma once
// Which statements one connection has prepared on its server, bounded (LRU),
// without I/O (STYLE.md habits 1 and 6). The driver asks use() before each
// statement and reports what the server answered; this file decides names,
// eviction and what must be closed (DEALLOCATE) so that the server never
// holds more than `capacity` of our statements.
//
// States of a statement: pending (its Parse is on the wire) -> prepared
// (Parse answered PGRES_COMMAND_OK). A Parse that failed or was skipped in an
// aborted pipeline segment forgets the entry: only the server's "ok" makes a
// name usable. While a Parse is pending, other uses of the same statement go
// unnamed instead of betting on its outcome.
//
// Closing: an evicted name is DEALLOCATEd in the same pipeline segment as,
// and before, the Parse that takes its slot; if the DEALLOCATE fails the
// Parse behind it is skipped, so the server's count stays within bound. A
// name that must be closed without a Parse waiting for its slot (a stale
// plan, a DEALLOCATE that failed) is queued and counted until a later
// segment closes it.

#include <cstddef>
#include <cstdint>
#include <list>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "pg/type_registry.hpp"

namespace pgwamp::db {

class StatementCache {
public:
    explicit StatementCache(std::size_t capacity) : capacity_(capacity) {}

    enum class Kind {
        unnamed,   // send with the unnamed statement (PQsendQueryParams)
        prepare,   // send Parse(name) first, then Bind/Execute(name)
        prepared,  // Bind/Execute(name) only
    };
    struct Use {
        Kind kind = Kind::unnamed;
        std::string name;        // for prepare / prepared
        std::string close_first;  // prepare only: DEALLOCATE this one first, same segment
    };

    // What to send for `sql` with these parameter types. `can_close`: the
    // segment runs outside an explicit transaction, where a DEALLOCATE of a
    // name we know exists cannot fail (so eviction may happen now).
    Use use(std::string_view sql, std::span<const Oid> types, bool can_close);

    // The server's answer to a Parse of `name` (ok: PGRES_COMMAND_OK).
    void parsed(const std::string& name, bool ok);
    // The answer to a DEALLOCATE we sent; not ok: queued to be sent again.
    void closed(const std::string& name, bool ok);
    // The plan of `name` went stale (0A000): forget it and close it later.
    void invalidate(const std::string& name);

    // Names queued for closing; the caller sends each (outside a
    // transaction) and reports closed(). Taking them moves them out of the
    // queue but they still count until closed() says ok.
    std::vector<std::string> take_closes();
    bool has_closes() const { return !close_queue_.empty(); }

    // A new connection: nothing is prepared on it.
    void clear();

    std::size_t capacity() const { return capacity_; }
    std::size_t size() const { return entries_.size(); }  // pending + prepared
    // Names the server may hold: entries plus closes not yet confirmed.
    std::size_t server_count() const { return entries_.size() + closing_.size(); }

private:
    struct Entry {
        std::string key;
        std::string name;
        bool prepared = false;
    };
    using Lru = std::list<Entry>;  // front: most recently used

    const std::string& key_of(std::string_view sql, std::span<const Oid> types);
    Lru::iterator find_name(const std::string& name);
    std::string next_name() { return "pgwamp_" + std::to_string(++counter_); }

    std::size_t capacity_;
    Lru lru_;
    std::unordered_map<std::string_view, Lru::iterator> entries_;  // views into Entry::key
    std::vector<std::string> close_queue_;
    std::unordered_set<std::string> closing_;  // unpaired closes queued or sent, not yet confirmed
    std::uint64_t counter_ = 0;
    std::string scratch_;  // the lookup key, reused: no allocation per statement
};

}  // namespace pgwamp::db
