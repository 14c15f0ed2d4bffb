#include "pg/params.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "value_print.hpp"

namespace pgwamp::db {
namespace {

namespace t = pg_type;

struct One {
    Oid type;
    std::string text;
    int format;
    bool null;
};

One bind_one(const Value& v) {
    BoundParams p = bind_params({v});
    EXPECT_EQ(p.size(), 1);
    bool null = p.values[0] == nullptr;
    return {p.types[0], null ? std::string() : std::string(p.values[0], p.lengths[0]), p.formats[0],
            null};
}

TEST(BindParams, Scalars) {
    One n = bind_one(Null{});
    EXPECT_TRUE(n.null);
    EXPECT_EQ(n.type, t::unspecified);
    One b = bind_one(true);
    EXPECT_EQ(b.type, t::bool_);
    EXPECT_EQ(b.text, "true");
    EXPECT_EQ(bind_one(false).text, "false");
    One s = bind_one("it's \"x\"");
    EXPECT_EQ(s.type, t::unspecified);  // the server infers: name = $1, $1::date, ...
    EXPECT_EQ(s.text, "it's \"x\"");
    EXPECT_EQ(bind_one("").text, "");
}

TEST(BindParams, IntegersAreTypedLikeSqlLiterals) {
    One small = bind_one(5);
    EXPECT_EQ(small.type, t::int4);
    EXPECT_EQ(small.text, "5");
    EXPECT_EQ(bind_one(std::int64_t{-2147483648}).type, t::int4);
    EXPECT_EQ(bind_one(std::int64_t{2147483647}).type, t::int4);
    One big = bind_one(std::int64_t{2147483648});
    EXPECT_EQ(big.type, t::int8);
    EXPECT_EQ(big.text, "2147483648");
    One min = bind_one(std::numeric_limits<std::int64_t>::min());
    EXPECT_EQ(min.type, t::int8);
    EXPECT_EQ(min.text, "-9223372036854775808");
}

TEST(BindParams, DoublesRoundTripAndSpellSpecials) {
    EXPECT_EQ(bind_one(1.5).type, t::float8);
    EXPECT_EQ(bind_one(0.1).text, "0.1");
    EXPECT_EQ(bind_one(1e300).text, "1e+300");
    EXPECT_EQ(bind_one(-0.0).text, "-0");
    EXPECT_EQ(bind_one(5e-324).text, "5e-324");
    EXPECT_EQ(bind_one(std::nan("")).text, "NaN");
    EXPECT_EQ(bind_one(std::numeric_limits<double>::infinity()).text, "Infinity");
    EXPECT_EQ(bind_one(-std::numeric_limits<double>::infinity()).text, "-Infinity");
}

TEST(BindParams, BytesAreBinaryBytea) {
    One b = bind_one(Bytes{0, 1, 0xff, 0});
    EXPECT_EQ(b.type, t::bytea);
    EXPECT_EQ(b.format, 1);
    EXPECT_EQ(b.text, std::string("\0\1\xff\0", 4));
    One empty = bind_one(Bytes{});
    EXPECT_FALSE(empty.null);
    EXPECT_EQ(empty.text, "");
}

TEST(BindParams, ArraysBecomeQuotedLiterals) {
    One a = bind_one(Array{1, Null{}, "a\"b\\c", true, 2.5});
    EXPECT_EQ(a.type, t::unspecified);
    EXPECT_EQ(a.text, R"({"1",NULL,"a\"b\\c","true","2.5"})");
    EXPECT_EQ(bind_one(Array{Array{1, 2}, Array{3, 4}}).text, R"({{"1","2"},{"3","4"}})");
    EXPECT_EQ(bind_one(Array{Bytes{1, 0xab}}).text, R"({"\\x01ab"})");
    EXPECT_EQ(bind_one(Array{Object{{"k", "v\""}}}).text, R"({"{\"k\":\"v\\\"\"}"})");
    EXPECT_EQ(bind_one(Array{}).text, "{}");
}

TEST(BindParams, ObjectsAreJsonb) {
    One o = bind_one(Object{{"a", Array{1, Null{}}}, {"b", Object{}}});
    EXPECT_EQ(o.type, t::jsonb);
    EXPECT_EQ(o.text, R"({"a":[1,null],"b":{}})");
}

TEST(BindParams, ErrorsNameTheParameter) {
    std::string msg = PGWAMP_BAD_VALUE(bind_params({1, std::string("a\0b", 3)}));
    EXPECT_NE(msg.find("$2"), std::string::npos) << msg;
    EXPECT_NE(msg.find("NUL"), std::string::npos) << msg;
    msg = PGWAMP_BAD_VALUE(bind_params({1, 2, Array{Array{1}, Array{1, 2}}}));
    EXPECT_NE(msg.find("$3"), std::string::npos) << msg;
    EXPECT_NE(msg.find("rectangular"), std::string::npos) << msg;
    msg = PGWAMP_BAD_VALUE(bind_params({Object{{"x", std::nan("")}}}));
    EXPECT_NE(msg.find("$1"), std::string::npos) << msg;
    msg = PGWAMP_BAD_VALUE(bind_params({Object{{"x", Bytes{1}}}}));
    EXPECT_NE(msg.find("bytes"), std::string::npos) << msg;
    msg = PGWAMP_BAD_VALUE(bind_params(std::vector<Value>(65536, Value(1))));
    EXPECT_NE(msg.find("65535"), std::string::npos) << msg;
    EXPECT_EQ(bind_params(std::vector<Value>(65535, Value(1))).size(), 65535);
}

// values[] must point into storage[] of the same object: short strings live
// inside the std::string, so a careless copy or growth would dangle.
void expect_self_contained(const BoundParams& p) {
    ASSERT_EQ(p.values.size(), p.storage.size());
    for (std::size_t i = 0; i < p.values.size(); ++i) {
        if (p.values[i] != nullptr) {
            EXPECT_EQ(p.values[i], p.storage[i].data()) << i;
        }
    }
}

TEST(BoundParamsLifetime, ManyShortValuesCopiesAndMoves) {
    std::vector<Value> in;
    for (int i = 0; i < 100; ++i) in.push_back(i % 7 == 0 ? Value(Null{}) : Value(std::to_string(i)));
    BoundParams p = bind_params(in);
    expect_self_contained(p);
    auto copy = std::make_unique<BoundParams>(p);
    BoundParams assigned;
    assigned = p;
    p = BoundParams{};  // the original goes away
    expect_self_contained(*copy);
    expect_self_contained(assigned);
    BoundParams moved = std::move(*copy);
    copy.reset();
    expect_self_contained(moved);
    EXPECT_EQ(std::strcmp(moved.values[1], "1"), 0);
    EXPECT_EQ(moved.values[0], nullptr);
    EXPECT_EQ(std::strcmp(assigned.values[99], "99"), 0);
}

TEST(ParamText, MatchesTheAdapters) {
    EXPECT_EQ(param_text(Bytes{0xde, 0xad}), "\\xdead");
    EXPECT_EQ(param_text(Object{{"a", 1}}), R"({"a":1})");
    EXPECT_EQ(param_text(Array{1, 2}), R"({"1","2"})");
    PGWAMP_BAD_VALUE(param_text(Null{}));
}

}  // namespace
}  // namespace pgwamp::db
