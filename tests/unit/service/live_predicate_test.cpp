// A live predicate evaluated here must agree with the SQL PostgreSQL runs
// for the snapshot; and its index terms must cover every row it matches.
#include "service/live_predicate.hpp"

#include <gtest/gtest.h>

#include "config/config.hpp"
#include "service/error_mapping.hpp"
#include "service/live_index.hpp"

namespace pgwamp::service {
namespace {

using config::LiveOp;
using config::LivePredicate;
using config::LiveValue;

LivePredicate compare(const std::string& column, LiveOp op, std::vector<LiveValue> values) {
    LivePredicate p;
    p.kind = LivePredicate::Kind::compare;
    p.column = column;
    p.op = op;
    p.values = std::move(values);
    return p;
}
LiveValue literal(nlohmann::json j) {
    LiveValue v;
    v.literal = std::move(j);
    return v;
}
LiveValue caller_authid() {
    LiveValue v;
    v.kind = LiveValue::Kind::caller_authid;
    return v;
}
LiveValue arg(const std::string& name) {
    LiveValue v;
    v.kind = LiveValue::Kind::argument;
    v.argument = name;
    return v;
}
LivePredicate any_of(std::vector<LivePredicate> terms) {
    LivePredicate p;
    p.kind = LivePredicate::Kind::any;
    p.terms = std::move(terms);
    return p;
}
LivePredicate all_of(std::vector<LivePredicate> terms) {
    LivePredicate p;
    p.kind = LivePredicate::Kind::all;
    p.terms = std::move(terms);
    return p;
}

const std::map<std::string, ColumnFamily> notes = {{"id", ColumnFamily::integer},
                                                   {"owner", ColumnFamily::text},
                                                   {"body", ColumnFamily::text},
                                                   {"public", ColumnFamily::boolean},
                                                   {"created_at", ColumnFamily::other}};

// The demo's: own notes and public ones.
LivePredicate own_or_public() {
    return any_of({compare("owner", LiveOp::eq, {caller_authid()}), compare("public", LiveOp::eq, {literal(true)})});
}

Object note(std::int64_t id, Value owner, Value is_public, std::string body = "b") {
    return {{"id", id}, {"owner", std::move(owner)}, {"public", std::move(is_public)}, {"body", std::move(body)}};
}

TEST(LivePredicate, OwnOrPublic) {
    const auto p = BoundPredicate::bind(own_or_public(), {"alice", "user"}, {}, notes);
    EXPECT_TRUE(p.matches(note(1, "alice", false)));
    EXPECT_TRUE(p.matches(note(2, "bob", true)));
    EXPECT_FALSE(p.matches(note(3, "bob", false)));
    // NULL compares as unknown: never true (SQL: NULL = 'alice' is not true).
    EXPECT_FALSE(p.matches(note(4, Value(), false)));
    EXPECT_FALSE(p.matches(note(5, Value(), Value())));
    EXPECT_FALSE(p.matches(Object{{"id", 6}}));  // columns absent: not a match
    std::vector<Value> params;
    EXPECT_EQ(p.sql(params), "(\"owner\" = $1 OR \"public\" = $2)");
    EXPECT_EQ(params, (std::vector<Value>{Value("alice"), Value(true)}));
}

TEST(LivePredicate, TheCallersIdentityIsDataNeverSql) {
    const auto p = BoundPredicate::bind(own_or_public(), {"x' OR true --", "user"}, {}, notes);
    std::vector<Value> params;
    EXPECT_EQ(p.sql(params).find("OR true"), std::string::npos);
    EXPECT_EQ(params.front(), Value("x' OR true --"));
    EXPECT_FALSE(p.matches(note(1, "alice", false)));
}

TEST(LivePredicate, OrderingComparesTextBytewiseAsCollateC) {
    const auto p = BoundPredicate::bind(compare("body", LiveOp::ge, {literal("m")}), {"a", "r"}, {}, notes);
    EXPECT_TRUE(p.matches(note(1, "a", true, "n")));
    EXPECT_FALSE(p.matches(note(1, "a", true, "Z")));  // 'Z' < 'm' in byte order (not in en_US)
    EXPECT_TRUE(p.matches(note(1, "a", true, "\xc3\xa9")));  // é: UTF-8 bytes above ASCII
    std::vector<Value> params;
    EXPECT_EQ(p.sql(params), "\"body\" COLLATE \"C\" >= $1");
}

TEST(LivePredicate, IntegersAndArguments) {
    const auto p = BoundPredicate::bind(
        all_of({compare("id", LiveOp::gt, {arg("min")}), compare("id", LiveOp::le, {literal(10)})}), {"a", "r"},
        {{"min", Value(std::int64_t{3})}}, notes);
    EXPECT_FALSE(p.matches(note(3, "a", true)));
    EXPECT_TRUE(p.matches(note(4, "a", true)));
    EXPECT_TRUE(p.matches(note(10, "a", true)));
    EXPECT_FALSE(p.matches(note(11, "a", true)));
    std::vector<Value> params{Value("earlier")};
    EXPECT_EQ(p.sql(params), "(\"id\" > $2 AND \"id\" <= $3)");
    // A null argument: the comparison is never true, as in SQL.
    const auto null_min = BoundPredicate::bind(compare("id", LiveOp::gt, {arg("min")}), {"a", "r"},
                                               {{"min", Value()}}, notes);
    EXPECT_FALSE(null_min.matches(note(4, "a", true)));
}

TEST(LivePredicate, InAnArrayArgument) {
    const auto p = BoundPredicate::bind(compare("id", LiveOp::in, {arg("ids")}), {"a", "r"},
                                        {{"ids", Value(Array{Value(2), Value(5), Value()})}}, notes);
    EXPECT_TRUE(p.matches(note(5, "a", true)));
    EXPECT_FALSE(p.matches(note(3, "a", true)));
    std::vector<Value> params;
    EXPECT_EQ(p.sql(params), "\"id\" IN ($1, $2, $3)");
    const auto empty = BoundPredicate::bind(compare("id", LiveOp::in, {arg("ids")}), {"a", "r"},
                                            {{"ids", Value(Array{})}}, notes);
    EXPECT_FALSE(empty.matches(note(5, "a", true)));
    params.clear();
    EXPECT_EQ(empty.sql(params), "false");
    EXPECT_THROW(BoundPredicate::bind(compare("id", LiveOp::in, {arg("ids")}), {"a", "r"},
                                      {{"ids", Value(Array{Value("2")})}}, notes),
                 InvalidArgument);
    Array many(1001, Value(1));
    EXPECT_THROW(
        BoundPredicate::bind(compare("id", LiveOp::in, {arg("ids")}), {"a", "r"}, {{"ids", Value(many)}}, notes),
        InvalidArgument);
}

TEST(LivePredicate, TypesThatCouldDisagreeAreRefused) {
    const std::vector<config::ArgConfig> args = {{"n", config::ArgType::integer}, {"s", config::ArgType::string}};
    EXPECT_FALSE(check_types(own_or_public(), args, notes));
    EXPECT_TRUE(check_types(compare("created_at", LiveOp::lt, {literal("2026-01-01")}), args, notes));
    EXPECT_TRUE(check_types(compare("id", LiveOp::eq, {literal("1")}), args, notes));
    EXPECT_TRUE(check_types(compare("id", LiveOp::eq, {caller_authid()}), args, notes));
    EXPECT_TRUE(check_types(compare("owner", LiveOp::eq, {arg("n")}), args, notes));
    EXPECT_FALSE(check_types(compare("owner", LiveOp::eq, {arg("s")}), args, notes));
    EXPECT_TRUE(check_types(compare("missing", LiveOp::eq, {literal(1)}), args, notes));
    EXPECT_EQ(column_family("int4"), ColumnFamily::integer);
    EXPECT_EQ(column_family("varchar"), ColumnFamily::text);
    EXPECT_EQ(column_family("numeric"), ColumnFamily::other);
    EXPECT_EQ(column_family("bpchar"), ColumnFamily::other);  // blank-padded: '=' ignores trailing spaces
}

TEST(LivePredicate, IndexTermsCoverEveryMatchingRow) {
    using Terms = std::vector<std::pair<std::string, Value>>;
    auto terms = [](const LivePredicate& p) {
        return BoundPredicate::bind(p, {"alice", "user"}, {{"min", Value(1)}}, notes).index_terms();
    };
    EXPECT_EQ(terms(own_or_public()), (Terms{{"owner", Value("alice")}, {"public", Value(true)}}));
    // AND: the narrowest equality will do.
    EXPECT_EQ(terms(all_of({compare("id", LiveOp::gt, {arg("min")}), compare("owner", LiveOp::eq, {caller_authid()})})),
              (Terms{{"owner", Value("alice")}}));
    // OR with a branch that has no equality: tested on every change.
    EXPECT_FALSE(terms(any_of({compare("owner", LiveOp::eq, {caller_authid()}), compare("id", LiveOp::gt, {arg("min")})})));
    EXPECT_FALSE(terms(LivePredicate{}));  // every row
}

TEST(LiveIndex, AChangeConcernsOnlyTheQueriesFiledUnderItsValues) {
    LiveIndex index;
    for (std::uint64_t id = 1; id <= 1000; ++id) {
        const auto p = BoundPredicate::bind(compare("owner", LiveOp::eq, {caller_authid()}),
                                            {"user" + std::to_string(id), "user"}, {}, notes);
        index.add(id, p.index_terms());
    }
    index.add(2000, std::nullopt);  // unindexed: always a candidate
    const Object old_row = note(1, "user7", false), new_row = note(1, "user8", false);
    EXPECT_EQ(index.candidates(&old_row, &new_row), (std::vector<std::uint64_t>{7, 8, 2000}));
    EXPECT_EQ(index.candidates(nullptr, &new_row), (std::vector<std::uint64_t>{8, 2000}));
    index.remove(8);
    index.remove(2000);
    EXPECT_EQ(index.candidates(&old_row, &new_row), (std::vector<std::uint64_t>{7}));
    EXPECT_EQ(index.size(), 999u);
    const Object nobody = note(2, Value(), false);
    EXPECT_TRUE(index.candidates(&nobody, nullptr).empty());
}

}  // namespace
}  // namespace pgwamp::service
