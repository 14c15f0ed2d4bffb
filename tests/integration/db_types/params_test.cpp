// How the server resolves statements with our parameter types: the cases
// where the announced OID matters (pg/params.hpp explains the choice).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "pg/params.hpp"
#include "pg_session.hpp"
#include "value_print.hpp"
#include "pg/sqlstate.hpp"

namespace pgwamp::db {
namespace {

using test::PgSession;
namespace t = pg_type;

class Params : public ::testing::Test {
protected:
    void SetUp() override {
        pg_.query(
            "CREATE TEMP TABLE items (i int4, s text, d date, n numeric, j jsonb, js json, "
            "f float8, b bytea, tags text[], ts timestamptz, small int2)");
        pg_.query("INSERT INTO items VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                  {5, "x", "2026-11-21", "1.50", Object{{"k", Array{1, "v"}}},
                   Object{{"z", 1}, {"a", 2}}, 0.5, Bytes{0, 1, 2}, Array{"a", "b,c"},
                   "2026-11-21T07:00:00Z", 3});
    }
    PgSession pg_;
};

TEST_F(Params, InsertedValuesReadBack) {
    Result r = pg_.query("SELECT * FROM items");
    ASSERT_EQ(r.rows.size(), 1u);
    EXPECT_EQ(r.rows[0], (std::vector<Value>{5, "x", "2026-11-21", "1.50", Object{{"k", Array{1, "v"}}},
                                             // An Object travels as jsonb, so even a json
                                             // column stores jsonb's key order.
                                             Object{{"a", 2}, {"z", 1}}, 0.5, Bytes{0, 1, 2},
                                             Array{"a", "b,c"}, "2026-11-21T07:00:00+00:00", 3}));
}

TEST_F(Params, ComparisonsInferFromTheColumn) {
    EXPECT_EQ(pg_.value("SELECT count(*) FROM items WHERE i = $1", {5}), Value(1));
    // int8 against an int4 column: a cross-type operator, no overflow error.
    EXPECT_EQ(pg_.value("SELECT count(*) FROM items WHERE i = $1", {std::int64_t{5000000000}}),
              Value(0));
    EXPECT_EQ(pg_.value("SELECT count(*) FROM items WHERE small = $1", {3}), Value(1));
    EXPECT_EQ(pg_.value("SELECT count(*) FROM items WHERE s = $1", {"x"}), Value(1));
    EXPECT_EQ(pg_.value("SELECT count(*) FROM items WHERE d = $1", {"2026-11-21"}), Value(1));
    EXPECT_EQ(pg_.value("SELECT count(*) FROM items WHERE n = $1", {"1.5"}), Value(1));
    EXPECT_EQ(pg_.value("SELECT count(*) FROM items WHERE n = $1", {1.5}), Value(1));
    EXPECT_EQ(pg_.value("SELECT count(*) FROM items WHERE f = $1", {0.5}), Value(1));
    EXPECT_EQ(pg_.value("SELECT count(*) FROM items WHERE b = $1", {Bytes{0, 1, 2}}), Value(1));
    EXPECT_EQ(pg_.value("SELECT count(*) FROM items WHERE j = $1", {Object{{"k", Array{1, "v"}}}}),
              Value(1));
    EXPECT_EQ(pg_.value("SELECT count(*) FROM items WHERE j @> $1", {Object{{"k", Array{"v"}}}}),
              Value(1));
    EXPECT_EQ(pg_.value("SELECT count(*) FROM items WHERE tags = $1", {Value(Array{"a", "b,c"})}), Value(1));
    EXPECT_EQ(pg_.value("SELECT count(*) FROM items WHERE i = ANY($1)", {Value(Array{4, 5})}), Value(1));
    EXPECT_EQ(pg_.value("SELECT count(*) FROM items WHERE ts = $1", {"2026-11-21T07:00:00+00:00"}),
              Value(1));
}

TEST_F(Params, FunctionArgumentsResolveLikeLiterals) {
    // int4 for small integers: functions taking int4 accept them, as a literal 2 would be.
    EXPECT_EQ(pg_.value("SELECT substr('abcdef', $1, $2)", {2, 3}), Value("bcd"));
    EXPECT_EQ(pg_.value("SELECT make_date($1, $2, $3)", {2026, 11, 21}), Value("2026-11-21"));
    EXPECT_EQ(pg_.value("SELECT count(*) FROM generate_series(1, $1)", {10}), Value(10));
    EXPECT_EQ(pg_.value("SELECT pg_sleep($1)::text", {0}), Value(""));
    EXPECT_EQ(pg_.value("SELECT pg_sleep($1)::text", {0.001}), Value(""));
    EXPECT_EQ(pg_.value("SELECT $1 + 1", {5}), Value(6));
    EXPECT_EQ(pg_.value("SELECT $1 + 1", {std::int64_t{5000000000}}), Value(std::int64_t{5000000001}));
    EXPECT_EQ(pg_.value("SELECT round($1::numeric, 1)", {2.25}), Value("2.3"));
    EXPECT_EQ(pg_.value("SELECT jsonb_typeof($1)", {Object{}}), Value("object"));
    EXPECT_EQ(pg_.value("SELECT $1 ->> 'k'", {Object{{"k", "v"}}}), Value("v"));
    EXPECT_EQ(pg_.value("SELECT array_length($1::int4[], 2)", {Value(Array{Value(Array{1, 2, 3})})}), Value(3));
    EXPECT_EQ(pg_.value("SELECT length($1)", {"h\xc3\xa9"}), Value(2));
    EXPECT_EQ(pg_.value("SELECT $1::text || '!'", {"x"}), Value("x!"));
}

TEST_F(Params, LimitAndOffset) {
    EXPECT_EQ(pg_.query("SELECT * FROM generate_series(1, 10) LIMIT $1 OFFSET $2", {3, 1}).rows.size(),
              3u);
    EXPECT_EQ(pg_.query("SELECT 1 LIMIT $1", {std::int64_t{1} << 40}).rows.size(), 1u);
}

TEST_F(Params, UntypedSelectKeepsTheValueType) {
    EXPECT_EQ(pg_.column_type("SELECT $1", {5}), t::int4);
    EXPECT_EQ(pg_.column_type("SELECT $1", {1.5}), t::float8);
    EXPECT_EQ(pg_.column_type("SELECT $1", {true}), t::bool_);
    EXPECT_EQ(pg_.column_type("SELECT $1", {Bytes{1}}), t::bytea);
    EXPECT_EQ(pg_.column_type("SELECT $1", {Object{}}), t::jsonb);
    EXPECT_EQ(pg_.column_type("SELECT $1", {"s"}), t::text);
    EXPECT_EQ(pg_.value("SELECT $1", {std::nan("")}), Value("NaN"));
    EXPECT_EQ(pg_.value("SELECT $1", {-std::numeric_limits<double>::infinity()}), Value("-Infinity"));
    EXPECT_EQ(pg_.value("SELECT $1", {std::numeric_limits<double>::min()}),
              Value(std::numeric_limits<double>::min()));
}

TEST_F(Params, HostileTextIsOnlyData) {
    const std::string hostile = "x'); DROP TABLE items; --\\\"{}";
    pg_.query("INSERT INTO items (s, tags) VALUES ($1, $2)", {hostile, Array{hostile, "NULL"}});
    EXPECT_EQ(pg_.value("SELECT tags FROM items WHERE s = $1", {hostile}), Value(Array{hostile, "NULL"}));
    EXPECT_EQ(pg_.value("SELECT count(*) FROM items"), Value(2));
}

TEST_F(Params, ServerRejectsWhatDoesNotFitTheInferredType) {
    EXPECT_EQ(pg_.sqlstate("SELECT $1::int4", {"abc"}), sqlstate::invalid_text_representation);
    EXPECT_EQ(pg_.sqlstate("SELECT $1::int4[]", {Value(Array{"a"})}), sqlstate::invalid_text_representation);
    EXPECT_EQ(pg_.sqlstate("SELECT $1::int2", {100000}), sqlstate::numeric_value_out_of_range);
    EXPECT_EQ(pg_.sqlstate("SELECT $1::int4[]", {Value(Array{1})}), "");
}

}  // namespace
}  // namespace pgwamp::db
