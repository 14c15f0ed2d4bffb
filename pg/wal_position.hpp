#pragma once
// WAL positions as read-your-writes compares them: what a standby must have
// replayed for a read to see a write, or a row-change event. No I/O.

#include <cstdint>
#include <optional>
#include <string_view>

namespace pgwamp::db {

using WalPosition = std::uint64_t;

// True when a standby whose pg_last_wal_replay_lsn() is `replayed` has
// replayed everything the primary had inserted when its
// pg_current_wal_insert_lsn() was `target`. The replay position is the end
// of the last record replayed; the insert position, when the last record
// ended exactly at a page's end, points past the next page's header, where
// no record ends until one more is written: that header counts as replayed.
bool has_replayed(WalPosition replayed, WalPosition target, std::uint32_t wal_block_size = 8192,
                  std::uint64_t wal_segment_size = 16u << 20);

// What a standby must have replayed for a read to see the transaction of a
// row-change event: its `position` is "<commit LSN, 16 hex>/<index, 8 hex>"
// (pg/change_decoder.hpp), and the commit record starting at that LSN is
// replayed once the replay position is past its start. Nullopt: not a position.
std::optional<WalPosition> replay_target_of_event(std::string_view position);

}  // namespace pgwamp::db
