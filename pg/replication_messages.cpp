#include "pg/replication_messages.hpp"

#include <cstdio>
#include <limits>
#include <utility>

#include "pg/error.hpp"

namespace pgwamp::db::replication {
namespace {

[[noreturn]] void malformed(const std::string& what) {
    throw Error(make_error_code(Errc::connection_lost), "replication protocol: " + what);
}

// Reads network-order fields off the front of a buffer. Every read checks
// what is left first, so no length from the wire is trusted before it is
// known to fit in what we hold.
class Reader {
public:
    Reader(std::string_view data, const char* message) : rest_(data), message_(message) {}

    std::uint64_t uint(std::size_t octets) {
        need(octets);
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < octets; ++i)
            v = (v << 8) | static_cast<unsigned char>(rest_[i]);
        rest_.remove_prefix(octets);
        return v;
    }
    std::uint8_t u8() { return static_cast<std::uint8_t>(uint(1)); }
    char byte() { return static_cast<char>(uint(1)); }
    std::int16_t i16() { return static_cast<std::int16_t>(uint(2)); }
    std::int32_t i32() { return static_cast<std::int32_t>(uint(4)); }
    std::uint32_t u32() { return static_cast<std::uint32_t>(uint(4)); }
    std::int64_t i64() { return static_cast<std::int64_t>(uint(8)); }

    std::string_view take(std::size_t octets) {
        need(octets);
        std::string_view out = rest_.substr(0, octets);
        rest_.remove_prefix(octets);
        return out;
    }
    // A NUL-terminated string (PostgreSQL's "String").
    std::string cstring() {
        const auto end = rest_.find('\0');
        if (end == std::string_view::npos) fail("string without its terminating NUL");
        std::string out(rest_.substr(0, end));
        rest_.remove_prefix(end + 1);
        return out;
    }
    // A count from the wire, each item taking at least min_octets: a count
    // that cannot fit in what is left fails before anything is reserved.
    std::size_t count(std::int64_t n, std::size_t min_octets) {
        if (n < 0) fail("negative count " + std::to_string(n));
        if (static_cast<std::uint64_t>(n) > rest_.size() / min_octets)
            fail("count " + std::to_string(n) + " exceeds the " + std::to_string(rest_.size()) +
                 " octets left");
        return static_cast<std::size_t>(n);
    }
    std::string_view rest() const { return rest_; }
    void expect_end() const {
        if (!rest_.empty()) fail(std::to_string(rest_.size()) + " trailing octets");
    }
    [[noreturn]] void fail(const std::string& what) const {
        malformed(std::string(message_) + ": " + what);
    }

private:
    void need(std::size_t octets) const {
        if (rest_.size() < octets) fail("truncated");
    }

    std::string_view rest_;
    const char* message_;
};

void put_int64(std::string& out, std::uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8)
        out.push_back(static_cast<char>((v >> shift) & 0xff));
}

bool hex_digit(char c, std::uint32_t& value) {
    if (c >= '0' && c <= '9') return value = static_cast<std::uint32_t>(c - '0'), true;
    if (c >= 'a' && c <= 'f') return value = static_cast<std::uint32_t>(c - 'a' + 10), true;
    if (c >= 'A' && c <= 'F') return value = static_cast<std::uint32_t>(c - 'A' + 10), true;
    return false;
}

// 1 to 8 hex digits (MAXPG_LSNCOMPONENT in pg_lsn.c), the whole of `text`.
std::optional<std::uint32_t> parse_lsn_half(std::string_view text) {
    if (text.empty() || text.size() > 8) return std::nullopt;
    std::uint32_t v = 0;
    for (char c : text) {
        std::uint32_t digit = 0;
        if (!hex_digit(c, digit)) return std::nullopt;
        v = (v << 4) | digit;
    }
    return v;
}

// ---- pgoutput pieces ----

TupleData read_tuple(Reader& in) {
    // Each column takes at least its kind byte.
    const std::size_t n = in.count(in.i16(), 1);
    TupleData tuple;
    tuple.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        const char kind = in.byte();
        switch (kind) {
            case 'n':
                tuple.push_back({ColumnKind::null, {}});
                break;
            case 'u':
                tuple.push_back({ColumnKind::unchanged_toast, {}});
                break;
            case 't':
            case 'b': {
                const std::int32_t length = in.i32();
                if (length < 0) in.fail("negative column length " + std::to_string(length));
                tuple.push_back({static_cast<ColumnKind>(kind),
                                 std::string(in.take(static_cast<std::size_t>(length)))});
                break;
            }
            default:
                in.fail("unknown column kind " + std::to_string(static_cast<unsigned char>(kind)));
        }
    }
    return tuple;
}

void expect_new_marker(Reader& in) {
    if (in.byte() != 'N') in.fail("expected 'N' before the new tuple");
}

OldTuple read_old(Reader& in, char marker) {
    return {marker == 'K' ? OldKind::key : OldKind::full, read_tuple(in)};
}

Relation read_relation(Reader& in) {
    Relation r;
    r.oid = in.u32();
    r.namespace_name = in.cstring();
    r.name = in.cstring();
    r.replica_identity = in.byte();
    // flags, name's NUL, type oid, type modifier: at least 10 octets each.
    const std::size_t n = in.count(in.i16(), 10);
    r.columns.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        RelationColumn c;
        c.flags = in.u8();
        c.name = in.cstring();
        c.type_oid = in.u32();
        c.type_modifier = in.i32();
        r.columns.push_back(std::move(c));
    }
    return r;
}

