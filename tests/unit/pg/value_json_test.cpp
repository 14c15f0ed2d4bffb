#include "pg/value_json.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "value_print.hpp"

namespace pgwamp::db {
namespace {

TEST(ParseJson, Scalars) {
    EXPECT_EQ(parse_json("null"), Value(Null{}));
    EXPECT_EQ(parse_json("true"), Value(true));
    EXPECT_EQ(parse_json(" false "), Value(false));
    EXPECT_EQ(parse_json("-42"), Value(-42));
    EXPECT_EQ(parse_json("9223372036854775807"), Value(std::numeric_limits<std::int64_t>::max()));
    EXPECT_EQ(parse_json("-9223372036854775808"), Value(std::numeric_limits<std::int64_t>::min()));
    // Beyond int64: a double, as a JavaScript client would read it.
    EXPECT_EQ(parse_json("9223372036854775808"), Value(9223372036854775808.0));
    EXPECT_EQ(parse_json("123456789012345678901234567890"), Value(1.2345678901234568e29));
    EXPECT_EQ(parse_json("1.5"), Value(1.5));
    EXPECT_EQ(parse_json("1e2"), Value(100.0));
    EXPECT_EQ(parse_json("1.0"), Value(1.0));
    EXPECT_EQ(parse_json(R"("a\"b\\c\n\u00e9\ud83d\ude00")"),
              Value("a\"b\\c\n\xc3\xa9\xf0\x9f\x98\x80"));
}

TEST(ParseJson, NestingKeepsOrderAndDuplicates) {
    Value v = parse_json(R"({"b": 1, "a": [1, {"c": null}, []], "b": "again", "": {}})");
    Object expected{{"b", 1}, {"a", Array{1, Object{{"c", Null{}}}, Array{}}}, {"b", "again"},
                    {"", Object{}}};
    EXPECT_EQ(v, Value(expected));
    EXPECT_EQ(parse_json("[[[]]]"), Value(Array{Value(Array{Value(Array{})})}));
}

TEST(ParseJson, MalformedGivesClearErrorWithoutTheText) {
    for (const char* bad : {"", "{", "[1,]", "{\"a\" 1}", "tru", "01", "\"abc", "1 2", "NaN",
                            "{\"password\": hunter2}", "[1]]", "\"\\u12\""}) {
        std::string msg = PGWAMP_BAD_VALUE(parse_json(bad));
        EXPECT_NE(msg.find("JSON"), std::string::npos) << bad << ": " << msg;
        EXPECT_EQ(msg.find("hunter2"), std::string::npos) << msg;
    }
}

TEST(ParseJson, NumbersBeyondDoubleAreRejected) {
    std::string msg = PGWAMP_BAD_VALUE(parse_json("[1e400]"));
    EXPECT_NE(msg.find("out of range"), std::string::npos) << msg;
}

TEST(ParseJson, DepthIsBounded) {
    auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
    EXPECT_NO_THROW(parse_json(nested(max_json_depth)));
    std::string msg = PGWAMP_BAD_VALUE(parse_json(nested(max_json_depth + 1)));
    EXPECT_NE(msg.find("deeper"), std::string::npos) << msg;
    PGWAMP_BAD_VALUE(parse_json(nested(200000)));  // no stack overflow
    PGWAMP_BAD_VALUE(parse_json(std::string(200000, '[')));
}

TEST(ToJson, WritesCompactJson) {
    Value v = Object{{"s", "q\"\\\n\t\x01\xc3\xa9"}, {"i", -7}, {"d", 0.1}, {"big", 1e300},
                     {"a", Array{true, false, Null{}}}, {"o", Object{}}};
    EXPECT_EQ(to_json(v),
              R"({"s":"q\"\\\n\t\u0001)" "\xc3\xa9" R"(","i":-7,"d":0.1,"big":1e+300,"a":[true,false,null],"o":{}})");
}

TEST(ToJson, IntegralDoublesStayDoubles) {
    EXPECT_EQ(to_json(Value(Array{100.0, -0.0, 1e20, 1.5, 100})), "[100.0,-0.0,1e+20,1.5,100]");
}

TEST(ToJson, RoundTripsThroughTheParser) {
    Value v = Object{{"k", Array{1, 2.5, 100.0, -0.0, 1e20, "x", Object{{"n", Null{}}}}}, {"k", false}};
    EXPECT_EQ(parse_json(to_json(v)), v);
}

TEST(ToJson, RejectsWhatJsonCannotSay) {
    EXPECT_NE(PGWAMP_BAD_VALUE(to_json(Value(Array{Bytes{1}}))).find("bytes"), std::string::npos);
    EXPECT_NE(PGWAMP_BAD_VALUE(to_json(Value(std::nan("")))).find("NaN"), std::string::npos);
    PGWAMP_BAD_VALUE(to_json(Value(Object{{"x", std::numeric_limits<double>::infinity()}})));
    Value deep = Array{};
    for (int i = 0; i < max_json_depth + 1; ++i) deep = Array{deep};
    EXPECT_NE(PGWAMP_BAD_VALUE(to_json(deep)).find("deeper"), std::string::npos);
}

}  // namespace
}  // namespace pgwamp::db
