#pragma once
// Where a live query's snapshot ends and its stream of changes begins,
// exactly (changes/CHANGES.md, "Live queries: the stitch").
//
// The call is filed for changes before its snapshot is taken, so every
// transaction the stream hands over from then on is held here, with its xid,
// until three things are known: the snapshot's pg_current_snapshot(), that
// its rows have all been read, and that the fence has come through the
// stream: a transactional pg_logical_emit_message() committed after the
// snapshot was taken. Every transaction the snapshot saw committed before
// it, so before the fence, and comes through the stream before the fence;
// every one committed after the fence was not seen. Held transactions the
// snapshot saw are dropped (their rows are in it); the others are released,
// in commit order. From then on every change is after the snapshot.
//
// Pure: no I/O, tested over synthetic xids (tests/unit/service).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/value.hpp"
#include "pg/xid_snapshot.hpp"

namespace pgwamp::service {

class LiveStitch {
public:
    explicit LiveStitch(std::size_t limit) : limit_(limit) {}

    // One change this caller is concerned by (already shaped for it), from
    // transaction `xid`, at `position`. False when more than `limit` are
    // held: the snapshot is read too slowly for the rate of changes. Once
    // the snapshot is known, a change it saw is dropped at once.
    bool hold(std::uint32_t xid, std::string position, Value change);
    void snapshot_taken(db::XidSnapshot snapshot) { snapshot_ = std::move(snapshot); }
    void rows_read() { rows_read_ = true; }
    void fence_seen(const std::string& position) { fence_ = position; }

    bool ready() const { return snapshot_ && rows_read_ && fence_; }
    struct Release {
        Array changes;         // the held changes the snapshot did not see, in commit order
        std::string position;  // where the caller is current from: the fence, or the last change released
    };
    // Once ready().
    Release release();
    std::size_t held() const { return held_.size(); }

private:
    struct Held {
        std::uint32_t xid;
        std::string position;
        Value change;
    };
    std::size_t limit_;
    std::vector<Held> held_;
    std::optional<db::XidSnapshot> snapshot_;
    bool rows_read_ = false;
    std::optional<std::string> fence_;
};

}  // namespace pgwamp::service
