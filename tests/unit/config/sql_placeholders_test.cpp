// The placeholder lexer: what counts as $n and what does not.

#include <gtest/gtest.h>

#include "config/sql_placeholders.hpp"

namespace pgwamp::config {
namespace {

std::vector<unsigned> numbers(std::string_view sql) {
    const auto scan = scan_placeholders(sql);
    EXPECT_FALSE(scan.error) << sql << ": " << scan.error.value_or("");
    return scan.numbers;
}

std::string error(std::string_view sql) {
    const auto scan = scan_placeholders(sql);
    EXPECT_TRUE(scan.error) << sql;
    return scan.error.value_or("");
}

using N = std::vector<unsigned>;

TEST(Placeholders, Plain) {
    EXPECT_EQ(numbers("SELECT 1"), N{});
    EXPECT_EQ(numbers("SELECT $1"), N{1});
    EXPECT_EQ(numbers("SELECT $2, $1, $2"), (N{1, 2}));
    EXPECT_EQ(numbers("SELECT $10+$3"), (N{3, 10}));
    EXPECT_EQ(numbers("SELECT $1::int"), N{1});
    EXPECT_EQ(numbers("SELECT ($1)"), N{1});
}

TEST(Placeholders, SkipsStringsIdentifiersComments) {
    EXPECT_EQ(numbers("SELECT '$1', $2"), N{2});
    EXPECT_EQ(numbers("SELECT 'it''s $1', $2"), N{2});
    EXPECT_EQ(numbers("SELECT E'\\' $1', $2"), N{2});
    EXPECT_EQ(numbers("SELECT e'\\\\', $1"), N{1});
    EXPECT_EQ(numbers("SELECT \"col$1\", $2"), N{2});
    EXPECT_EQ(numbers("SELECT \"a\"\"$1\", $2"), N{2});
    EXPECT_EQ(numbers("SELECT 1 -- $1\n, $2"), N{2});
    EXPECT_EQ(numbers("SELECT 1 /* $1 /* nested $3 */ $4 */, $2"), N{2});
    EXPECT_EQ(numbers("SELECT $$ $1 $$, $2"), N{2});
    EXPECT_EQ(numbers("SELECT $fn$ $1 $x$ $fn$, $2"), N{2});
}

TEST(Placeholders, DollarInsideIdentifierIsNotAPlaceholder) {
    EXPECT_EQ(numbers("SELECT a$1 FROM t$2"), N{});
    EXPECT_EQ(numbers("SELECT x, $1"), N{1});
}

TEST(Placeholders, BackslashInStandardStringIsLiteral) {
    // standard_conforming_strings: '\' is a one-character string.
    EXPECT_EQ(numbers("SELECT '\\', $1"), N{1});
}

TEST(Placeholders, Errors) {
    EXPECT_EQ(error("SELECT 'abc"), "unterminated string literal");
    EXPECT_EQ(error("SELECT \"abc"), "unterminated quoted identifier");
    EXPECT_EQ(error("SELECT /* abc"), "unterminated /* comment");
    EXPECT_EQ(error("SELECT /* a /* b */"), "unterminated /* comment");
    EXPECT_EQ(error("SELECT $q$ abc"), "unterminated dollar-quoted string");
    EXPECT_EQ(error("SELECT $0"), "placeholder $0 is out of range (1 to 65535)");
    EXPECT_EQ(error("SELECT $65536"), "placeholder $65536 is out of range (1 to 65535)");
    EXPECT_EQ(error("SELECT $99999999999999999999999"),
              "placeholder $99999999999999999999999 is out of range (1 to 65535)");
}

TEST(Placeholders, LoneDollarIsLeftToPostgres) {
    EXPECT_EQ(numbers("SELECT 1 $"), N{});
    EXPECT_EQ(numbers("SELECT 1 $ , $1"), N{1});
}

}  // namespace
}  // namespace pgwamp::config