Update read_update(Reader& in) {
    Update u;
    u.relation = in.u32();
    char marker = in.byte();
    if (marker == 'K' || marker == 'O') {
        u.old = read_old(in, marker);
        marker = in.byte();
    }
    if (marker != 'N') in.fail("expected 'K', 'O' or 'N'");
    u.new_tuple = read_tuple(in);
    return u;
}

Delete read_delete(Reader& in) {
    Delete d;
    d.relation = in.u32();
    const char marker = in.byte();
    if (marker != 'K' && marker != 'O') in.fail("expected 'K' or 'O'");
    d.old = read_old(in, marker);
    return d;
}

Truncate read_truncate(Reader& in) {
    const std::int32_t declared = in.i32();
    Truncate t;
    t.options = in.u8();
    const std::size_t n = in.count(declared, 4);
    t.relations.reserve(n);
    for (std::size_t i = 0; i < n; ++i) t.relations.push_back(in.u32());
    return t;
}

LogicalMessage read_message(Reader& in) {
    LogicalMessage m;
    m.flags = in.u8();
    m.lsn = in.uint(8);
    m.prefix = in.cstring();
    const std::int32_t length = in.i32();
    if (length < 0) in.fail("negative content length " + std::to_string(length));
    m.content = std::string(in.take(static_cast<std::size_t>(length)));
    return m;
}

PgoutputMessage read_body(char type, Reader& in) {
    switch (type) {
        case 'B': {
            Begin b;
            b.final_lsn = in.uint(8);
            b.commit_time_us = in.i64();
            b.xid = in.u32();
            return b;
        }
        case 'C': {
            Commit c;
            c.flags = in.u8();
            c.commit_lsn = in.uint(8);
            c.end_lsn = in.uint(8);
            c.commit_time_us = in.i64();
            return c;
        }
        case 'O': {
            Origin o;
            o.commit_lsn = in.uint(8);
            o.name = in.cstring();
            return o;
        }
        case 'R':
            return read_relation(in);
        case 'Y': {
            Type t;
            t.oid = in.u32();
            t.namespace_name = in.cstring();
            t.name = in.cstring();
            return t;
        }
        case 'I': {
            Insert i;
            i.relation = in.u32();
            expect_new_marker(in);
            i.new_tuple = read_tuple(in);
            return i;
        }
        case 'U':
            return read_update(in);
        case 'D':
            return read_delete(in);
        case 'T':
            return read_truncate(in);
        case 'M':
            return read_message(in);
    }
    malformed("unknown pgoutput message type " + std::to_string(static_cast<unsigned char>(type)));
}

}  // namespace

std::string format_lsn(Lsn lsn) {
    char text[18];  // "FFFFFFFF/FFFFFFFF" and its NUL
    std::snprintf(text, sizeof text, "%X/%X", static_cast<unsigned>(lsn >> 32),
                  static_cast<unsigned>(lsn & 0xffffffffu));
    return text;
}

std::optional<Lsn> parse_lsn(std::string_view text) {
    const auto slash = text.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    const auto high = parse_lsn_half(text.substr(0, slash));
    const auto low = parse_lsn_half(text.substr(slash + 1));
    if (!high || !low) return std::nullopt;
    return (Lsn{*high} << 32) | *low;
}

std::chrono::system_clock::time_point to_system_clock(std::int64_t pg_us) {
    using std::chrono::microseconds;
    using Clock = std::chrono::system_clock;
    // The clock's range in microseconds since the Unix epoch, then since 2000.
    const auto max_unix_us =
        std::chrono::duration_cast<microseconds>(Clock::duration::max()).count();
    const std::int64_t max_pg = max_unix_us - pg_epoch_unix_us;
    const std::int64_t min_pg = -max_unix_us - pg_epoch_unix_us;
    const std::int64_t clamped = pg_us > max_pg ? max_pg : pg_us < min_pg ? min_pg : pg_us;
    return Clock::time_point(
        std::chrono::duration_cast<Clock::duration>(microseconds(clamped + pg_epoch_unix_us)));
}

std::int64_t to_pg_time(std::chrono::system_clock::time_point t) {
    const auto unix_us =
        std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
    return unix_us - pg_epoch_unix_us;
}

CopyMessage parse_copy_message(std::string_view data) {
    Reader in(data, "CopyData");
    const char type = in.byte();
    if (type == 'w') {
        XLogData x;
        x.wal_start = in.uint(8);
        x.wal_end = in.uint(8);
        x.send_time_us = in.i64();
        x.payload = in.rest();
        return x;
    }
    if (type == 'k') {
        Keepalive k;
        k.wal_end = in.uint(8);
        k.send_time_us = in.i64();
        k.reply_requested = in.u8() != 0;
        in.expect_end();
        return k;
    }
    in.fail("unknown message type " + std::to_string(static_cast<unsigned char>(type)));
}

std::string encode_standby_status(Lsn written, Lsn flushed, Lsn applied, std::int64_t now_pg_us,
                                  bool reply_requested) {
    std::string out;
    out.reserve(34);
    out.push_back('r');
    put_int64(out, written);
    put_int64(out, flushed);
    put_int64(out, applied);
    put_int64(out, static_cast<std::uint64_t>(now_pg_us));
    out.push_back(reply_requested ? 1 : 0);
    return out;
}

PgoutputMessage decode_pgoutput(std::string_view payload) {
    Reader in(payload, "pgoutput");
    const char type = in.byte();
    PgoutputMessage message = read_body(type, in);
    in.expect_end();
    return message;
}

}  // namespace pgwamp::db::replication
