#include "pg/casts.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "value_print.hpp"

namespace pgwamp::db {
namespace {

using namespace std::string_literals;

TEST(Casts, Bool) {
    EXPECT_EQ(casts::to_bool("t"), Value(true));
    EXPECT_EQ(casts::to_bool("f"), Value(false));
    PGWAMP_BAD_VALUE(casts::to_bool("true"));
    PGWAMP_BAD_VALUE(casts::to_bool(""));
}

TEST(Casts, Integers) {
    EXPECT_EQ(casts::to_integer("0"), Value(0));
    EXPECT_EQ(casts::to_integer("-32768"), Value(-32768));
    EXPECT_EQ(casts::to_integer("4294967295"), Value(std::int64_t{4294967295}));  // oid max
    EXPECT_EQ(casts::to_integer("9223372036854775807"),
              Value(std::numeric_limits<std::int64_t>::max()));
    EXPECT_EQ(casts::to_integer("-9223372036854775808"),
              Value(std::numeric_limits<std::int64_t>::min()));
    EXPECT_NE(PGWAMP_BAD_VALUE(casts::to_integer("9223372036854775808")).find("range"),
              std::string::npos);
    for (const char* bad : {"", "12a", " 1", "1 ", "+1", "1.0", "-", "0x10"}) {
        SCOPED_TRACE(bad);
        PGWAMP_BAD_VALUE(casts::to_integer(bad));
    }
}

TEST(Casts, Floats) {
    EXPECT_EQ(casts::to_float("1.5"), Value(1.5));
    EXPECT_EQ(casts::to_float("1.1"), Value(1.1));  // float4's shortest text reads as the double
    EXPECT_EQ(casts::to_float("-1e+20"), Value(-1e20));
    EXPECT_EQ(casts::to_float("1.7976931348623157e+308"), Value(1.7976931348623157e308));
    EXPECT_EQ(casts::to_float("5e-324"), Value(5e-324));
    Value zero = casts::to_float("-0");
    ASSERT_TRUE(zero.is<double>());
    EXPECT_TRUE(std::signbit(zero.as<double>()));
    // JSON cannot carry these, so they travel as PostgreSQL's own spelling.
    EXPECT_EQ(casts::to_float("NaN"), Value("NaN"));
    EXPECT_EQ(casts::to_float("Infinity"), Value("Infinity"));
    EXPECT_EQ(casts::to_float("-Infinity"), Value("-Infinity"));
    // Not PostgreSQL's output, but still never a double infinity.
    EXPECT_EQ(casts::to_float("inf"), Value("Infinity"));
    for (const char* bad : {"", "abc", "1.5x", " 1", "1e999"}) {
        SCOPED_TRACE(bad);
        PGWAMP_BAD_VALUE(casts::to_float(bad));
    }
}

TEST(Casts, ByteaHex) {
    EXPECT_EQ(casts::to_bytea("\\x"), Value(Bytes{}));
    EXPECT_EQ(casts::to_bytea("\\x00ff10"), Value(Bytes{0x00, 0xff, 0x10}));
    EXPECT_EQ(casts::to_bytea("\\xABcd"), Value(Bytes{0xab, 0xcd}));
    PGWAMP_BAD_VALUE(casts::to_bytea("\\x0"));
    PGWAMP_BAD_VALUE(casts::to_bytea("\\x0g"));
}

TEST(Casts, ByteaEscape) {
    EXPECT_EQ(casts::to_bytea(""), Value(Bytes{}));
    EXPECT_EQ(casts::to_bytea("a\\000b\\\\\\377"), Value(Bytes{'a', 0, 'b', '\\', 0xff}));
    PGWAMP_BAD_VALUE(casts::to_bytea("\\9"));
    PGWAMP_BAD_VALUE(casts::to_bytea("ab\\"));
    PGWAMP_BAD_VALUE(casts::to_bytea("\\40"));
    PGWAMP_BAD_VALUE(casts::to_bytea("\\400"));  // above \377
}

TEST(Casts, Date) {
    EXPECT_EQ(casts::to_date("2026-11-21"), Value("2026-11-21"));
    EXPECT_EQ(casts::to_date("0044-03-15 BC"), Value("0044-03-15 BC"));
    EXPECT_EQ(casts::to_date("4714-11-24 BC"), Value("4714-11-24 BC"));
    EXPECT_EQ(casts::to_date("10000-01-01"), Value("10000-01-01"));
    EXPECT_EQ(casts::to_date("infinity"), Value("infinity"));
    EXPECT_EQ(casts::to_date("-infinity"), Value("-infinity"));
    // Not ISO output (another DateStyle): passed through, never guessed at.
    EXPECT_EQ(casts::to_date("11/21/2026"), Value("11/21/2026"));
    EXPECT_EQ(casts::to_date(""), Value(""));
}

TEST(Casts, Time) {
    EXPECT_EQ(casts::to_time("07:00:00"), Value("07:00:00"));
    EXPECT_EQ(casts::to_time("07:00:00.5"), Value("07:00:00.5"));
    EXPECT_EQ(casts::to_time("24:00:00"), Value("24:00:00"));
    EXPECT_EQ(casts::to_time("07:00:00+00"), Value("07:00:00+00:00"));
    EXPECT_EQ(casts::to_time("07:00:00.123456-03"), Value("07:00:00.123456-03:00"));
    EXPECT_EQ(casts::to_time("07:00:00-03:30"), Value("07:00:00-03:30"));
    EXPECT_EQ(casts::to_time("07:00:00+05:53:28"), Value("07:00:00+05:53:28"));
    EXPECT_EQ(casts::to_time("7am"), Value("7am"));
}

TEST(Casts, Timestamp) {
    EXPECT_EQ(casts::to_timestamp("2026-11-21 07:00:00"), Value("2026-11-21T07:00:00"));
    EXPECT_EQ(casts::to_timestamp("2026-11-21 07:00:00+00"), Value("2026-11-21T07:00:00+00:00"));
    EXPECT_EQ(casts::to_timestamp("2026-11-21 07:00:00.123456+05:30"),
              Value("2026-11-21T07:00:00.123456+05:30"));
    EXPECT_EQ(casts::to_timestamp("1850-01-01 00:00:00+00:09:21"),
              Value("1850-01-01T00:00:00+00:09:21"));
    EXPECT_EQ(casts::to_timestamp("0044-03-15 07:00:00+00 BC"), Value("0044-03-15T07:00:00+00:00 BC"));
    EXPECT_EQ(casts::to_timestamp("0044-03-15 07:00:00 BC"), Value("0044-03-15T07:00:00 BC"));
    EXPECT_EQ(casts::to_timestamp("infinity"), Value("infinity"));
    EXPECT_EQ(casts::to_timestamp("-infinity"), Value("-infinity"));
    EXPECT_EQ(casts::to_timestamp("Sat Nov 21 07:00:00 2026 UTC"),
              Value("Sat Nov 21 07:00:00 2026 UTC"));
    EXPECT_EQ(casts::to_timestamp("2026-11-21"), Value("2026-11-21"));
    EXPECT_EQ(casts::to_timestamp(" BC"), Value(" BC"));
    EXPECT_EQ(casts::to_timestamp(""), Value(""));
}

TEST(Casts, IntervalAndText) {
    EXPECT_EQ(casts::to_interval("P1Y2M3DT4H5M6.5S"), Value("P1Y2M3DT4H5M6.5S"));
    EXPECT_EQ(casts::to_text("x\ty"), Value("x\ty"));
    EXPECT_EQ(casts::to_text(std::string_view("a\0b", 3)), Value("a\0b"s));
}

TEST(Casts, Hstore) {
    EXPECT_EQ(casts::to_hstore(""), Value(Object{}));
    EXPECT_EQ(casts::to_hstore(R"("a"=>"1", "b"=>NULL)"), Value(Object{{"a", "1"}, {"b", Null{}}}));
    EXPECT_EQ(casts::to_hstore(R"("q\"k"=>"b\\s", "NULL"=>"NULL", ""=>"")"),
              Value(Object{{"q\"k", "b\\s"}, {"NULL", "NULL"}, {"", ""}}));
    for (const char* bad : {R"("a")", R"("a"=>)", R"("a"=>"1",)", R"("a"=>"1" "b"=>"2")",
                            R"(a=>"1")", R"("a"=>"1)", R"("a"=>nul)"}) {
        SCOPED_TRACE(bad);
        std::string msg = PGWAMP_BAD_VALUE(casts::to_hstore(bad));
        EXPECT_NE(msg.find("hstore"), std::string::npos) << msg;
    }
}

TEST(Casts, MessagesNeverQuoteTheValue) {
    std::string msg = PGWAMP_BAD_VALUE(casts::to_integer("hunter2"));
    EXPECT_EQ(msg.find("hunter2"), std::string::npos) << msg;
}

}  // namespace
}  // namespace pgwamp::db
