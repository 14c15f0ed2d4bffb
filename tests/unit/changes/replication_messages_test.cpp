#include "pg/replication_messages.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <limits>

#include "pg/error.hpp"

namespace pgwamp::db::replication {
namespace {

// Builds wire bytes by hand, network byte order, the way the server writes them.
class Bytes {
public:
    Bytes& byte(char c) { return out_.push_back(c), *this; }
    Bytes& i16(std::int16_t v) { return put(static_cast<std::uint16_t>(v), 2); }
    Bytes& i32(std::int32_t v) { return put(static_cast<std::uint32_t>(v), 4); }
    Bytes& i64(std::int64_t v) { return put(static_cast<std::uint64_t>(v), 8); }
    Bytes& str(std::string_view s) { return out_.append(s).push_back('\0'), *this; }
    Bytes& raw(std::string_view s) { return out_.append(s), *this; }
    Bytes& text(std::string_view s) {
        return byte('t').i32(static_cast<std::int32_t>(s.size())).raw(s);
    }
    operator std::string() const { return out_; }

private:
    Bytes& put(std::uint64_t v, int octets) {
        for (int shift = 8 * (octets - 1); shift >= 0; shift -= 8)
            out_.push_back(static_cast<char>(v >> shift));
        return *this;
    }
    std::string out_;
};

template <class T>
T decode_as(const std::string& bytes) {
    auto message = decode_pgoutput(bytes);
    EXPECT_TRUE(std::holds_alternative<T>(message)) << "variant index " << message.index();
    return std::get<T>(std::move(message));
}

void expect_malformed(const std::string& bytes, bool copy_level = false) {
    try {
        if (copy_level) {
            parse_copy_message(bytes);
        } else {
            decode_pgoutput(bytes);
        }
        ADD_FAILURE() << "accepted " << bytes.size() << " octets";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), make_error_code(Errc::connection_lost)) << e.what();
        EXPECT_NE(std::string(e.what()).find("replication protocol"), std::string::npos)
            << e.what();
    }
}

// Every strict prefix of a valid pgoutput message is an error, and so is one trailing octet.
void expect_every_truncation_throws(const std::string& valid) {
    ASSERT_NO_THROW(decode_pgoutput(valid));
    for (std::size_t n = 0; n < valid.size(); ++n) {
        SCOPED_TRACE("prefix of " + std::to_string(n) + " octets");
        // A fresh buffer of exactly n octets, so ASan sees any read past its end.
        expect_malformed(valid.substr(0, n));
    }
    expect_malformed(valid + '\0');
}

constexpr Lsn lsn_a = 0x0000'0001'6B37'4D48;
constexpr Lsn lsn_b = 0x0000'0001'6B37'4E00;

