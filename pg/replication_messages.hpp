#pragma once
// The bytes of logical replication, as pure functions (no libpq, no I/O):
// the CopyData messages of the streaming replication protocol (XLogData,
// primary keepalive, standby status update) and the pgoutput messages inside
// XLogData, protocol version 1 (no streaming, no two-phase). Formats:
// PostgreSQL 15 docs, "Streaming Replication Protocol" and "Logical
// Replication Message Formats"; src/backend/replication/logical/proto.c.
// All integers are network byte order.
//
// Malformed input throws db::Error with Errc::connection_lost: a stream we
// cannot decode is as unusable as a dropped one, and the caller's answer is
// the same (drop the connection, restart from the last confirmed LSN).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace pgwamp::db::replication {

using Lsn = std::uint64_t;
using Oid = std::uint32_t;

// "%X/%X" of the high and low 32 bits, as pg_lsn prints (no padding).
std::string format_lsn(Lsn lsn);
// pg_lsn's input rule: 1-8 hex digits, '/', 1-8 hex digits, nothing else.
std::optional<Lsn> parse_lsn(std::string_view text);

// Replication timestamps are microseconds since 2000-01-01 00:00 UTC.
inline constexpr std::int64_t pg_epoch_unix_us = 946'684'800'000'000;
// Saturates at the clock's range (PostgreSQL's range is wider than
// system_clock's nanoseconds; infinity is INT64_MIN/MAX).
std::chrono::system_clock::time_point to_system_clock(std::int64_t pg_us);
std::int64_t to_pg_time(std::chrono::system_clock::time_point t);

// ---- CopyData in COPY BOTH mode -------------------------------------------

// 'w' Int64 wal_start, Int64 wal_end, Int64 send_time, Byte* payload.
// payload views the argument of parse_copy_message.
struct XLogData {
    Lsn wal_start = 0;
    Lsn wal_end = 0;
    std::int64_t send_time_us = 0;
    std::string_view payload;
};

// 'k' Int64 wal_end, Int64 send_time, Byte1 reply_requested.
struct Keepalive {
    Lsn wal_end = 0;
    std::int64_t send_time_us = 0;
    bool reply_requested = false;
    bool operator==(const Keepalive&) const = default;
};

using CopyMessage = std::variant<XLogData, Keepalive>;
CopyMessage parse_copy_message(std::string_view data);

// 'r' Int64 written, Int64 flushed, Int64 applied (each "last byte + 1"),
// Int64 now, Byte1 reply_requested: the standby status update.
std::string encode_standby_status(Lsn written, Lsn flushed, Lsn applied, std::int64_t now_pg_us,
                                  bool reply_requested);

// ---- pgoutput, protocol version 1 -----------------------------------------

enum class ColumnKind : char { null = 'n', unchanged_toast = 'u', text = 't', binary = 'b' };

// value is empty unless kind is text or binary. Copied out of the payload:
// the caller frees the CopyData buffer right after decoding.
struct Column {
    ColumnKind kind = ColumnKind::null;
    std::string value;
    bool operator==(const Column&) const = default;
};
using TupleData = std::vector<Column>;

// 'K': the old row's replica identity key columns only (others are null);
// 'O': the whole old row (REPLICA IDENTITY FULL).
enum class OldKind : char { key = 'K', full = 'O' };
struct OldTuple {
    OldKind kind = OldKind::key;
    TupleData columns;
    bool operator==(const OldTuple&) const = default;
};

struct Begin {
    Lsn final_lsn = 0;
    std::int64_t commit_time_us = 0;
    std::uint32_t xid = 0;
    bool operator==(const Begin&) const = default;
};

struct Commit {
    std::uint8_t flags = 0;  // unused by PostgreSQL 15 (always 0); kept, not checked
    Lsn commit_lsn = 0;
    Lsn end_lsn = 0;
    std::int64_t commit_time_us = 0;
    bool operator==(const Commit&) const = default;
};

struct Origin {
    Lsn commit_lsn = 0;
    std::string name;
    bool operator==(const Origin&) const = default;
};

struct RelationColumn {
    std::uint8_t flags = 0;  // bit 1: part of the replica identity key
    std::string name;
    Oid type_oid = 0;
    std::int32_t type_modifier = -1;
    bool part_of_key() const { return (flags & 1) != 0; }
    bool operator==(const RelationColumn&) const = default;
};

struct Relation {
    Oid oid = 0;
    std::string namespace_name;  // empty for pg_catalog
    std::string name;
    char replica_identity = 'd';  // d(efault), n(othing), f(ull), i(ndex)
    std::vector<RelationColumn> columns;
    bool operator==(const Relation&) const = default;
};

struct Type {
    Oid oid = 0;
    std::string namespace_name;  // empty for pg_catalog
    std::string name;
    bool operator==(const Type&) const = default;
};

struct Insert {
    Oid relation = 0;
    TupleData new_tuple;
    bool operator==(const Insert&) const = default;
};

struct Update {
    Oid relation = 0;
    std::optional<OldTuple> old;  // absent unless the key changed or identity is FULL
    TupleData new_tuple;
    bool operator==(const Update&) const = default;
};

struct Delete {
    Oid relation = 0;
    OldTuple old;
    bool operator==(const Delete&) const = default;
};

struct Truncate {
    std::uint8_t options = 0;
    std::vector<Oid> relations;
    bool cascade() const { return (options & 1) != 0; }
    bool restart_identity() const { return (options & 2) != 0; }
    bool operator==(const Truncate&) const = default;
};

// pg_logical_emit_message(); sent only with the `messages` option.
struct LogicalMessage {
    std::uint8_t flags = 0;  // bit 1: transactional
    Lsn lsn = 0;
    std::string prefix;
    std::string content;
    bool transactional() const { return (flags & 1) != 0; }
    bool operator==(const LogicalMessage&) const = default;
};

using PgoutputMessage = std::variant<Begin, Commit, Origin, Relation, Type, Insert, Update, Delete,
                                     Truncate, LogicalMessage>;

// One XLogData payload. Throws db::Error (connection_lost) on an unknown
// message byte, a short buffer, bad lengths or counts, or trailing bytes.
PgoutputMessage decode_pgoutput(std::string_view payload);

}  // namespace pgwamp::db::replication
