#pragma once
// Where a caller's writes ended in the primary's WAL, so a later read of the
// same caller can wait for a standby that has replayed that far
// (read-your-writes). StatementOptions::commit_position asks for it: after a
// statement's own Sync (or an interaction's COMMIT) the connection sends
// `SELECT pg_current_wal_insert_lsn()` in the same flush, answered behind
// it: no extra round trip. The insert position is read after the commit, so
// it is at or past the commit record's end.

#include <algorithm>
#include <cstdint>
#include <optional>

namespace pgwamp::db {

struct CommitPosition {
    std::optional<std::uint64_t> lsn;  // the largest position read for this call's writes
    // A statement succeeded but its position could not be read (the position
    // query was canceled with it, or failed): its commit is somewhere ahead
    // of every position read before now.
    bool unknown = false;

    void record(std::uint64_t at) { lsn = std::max(lsn.value_or(0), at); }
};

}  // namespace pgwamp::db