std::string begin_bytes() { return Bytes().byte('B').i64(lsn_b).i64(712'345'678'901'234).i32(741); }
std::string commit_bytes() {
    return Bytes().byte('C').byte(0).i64(lsn_a).i64(lsn_b).i64(712'345'678'901'234);
}
std::string relation_bytes() {
    return Bytes().byte('R').i32(16'390).str("public").str("items").byte('d').i16(3)
        .byte(1).str("id").i32(23).i32(-1)
        .byte(0).str("name").i32(1043).i32(68)
        .byte(0).str("doc").i32(25).i32(-1);
}
std::string insert_bytes() {
    return Bytes().byte('I').i32(16'390).byte('N').i16(3).text("42").byte('n').byte('u');
}
std::string update_with_old_bytes() {
    return Bytes().byte('U').i32(16'390).byte('O').i16(2).text("1").text("a")
        .byte('N').i16(2).text("1").text("b");
}
std::string delete_key_bytes() {
    return Bytes().byte('D').i32(16'390).byte('K').i16(2).text("7").byte('n');
}
std::string truncate_bytes() { return Bytes().byte('T').i32(2).byte(3).i32(16'390).i32(16'400); }
std::string message_bytes() {
    return Bytes().byte('M').byte(1).i64(lsn_a).str("pgwamp").i32(3).raw(std::string("a\0b", 3));
}

// ---- LSN ----

TEST(ReplicationLsn, FormatsLikePgLsnOut) {
    EXPECT_EQ(format_lsn(0), "0/0");
    EXPECT_EQ(format_lsn(0x16B3748), "0/16B3748");
    EXPECT_EQ(format_lsn(lsn_a), "1/6B374D48");
    EXPECT_EQ(format_lsn(0x0000'00AB'0000'0001), "AB/1");  // no padding on either half
    EXPECT_EQ(format_lsn(std::numeric_limits<Lsn>::max()), "FFFFFFFF/FFFFFFFF");
}

TEST(ReplicationLsn, ParsesPgLsnInput) {
    EXPECT_EQ(parse_lsn("0/0"), Lsn{0});
    EXPECT_EQ(parse_lsn("0/16B3748"), Lsn{0x16B3748});
    EXPECT_EQ(parse_lsn("1/6b374d48"), lsn_a);  // pg_lsn_in takes either case
    EXPECT_EQ(parse_lsn("00000001/0000000F"), Lsn{0x1'0000'000F});
    EXPECT_EQ(parse_lsn("FFFFFFFF/FFFFFFFF"), std::numeric_limits<Lsn>::max());
}

TEST(ReplicationLsn, RejectsWhatPgLsnInRejects) {
    for (const char* bad : {"", "/", "0/", "/0", "0", "G/0", "-1/0", " 0/1", "0/1 ", "0/1/2",
                            "123456789/0", "0/123456789", "0x1/0", "+1/0"}) {
        EXPECT_EQ(parse_lsn(bad), std::nullopt) << bad;
    }
}

TEST(ReplicationLsn, RoundTrips) {
    for (Lsn lsn : {Lsn{0}, Lsn{1}, lsn_a, lsn_b, Lsn{0xFFFF'FFFF}, Lsn{0x1'0000'0000},
                    std::numeric_limits<Lsn>::max()}) {
        EXPECT_EQ(parse_lsn(format_lsn(lsn)), lsn) << format_lsn(lsn);
    }
}

// ---- time ----

TEST(ReplicationTime, EpochIs2000) {
    using namespace std::chrono;
    EXPECT_EQ(to_system_clock(0), sys_days(year(2000) / January / 1));
    EXPECT_EQ(to_system_clock(1'500'000),
              sys_days(year(2000) / January / 1) + microseconds(1'500'000));
    EXPECT_EQ(to_pg_time(sys_days(year(2000) / January / 2)), 86'400'000'000);
    EXPECT_EQ(to_pg_time(system_clock::time_point{}), -pg_epoch_unix_us);
}

TEST(ReplicationTime, SaturatesOutsideTheClocksRange) {
    // PostgreSQL's infinities and far dates must not overflow system_clock's nanoseconds.
    const auto far_future = to_system_clock(std::numeric_limits<std::int64_t>::max());
    const auto far_past = to_system_clock(std::numeric_limits<std::int64_t>::min());
    EXPECT_GT(far_future, to_system_clock(0));
    EXPECT_LT(far_past, to_system_clock(0));
    EXPECT_GE(far_future.time_since_epoch().count(), 0);
    EXPECT_LE(far_past.time_since_epoch().count(), 0);
}

// ---- CopyData ----

TEST(ReplicationCopy, XLogData) {
    const std::string bytes = Bytes().byte('w').i64(lsn_a).i64(lsn_b).i64(123'456).raw("B...");
    const auto message = parse_copy_message(bytes);
    ASSERT_TRUE(std::holds_alternative<XLogData>(message));
    const auto& x = std::get<XLogData>(message);
    EXPECT_EQ(x.wal_start, lsn_a);
    EXPECT_EQ(x.wal_end, lsn_b);
    EXPECT_EQ(x.send_time_us, 123'456);
    EXPECT_EQ(x.payload, "B...");
    EXPECT_EQ(x.payload.data(), bytes.data() + 25);  // a view, not a copy
}

TEST(ReplicationCopy, XLogDataWithEmptyPayload) {
    const std::string bytes = Bytes().byte('w').i64(1).i64(2).i64(-3);
    const auto message = parse_copy_message(bytes);
    ASSERT_TRUE(std::holds_alternative<XLogData>(message));
    EXPECT_TRUE(std::get<XLogData>(message).payload.empty());
    EXPECT_EQ(std::get<XLogData>(message).send_time_us, -3);
}

TEST(ReplicationCopy, KeepaliveWithAndWithoutReplyRequest) {
    const auto quiet =
        parse_copy_message(std::string(Bytes().byte('k').i64(lsn_b).i64(99).byte(0)));
    EXPECT_EQ(std::get<Keepalive>(quiet), (Keepalive{lsn_b, 99, false}));
    const auto asking =
        parse_copy_message(std::string(Bytes().byte('k').i64(lsn_a).i64(100).byte(1)));
    EXPECT_EQ(std::get<Keepalive>(asking), (Keepalive{lsn_a, 100, true}));
}

TEST(ReplicationCopy, MalformedCopyMessagesThrow) {
    const std::string keepalive = Bytes().byte('k').i64(lsn_b).i64(99).byte(1);
    for (std::size_t n = 0; n < keepalive.size(); ++n)
        expect_malformed(keepalive.substr(0, n), true);
    expect_malformed(keepalive + '\0', true);
    const std::string xlog = Bytes().byte('w').i64(lsn_a).i64(lsn_b).i64(1);
    for (std::size_t n = 0; n < xlog.size(); ++n) expect_malformed(xlog.substr(0, n), true);
    // 'r' is what we send, not what the server does.
    expect_malformed(Bytes().byte('r').i64(0).i64(0).i64(0).i64(0).byte(0), true);
    expect_malformed(Bytes().byte('\0'), true);
}

TEST(ReplicationCopy, StandbyStatusLayout) {
    const std::string bytes = encode_standby_status(lsn_b, lsn_a, 0x10, -5, true);
    const std::string expected =
        Bytes().byte('r').i64(lsn_b).i64(lsn_a).i64(0x10).i64(-5).byte(1);
    EXPECT_EQ(bytes, expected);
    EXPECT_EQ(bytes.size(), 34u);
    EXPECT_EQ(encode_standby_status(1, 2, 3, 4, false).back(), '\0');
    EXPECT_EQ(encode_standby_status(0, 0, 0, 0, false).substr(0, 9),
              std::string("r\0\0\0\0\0\0\0\0", 9));
    const std::string max = encode_standby_status(std::numeric_limits<Lsn>::max(), 0, 0, 0, false);
    EXPECT_EQ(max.substr(1, 8), std::string(8, '\xff'));
}

// ---- pgoutput ----

TEST(Pgoutput, BeginAndCommit) {
    EXPECT_EQ(decode_as<Begin>(begin_bytes()), (Begin{lsn_b, 712'345'678'901'234, 741}));
    EXPECT_EQ(decode_as<Commit>(commit_bytes()), (Commit{0, lsn_a, lsn_b, 712'345'678'901'234}));
}

TEST(Pgoutput, Origin) {
    const auto o = decode_as<Origin>(Bytes().byte('O').i64(lsn_a).str("node_b"));
    EXPECT_EQ(o, (Origin{lsn_a, "node_b"}));
}

TEST(Pgoutput, Relation) {
    const auto r = decode_as<Relation>(relation_bytes());
    EXPECT_EQ(r.oid, 16'390u);
    EXPECT_EQ(r.namespace_name, "public");
    EXPECT_EQ(r.name, "items");
    EXPECT_EQ(r.replica_identity, 'd');
    ASSERT_EQ(r.columns.size(), 3u);
    EXPECT_EQ(r.columns[0], (RelationColumn{1, "id", 23, -1}));
    EXPECT_TRUE(r.columns[0].part_of_key());
    EXPECT_EQ(r.columns[1], (RelationColumn{0, "name", 1043, 68}));
    EXPECT_FALSE(r.columns[1].part_of_key());
    EXPECT_EQ(r.columns[2].name, "doc");
}

TEST(Pgoutput, RelationInPgCatalogWithNoColumns) {
    const auto r = decode_as<Relation>(Bytes().byte('R').i32(1).str("").str("t").byte('n').i16(0));
    EXPECT_EQ(r, (Relation{1, "", "t", 'n', {}}));
}

TEST(Pgoutput, Type) {
    const auto t = decode_as<Type>(Bytes().byte('Y').i32(16'500).str("public").str("mood"));
    EXPECT_EQ(t, (Type{16'500, "public", "mood"}));
}

TEST(Pgoutput, InsertWithTextNullAndUnchangedToast) {
    const auto i = decode_as<Insert>(insert_bytes());
    EXPECT_EQ(i.relation, 16'390u);
    EXPECT_EQ(i.new_tuple, (TupleData{{ColumnKind::text, "42"}, {ColumnKind::null, ""},
                                      {ColumnKind::unchanged_toast, ""}}));
}

TEST(Pgoutput, BinaryAndEmptyColumnsKeepTheirBytes) {
    const std::string binary("\0\x01\xff", 3);
    const auto i = decode_as<Insert>(Bytes().byte('I').i32(5).byte('N').i16(3)
        .byte('b').i32(3).raw(binary).text("").byte('t').i32(1).raw(std::string(1, '\0')));
    EXPECT_EQ(i.new_tuple, (TupleData{{ColumnKind::binary, binary}, {ColumnKind::text, ""},
                                      {ColumnKind::text, std::string(1, '\0')}}));
}

TEST(Pgoutput, InsertWithNoColumns) {
    EXPECT_TRUE(decode_as<Insert>(Bytes().byte('I').i32(5).byte('N').i16(0)).new_tuple.empty());
}

TEST(Pgoutput, UpdateWithoutOldTuple) {
    const auto u =
        decode_as<Update>(Bytes().byte('U').i32(16'390).byte('N').i16(2).text("1").byte('u'));
    EXPECT_EQ(u.relation, 16'390u);
    EXPECT_FALSE(u.old.has_value());
    EXPECT_EQ(u.new_tuple, (TupleData{{ColumnKind::text, "1"}, {ColumnKind::unchanged_toast, ""}}));
}

TEST(Pgoutput, UpdateWithWholeOldRow) {
    const auto u = decode_as<Update>(update_with_old_bytes());
    ASSERT_TRUE(u.old.has_value());
    EXPECT_EQ(u.old->kind, OldKind::full);
    EXPECT_EQ(u.old->columns, (TupleData{{ColumnKind::text, "1"}, {ColumnKind::text, "a"}}));
    EXPECT_EQ(u.new_tuple, (TupleData{{ColumnKind::text, "1"}, {ColumnKind::text, "b"}}));
}

TEST(Pgoutput, UpdateWithOldKey) {
    const auto u = decode_as<Update>(Bytes().byte('U').i32(9).byte('K').i16(2).text("1").byte('n')
        .byte('N').i16(2).text("2").text("x"));
    ASSERT_TRUE(u.old.has_value());
    EXPECT_EQ(u.old->kind, OldKind::key);
    EXPECT_EQ(u.old->columns, (TupleData{{ColumnKind::text, "1"}, {ColumnKind::null, ""}}));
    EXPECT_EQ(u.new_tuple[0].value, "2");
}

TEST(Pgoutput, DeleteWithKeyAndWithOldRow) {
    const auto key = decode_as<Delete>(delete_key_bytes());
    EXPECT_EQ(key,
              (Delete{16'390, {OldKind::key, {{ColumnKind::text, "7"}, {ColumnKind::null, ""}}}}));
    const auto full =
        decode_as<Delete>(Bytes().byte('D').i32(16'390).byte('O').i16(2).text("7").text("z"));
    EXPECT_EQ(full.old.kind, OldKind::full);
    EXPECT_EQ(full.old.columns[1].value, "z");
}

TEST(Pgoutput, TruncateWithOptions) {
    const auto both = decode_as<Truncate>(truncate_bytes());
    EXPECT_EQ(both.relations, (std::vector<Oid>{16'390, 16'400}));
    EXPECT_TRUE(both.cascade());
    EXPECT_TRUE(both.restart_identity());
    const auto cascade = decode_as<Truncate>(Bytes().byte('T').i32(1).byte(1).i32(7));
    EXPECT_TRUE(cascade.cascade());
    EXPECT_FALSE(cascade.restart_identity());
    const auto plain = decode_as<Truncate>(Bytes().byte('T').i32(1).byte(0).i32(7));
    EXPECT_FALSE(plain.cascade());
    EXPECT_FALSE(plain.restart_identity());
    const auto restart = decode_as<Truncate>(Bytes().byte('T').i32(1).byte(2).i32(7));
    EXPECT_TRUE(restart.restart_identity());
}

TEST(Pgoutput, LogicalMessage) {
    const auto m = decode_as<LogicalMessage>(message_bytes());
    EXPECT_TRUE(m.transactional());
    EXPECT_EQ(m, (LogicalMessage{1, lsn_a, "pgwamp", std::string("a\0b", 3)}));
    const auto plain = decode_as<LogicalMessage>(Bytes().byte('M').byte(0).i64(1).str("p").i32(0));
    EXPECT_FALSE(plain.transactional());
    EXPECT_TRUE(plain.content.empty());
}

TEST(Pgoutput, ColumnValuesOutliveThePayload) {
    std::string payload = insert_bytes();
    const auto i = decode_as<Insert>(payload);
    payload.assign(payload.size(), 'X');  // the caller reuses its CopyData buffer
    EXPECT_EQ(i.new_tuple[0].value, "42");
}

TEST(Pgoutput, EveryTruncationThrows) {
    for (const std::string& valid :
         {begin_bytes(), commit_bytes(), relation_bytes(), insert_bytes(), update_with_old_bytes(),
          delete_key_bytes(), truncate_bytes(), message_bytes(),
          std::string(Bytes().byte('O').i64(1).str("o")),
          std::string(Bytes().byte('Y').i32(1).str("").str("t"))}) {
        SCOPED_TRACE(std::string(1, valid[0]));
        expect_every_truncation_throws(valid);
    }
}

TEST(Pgoutput, UnknownOrUnsupportedMessageTypes) {
    expect_malformed("");
    expect_malformed("Z");
    // Streaming and two-phase messages are not part of protocol version 1.
    for (char type : {'S', 'E', 'c', 'A', 'b', 'P', 'K', 'r', 'p'})
        expect_malformed(std::string(1, type) + "....");
}

TEST(Pgoutput, BadMarkersAndKinds) {
    expect_malformed(Bytes().byte('I').i32(1).byte('K').i16(0));  // insert has no old tuple
    expect_malformed(Bytes().byte('U').i32(1).byte('X').i16(0));
    expect_malformed(Bytes().byte('U').i32(1).byte('K').i16(0).byte('K').i16(0));
    expect_malformed(Bytes().byte('D').i32(1).byte('N').i16(0));  // delete needs K or O
    expect_malformed(Bytes().byte('I').i32(1).byte('N').i16(1).byte('x'));  // unknown column kind
}

TEST(Pgoutput, BadLengthsAndCounts) {
    expect_malformed(Bytes().byte('I').i32(1).byte('N').i16(-1));
    expect_malformed(Bytes().byte('I').i32(1).byte('N').i16(32'767).byte('n'));
    expect_malformed(Bytes().byte('I').i32(1).byte('N').i16(1).byte('t').i32(-1));
    expect_malformed(
        Bytes().byte('I').i32(1).byte('N').i16(1).byte('t').i32(0x7fff'ffff).raw("abc"));
    expect_malformed(Bytes().byte('I').i32(1).byte('N').i16(1).byte('b').i32(4).raw("abc"));
    expect_malformed(Bytes().byte('T').i32(-1).byte(0));
    expect_malformed(Bytes().byte('T').i32(0x7fff'ffff).byte(0).i32(1));
    expect_malformed(Bytes().byte('T').i32(2).byte(0).i32(1));
    expect_malformed(Bytes().byte('R').i32(1).str("").str("t").byte('d').i16(-3));
    // Two columns declared, one present: rejected, and before reserving room for 32767.
    expect_malformed(Bytes().byte('R').i32(1).str("").str("t").byte('d').i16(32'767)
        .byte(0).str("a").i32(23).i32(-1));
    expect_malformed(Bytes().byte('M').byte(0).i64(1).str("p").i32(-2));
    expect_malformed(Bytes().byte('M').byte(0).i64(1).str("p").i32(10).raw("short"));
    expect_malformed(Bytes().byte('O').i64(1).raw("no terminator"));
}

TEST(Pgoutput, XLogDataPayloadDecodes) {
    const std::string copy = Bytes().byte('w').i64(lsn_a).i64(lsn_b).i64(0).raw(insert_bytes());
    const auto x = std::get<XLogData>(parse_copy_message(copy));
    EXPECT_EQ(decode_as<Insert>(std::string(x.payload)).new_tuple.size(), 3u);
}

}  // namespace
}  // namespace pgwamp::db::replication
