// pgoutput messages → row changes: casting, positions, what old and new hold.

#include <gtest/gtest.h>

#include "pg/change_decoder.hpp"
#include "pg/error.hpp"

namespace pgwamp::db {
namespace {

namespace rp = replication;

rp::Column text(std::string v) { return {rp::ColumnKind::text, std::move(v)}; }
rp::Column null() { return {rp::ColumnKind::null, {}}; }
rp::Column toast() { return {rp::ColumnKind::unchanged_toast, {}}; }

rp::Relation notes() {
    rp::Relation r;
    r.oid = 16384;
    r.namespace_name = "public";
    r.name = "notes";
    r.columns = {{1, "id", pg_type::int4, -1}, {0, "body", pg_type::text, -1}, {0, "done", pg_type::bool_, -1}};
    return r;
}

const Value* field(const Object& o, const std::string& name) {
    for (const auto& [k, v] : o)
        if (k == name) return &v;
    return nullptr;
}

struct ChangeDecoderTest : ::testing::Test {
    ChangeDecoder decoder{TypeRegistry::defaults()};
    std::vector<RowChange> out;

    ChangeDecoder::Step feed(rp::PgoutputMessage m) { return decoder.feed(m, out); }
    void begin(rp::Lsn final_lsn) {
        ASSERT_EQ(feed(rp::Begin{final_lsn, 0, 42}), ChangeDecoder::Step::begin);
    }
};

TEST_F(ChangeDecoderTest, InsertIsCastLikeAQueryResult) {
    feed(notes());
    begin(0x1A2B3C);
    ASSERT_EQ(feed(rp::Insert{16384, {text("7"), text("hello"), text("t")}}), ChangeDecoder::Step::change);
    ASSERT_EQ(out.size(), 1u);
    const auto& c = out[0];
    EXPECT_EQ(c.op, "insert");
    EXPECT_EQ(c.schema, "public");
    EXPECT_EQ(c.table, "notes");
    EXPECT_EQ(c.xid, 42u);
    EXPECT_EQ(c.commit_time, "2000-01-01T00:00:00.000000Z");
    EXPECT_EQ(c.position, "00000000001A2B3C/00000000");
    ASSERT_TRUE(c.new_row);
    EXPECT_EQ(field(*c.new_row, "id")->as<std::int64_t>(), 7);
    EXPECT_EQ(field(*c.new_row, "body")->as<std::string>(), "hello");
    EXPECT_EQ(field(*c.new_row, "done")->as<bool>(), true);
    EXPECT_FALSE(c.old_row);
}

TEST_F(ChangeDecoderTest, PositionsNumberTheChangesOfATransaction) {
    feed(notes());
    begin(0x500);
    feed(rp::Insert{16384, {text("1"), text("a"), null()}});
    feed(rp::Insert{16384, {text("2"), text("b"), null()}});
    EXPECT_EQ(feed(rp::Commit{0, 0x500, 0x530, 0}), ChangeDecoder::Step::commit);
    EXPECT_EQ(decoder.commit_end_lsn(), 0x530u);
    begin(0x600);
    feed(rp::Insert{16384, {text("3"), text("c"), null()}});
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(out[0].position, "0000000000000500/00000000");
    EXPECT_EQ(out[1].position, "0000000000000500/00000001");
    EXPECT_EQ(out[2].position, "0000000000000600/00000000");
    EXPECT_LT(out[1].position, out[2].position);
    EXPECT_TRUE(field(*out[0].new_row, "done")->is<Null>());
}

TEST_F(ChangeDecoderTest, UnchangedToastIsAbsentNotNull) {
    feed(notes());
    begin(0x10);
    feed(rp::Update{16384, std::nullopt, {text("1"), toast(), text("f")}});
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].op, "update");
    EXPECT_EQ(field(*out[0].new_row, "body"), nullptr);
    EXPECT_EQ(field(*out[0].new_row, "done")->as<bool>(), false);
    EXPECT_FALSE(out[0].old_row);
}

TEST_F(ChangeDecoderTest, OldKeyHoldsOnlyTheKeyAndFullOldHoldsTheRow) {
    feed(notes());
    begin(0x10);
    feed(rp::Delete{16384, {rp::OldKind::key, {text("9"), null(), null()}}});
    feed(rp::Delete{16384, {rp::OldKind::full, {text("9"), text("gone"), text("t")}}});
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].old_row->size(), 1u);
    EXPECT_EQ(field(*out[0].old_row, "id")->as<std::int64_t>(), 9);
    EXPECT_FALSE(out[0].new_row);
    EXPECT_EQ(out[1].old_row->size(), 3u);
    EXPECT_EQ(field(*out[1].old_row, "body")->as<std::string>(), "gone");
}

TEST_F(ChangeDecoderTest, TruncateGivesOneChangePerTable) {
    feed(notes());
    auto other = notes();
    other.oid = 16400;
    other.name = "tags";
    feed(other);
    begin(0x10);
    feed(rp::Truncate{0, {16384, 16400}});
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].op, "truncate");
    EXPECT_EQ(out[0].table, "notes");
    EXPECT_EQ(out[1].table, "tags");
    EXPECT_NE(out[0].position, out[1].position);
}

TEST_F(ChangeDecoderTest, AValueThatDoesNotCastIsKeptAsText) {
    feed(notes());
    begin(0x10);
    feed(rp::Insert{16384, {text("not a number"), text("x"), text("t")}});
    EXPECT_EQ(field(*out[0].new_row, "id")->as<std::string>(), "not a number");
}

TEST_F(ChangeDecoderTest, AChangeOfAnUndescribedRelationIsAProtocolError) {
    begin(0x10);
    EXPECT_THROW(feed(rp::Insert{999, {text("1")}}), Error);
    decoder.reset();
    feed(notes());
    decoder.reset();  // a new stream: relations come again
    begin(0x10);
    EXPECT_THROW(feed(rp::Insert{16384, {text("1"), text("a"), null()}}), Error);
}

TEST(ChangeDecoderFormat, IsoTimeAndPositions) {
    EXPECT_EQ(iso_time_utc(0), "2000-01-01T00:00:00.000000Z");
    EXPECT_EQ(iso_time_utc(-1), "1999-12-31T23:59:59.999999Z");
    // 2026-11-30T08:00:00.123456Z
    EXPECT_EQ(iso_time_utc(849'340'800'123'456LL), "2026-11-30T08:00:00.123456Z");
    EXPECT_EQ(change_position(0xFFFFFFFFFFFFFFFFull, 0xFFFFFFFFu), "FFFFFFFFFFFFFFFF/FFFFFFFF");
}

}  // namespace
}  // namespace pgwamp::db
