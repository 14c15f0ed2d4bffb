#pragma once
// Which transactions a snapshot already saw: the stitch between a live
// query's snapshot and the replication stream (service/live_query.hpp,
// changes/CHANGES.md "Live queries").
//
// pg_current_snapshot() is "xmin:xmax:xip,..." with 64-bit xids (epoch <<
// 32 | xid). A transaction the snapshot saw is one that committed before it
// was taken: xid < xmin, or xmin <= xid < xmax and not in xip (in progress).
// One with xid >= xmax started after it, or had no xid yet.
//
// The stream's Begin message carries the 32-bit xid only. It belongs to a
// transaction that was running or committed near the snapshot, so it is
// widened to 64 bits as the one nearest to xmax (PostgreSQL's own rule for
// a 32-bit xid known to be within 2^31 of a full one): across the
// wraparound of the 32-bit counter, xid 3 after a snapshot at xmax
// 0x1_FFFFFFF0 is 0x2_00000003, not 0x1_00000003.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace pgwamp::db {

class XidSnapshot {
public:
    // Parses pg_current_snapshot()'s text; nullopt when it is not one.
    static std::optional<XidSnapshot> parse(std::string_view text);
    XidSnapshot(std::uint64_t xmin, std::uint64_t xmax, std::vector<std::uint64_t> in_progress);

    // The full xid a stream's 32-bit xid stands for.
    std::uint64_t widen(std::uint32_t xid) const;
    // Whether the snapshot saw this committed transaction's changes.
    bool saw(std::uint32_t xid) const { return saw_full(widen(xid)); }
    bool saw_full(std::uint64_t xid) const;

    std::uint64_t xmin() const { return xmin_; }
    std::uint64_t xmax() const { return xmax_; }
    const std::vector<std::uint64_t>& in_progress() const { return in_progress_; }

private:
    std::uint64_t xmin_;
    std::uint64_t xmax_;
    std::vector<std::uint64_t> in_progress_;  // sorted
};

}  // namespace pgwamp::db
