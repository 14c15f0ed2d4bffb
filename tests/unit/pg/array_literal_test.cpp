#include "pg/array_literal.hpp"

#include <gtest/gtest.h>

#include "pg/casts.hpp"
#include "value_print.hpp"

namespace pgwamp::db {
namespace {

Array parse_text(std::string_view s, char delim = ',') {
    return parse_array_literal(s, delim, casts::to_text);
}
Array parse_int(std::string_view s) { return parse_array_literal(s, ',', casts::to_integer); }
std::string format(const Array& a) {
    return format_array_literal(a, [](const Value& v) {
        if (v.is<std::string>()) return v.as<std::string>();
        if (v.is<std::int64_t>()) return std::to_string(v.as<std::int64_t>());
        return std::string(v.as<bool>() ? "t" : "f");
    });
}

TEST(ArrayLiteralParse, Flat) {
    EXPECT_EQ(parse_int("{}"), Array{});
    EXPECT_EQ(parse_int("{1,2,3}"), (Array{1, 2, 3}));
    EXPECT_EQ(parse_int("{1,NULL,3}"), (Array{1, Null{}, 3}));
    EXPECT_EQ(parse_int("{null,NuLl}"), (Array{Null{}, Null{}}));
    EXPECT_EQ(parse_int(" { 1 , 2 } "), (Array{1, 2}));
}

TEST(ArrayLiteralParse, QuotedAndEscaped) {
    // array_out quotes elements with delimiters, braces, quotes, backslashes,
    // spaces, the word NULL, or nothing at all.
    EXPECT_EQ(parse_text(R"({"NULL",NULL,"","a \"b\"","c\\d","x,y","{}",plain})"),
              (Array{"NULL", Null{}, "", "a \"b\"", "c\\d", "x,y", "{}", "plain"}));
    EXPECT_EQ(parse_text(R"({a\,b,\NULL})"), (Array{"a,b", "NULL"}));  // escaped, so not NULL
    EXPECT_EQ(parse_text("{\"\xc3\xa9t\xc3\xa9\"}"), (Array{"\xc3\xa9t\xc3\xa9"}));
    EXPECT_EQ(parse_text("{\"line\nbreak\"}"), (Array{"line\nbreak"}));
}

TEST(ArrayLiteralParse, MultiDimensional) {
    EXPECT_EQ(parse_int("{{1,2},{3,4}}"), (Array{Array{1, 2}, Array{3, 4}}));
    // Value(...) around a lone element: clang takes Array{Array{..}} for a copy of the inner one.
    EXPECT_EQ(parse_int("{{{1},{NULL}}}"), (Array{Value(Array{Array{1}, Array{Null{}}})}));
    EXPECT_EQ(parse_int("{{{{{{1}}}}}}").size(), 1u);  // six dimensions: PostgreSQL's maximum
    std::string msg = PGWAMP_BAD_VALUE(parse_int("{{{{{{{1}}}}}}}"));
    EXPECT_NE(msg.find("6 dimensions"), std::string::npos) << msg;
}

TEST(ArrayLiteralParse, BoundsPrefixAndDelimiter) {
    EXPECT_EQ(parse_int("[0:1]={7,8}"), (Array{7, 8}));
    EXPECT_EQ(parse_int("[1:1][-2:-1]={{7,8}}"), (Array{Value(Array{7, 8})}));
    EXPECT_EQ(parse_text("{(1,1),(0,0);(2,2),(1,1)}", ';'), (Array{"(1,1),(0,0)", "(2,2),(1,1)"}));
}

TEST(ArrayLiteralParse, ElementCasterErrorsPropagate) {
    PGWAMP_BAD_VALUE(parse_int("{1,x}"));
}

TEST(ArrayLiteralParse, Malformed) {
    for (const char* bad : {"", "1,2", "{1,2", "{1,,2}", "{,}", "{1}x", "{\"abc", "{\"abc\"", "{a\"b}",
                            "{a{b}", "{1 2 {3}}", "[0:1]", "[0:1]=", "{\\", "{}}", "{{1},2}x", "}"}) {
        std::string msg = PGWAMP_BAD_VALUE(parse_text(bad));
        EXPECT_NE(msg.find("array"), std::string::npos) << bad << ": " << msg;
    }
}

// Every prefix and every one-byte corruption of valid literals either parses
// or throws db::Error: never crashes, hangs or throws anything else.
TEST(ArrayLiteralParse, TruncatedAndCorruptedInputNeverCrash) {
    const std::string samples[] = {R"({{"a\"b",NULL},{"c\\d",e}})", "[0:1]={1,2}",
                                   "{{{1,2}},{{3,4}}}"};
    for (const auto& s : samples) {
        for (std::size_t cut = 0; cut <= s.size(); ++cut) {
            try {
                parse_text(s.substr(0, cut));
            } catch (const Error&) {
            }
        }
        for (std::size_t i = 0; i < s.size(); ++i) {
            for (char c : {'{', '}', '"', '\\', ',', 'N', '\0', ' '}) {
                std::string t = s;
                t[i] = c;
                try {
                    parse_text(t);
                } catch (const Error&) {
                }
            }
        }
    }
    SUCCEED();
}

TEST(ArrayLiteralFormat, QuotesEveryElementAndEscapes) {
    EXPECT_EQ(format({}), "{}");
    EXPECT_EQ(format({1, Null{}, "a\"b\\c", "NULL", "x,y", ""}),
              R"({"1",NULL,"a\"b\\c","NULL","x,y",""})");
    EXPECT_EQ(format({Array{1, 2}, Array{3, 4}}), R"({{"1","2"},{"3","4"}})");
    EXPECT_EQ(format({Array{}, Array{}}), "{{},{}}");
}

TEST(ArrayLiteralFormat, RejectsWhatPostgresqlWouldReject) {
    EXPECT_NE(PGWAMP_BAD_VALUE(format({Array{1, 2}, Array{3}})).find("rectangular"), std::string::npos);
    EXPECT_NE(PGWAMP_BAD_VALUE(format({Array{1}, 2})).find("mixes"), std::string::npos);
    EXPECT_NE(PGWAMP_BAD_VALUE(format({1, Array{2}})).find("mixes"), std::string::npos);
    EXPECT_NE(PGWAMP_BAD_VALUE(format({Array{1}, Null{}})).find("mixes"), std::string::npos);
    EXPECT_NE(PGWAMP_BAD_VALUE(format({std::string("a\0b", 3)})).find("NUL"), std::string::npos);
    Value deep = Array{1};
    for (int i = 0; i < 6; ++i) deep = Array{deep};
    EXPECT_NE(PGWAMP_BAD_VALUE(format(deep.as<Array>())).find("6 dimensions"), std::string::npos);
}

TEST(ArrayLiteralFormat, RoundTripsThroughTheParser) {
    Array a{Array{"a\"b", "c\\d", Null{}}, Array{"{x}", "NULL", " sp "}};
    EXPECT_EQ(parse_text(format(a)), a);
}

}  // namespace
}  // namespace pgwamp::db
