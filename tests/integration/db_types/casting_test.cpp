// Every type PostgreSQL sends us, cast from the server's real output: first
// as a literal in SQL, then the expected Value bound back as a parameter,
// which must come out the same (the round trip a WAMP caller makes).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <limits>

#include "pg/casts.hpp"
#include "pg/type_registry.hpp"
#include "pg_session.hpp"
#include "value_print.hpp"

namespace pgwamp::db {
namespace {

using test::PgSession;
namespace t = pg_type;

struct Case {
    const char* type;     // SQL type name
    const char* literal;  // SQL literal text
    Value expected;
    // false where the Value, sent back, means something else to the server:
    // a string for a json parameter is JSON text, Null is SQL NULL, nested
    // Arrays are dimensions.
    bool round_trips = true;
};

const Case cases[] = {
    {"bool", "true", true},
    {"bool", "false", false},
    {"int2", "-32768", -32768},
    {"int4", "2147483647", 2147483647},
    {"int8", "-9223372036854775808", std::numeric_limits<std::int64_t>::min()},
    {"oid", "4294967295", std::int64_t{4294967295}},
    {"float4", "1.1", 1.1},
    {"float4", "-3.4e38", -3.4e38},
    {"float8", "0.1", 0.1},
    {"float8", "1e308", 1e308},
    {"float8", "-0.000001", -0.000001},
    {"float8", "'NaN'", "NaN"},
    {"float8", "'Infinity'", "Infinity"},
    {"float8", "'-Infinity'", "-Infinity"},
    {"numeric", "123456789012345678901234567890.000100", "123456789012345678901234567890.000100"},
    {"numeric", "'NaN'", "NaN"},
    {"text", "E'it''s \"q\" \\\\ \\u00fcn\\u00ef\\n\\ttab'", "it's \"q\" \\ \xc3\xbcn\xc3\xaf\n\ttab"},
    {"text", "''", ""},
    {"varchar(10)", "'abc'", "abc"},
    {"char(4)", "'ab'", "ab  "},
    {"name", "'pg_class'", "pg_class"},
    {"\"char\"", "'x'", "x"},
    {"bytea", "'\\x00ff7f'", Bytes{0x00, 0xff, 0x7f}},
    {"bytea", "''", Bytes{}},
    {"date", "'2026-11-21'", "2026-11-21"},
    {"date", "'0044-03-15 BC'", "0044-03-15 BC"},
    {"date", "'infinity'", "infinity"},
    {"time", "'07:00:00.5'", "07:00:00.5"},
    {"timetz", "'07:00:00+05:30'", "07:00:00+05:30"},
    {"timetz", "'07:00:00-03'", "07:00:00-03:00"},
    {"timestamp", "'2026-11-21 07:00:00.123456'", "2026-11-21T07:00:00.123456"},
    {"timestamptz", "'2026-11-21 07:00:00+00'", "2026-11-21T07:00:00+00:00"},
    {"timestamptz", "'2026-11-21 09:30:00+02:30'", "2026-11-21T07:00:00+00:00"},
    {"timestamptz", "'0044-03-15 12:00:00+00 BC'", "0044-03-15T12:00:00+00:00 BC"},
    {"timestamptz", "'-infinity'", "-infinity"},
    {"interval", "'1 year 2 months 3 days 04:05:06.5'", "P1Y2M3DT4H5M6.5S"},
    {"interval", "'-1 day'", "P-1D"},
    {"uuid", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
    {"json", R"('{"a": [1, 2.5, null, "x", 1e2], "b": 1}')",
     Object{{"a", Array{1, 2.5, Null{}, "x", 100.0}}, {"b", 1}}},
    // jsonb sorts keys and stores numbers as numeric: 1e2 comes back as 100.
    {"jsonb", R"('{"b": 1, "a": {"c": [9007199254740993, 1e2, 0.5]}}')",
     Object{{"a", Object{{"c", Array{std::int64_t{9007199254740993}, 100, 0.5}}}}, {"b", 1}}},
    {"jsonb", "'\"\\u00e9\"'", "\xc3\xa9", false},
    {"jsonb", "'null'", Null{}, false},
    {"int4[]", "'{{1,2},{3,NULL}}'", Array{Array{1, 2}, Array{3, Null{}}}},
    {"int4[]", "'{}'", Array{}},
    {"int4[]", "'{{{1}},{{2}}}'", Array{Value(Array{Value(Array{1})}), Value(Array{Value(Array{2})})}},
    {"int8[]", "'{9223372036854775807}'", Array{std::numeric_limits<std::int64_t>::max()}},
    {"text[]", R"(E'{"a,b",NULL,"NULL","q\\"x","b\\\\s","{}"," sp ",""}')",
     Array{"a,b", Null{}, "NULL", "q\"x", "b\\s", "{}", " sp ", ""}},
    {"numeric[]", "'{1.50,NaN}'", Array{"1.50", "NaN"}},
    {"float8[]", "'{1.5,NaN,-Infinity}'", Array{1.5, "NaN", "-Infinity"}},
    {"bool[]", "'{t,f,NULL}'", Array{true, false, Null{}}},
    {"bytea[]", R"('{"\\x01ff",NULL}')", Array{Bytes{1, 0xff}, Null{}}},
    {"jsonb[]", R"('{"{\"a\": [1]}",null}')", Array{Object{{"a", Array{1}}}, Null{}}},
    {"json[]", R"('{"[1, \"x\"]"}')", Array{Value(Array{1, "x"})}, false},
    {"date[]", "'{2026-11-21,infinity}'", Array{"2026-11-21", "infinity"}},
    {"timestamptz[]", R"('{"2026-11-21 07:00:00+00"}')", Array{"2026-11-21T07:00:00+00:00"}},
    {"interval[]", "'{1 day}'", Array{"P1D"}},
    {"uuid[]", "'{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}'", Array{"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}},
    {"varchar[]", "'{x,y}'", Array{"x", "y"}},
};

class Casting : public ::testing::Test {
protected:
    PgSession pg_;
};

TEST_F(Casting, LiteralsCastToTheExpectedValues) {
    for (const auto& c : cases) {
        std::string sql = std::string("SELECT (") + c.literal + ")::" + c.type;
        SCOPED_TRACE(sql);
        EXPECT_EQ(pg_.value(sql), c.expected);
    }
}

TEST_F(Casting, ExpectedValuesRoundTripAsParameters) {
    for (const auto& c : cases) {
        if (!c.round_trips) continue;
        std::string sql = std::string("SELECT $1::") + c.type;
        SCOPED_TRACE(sql + " with the expected value of " + c.literal);
        EXPECT_EQ(pg_.value(sql, {c.expected}), c.expected);
    }
}

TEST_F(Casting, NullsOfEveryType) {
    for (const auto& c : cases) {
        std::string sql = std::string("SELECT NULL::") + c.type + ", $1::" + c.type;
        SCOPED_TRACE(sql);
        Result r = pg_.query(sql, {Null{}});
        EXPECT_EQ(r.rows.at(0), (std::vector<Value>{Null{}, Null{}}));
    }
}

TEST_F(Casting, JsonKeepsKeyOrderAndDuplicates) {
    EXPECT_EQ(pg_.value(R"(SELECT '{"b": 1, "a": 2, "b": 3}'::json)"),
              Value(Object{{"b", 1}, {"a", 2}, {"b", 3}}));
    EXPECT_EQ(pg_.value(R"(SELECT '{"b": 1, "a": 2, "b": 3}'::jsonb)"),
              Value(Object{{"a", 2}, {"b", 3}}));
}

TEST_F(Casting, LowerBoundsAndBoxDelimiter) {
    EXPECT_EQ(pg_.value("SELECT '[0:1]={7,8}'::int4[]"), Value(Array{7, 8}));
    EXPECT_EQ(pg_.value("SELECT ARRAY[box '((1,1),(0,0))', box '((2,2),(1,1))']"),
              Value(Array{"(1,1),(0,0)", "(2,2),(1,1)"}));
}

TEST_F(Casting, UnknownTypesComeAsText) {
    EXPECT_EQ(pg_.value("SELECT '10.1.0.0/16'::cidr"), Value("10.1.0.0/16"));
    EXPECT_EQ(pg_.value("SELECT ROW(1, 'a b')"), Value("(1,\"a b\")"));
    EXPECT_EQ(pg_.value("SELECT '{10.0.0.1,NULL}'::inet[]"), Value(Array{"10.0.0.1", Null{}}));
}

TEST_F(Casting, LargeValues) {
    Value big_bytes = pg_.value("SELECT decode(repeat('ab', 1000000), 'hex')");
    ASSERT_TRUE(big_bytes.is<Bytes>());
    EXPECT_EQ(big_bytes.as<Bytes>().size(), 1000000u);
    EXPECT_EQ(big_bytes.as<Bytes>()[999999], 0xab);
    Value big_array = pg_.value("SELECT array_agg(i) FROM generate_series(1, 100000) i");
    ASSERT_TRUE(big_array.is<Array>());
    EXPECT_EQ(big_array.as<Array>().size(), 100000u);
    EXPECT_EQ(big_array.as<Array>().back(), Value(100000));
}

// Our named OID constants are PostgreSQL's: ask the catalog.
TEST_F(Casting, OidConstantsMatchTheCatalog) {
    const std::pair<const char*, Oid> names[] = {
        {"bool", t::bool_}, {"bytea", t::bytea}, {"char", t::char_}, {"name", t::name},
        {"int8", t::int8}, {"int2", t::int2}, {"int4", t::int4}, {"text", t::text},
        {"oid", t::oid}, {"json", t::json}, {"xml", t::xml}, {"point", t::point}, {"box", t::box},
        {"cidr", t::cidr}, {"float4", t::float4}, {"float8", t::float8},
        {"unknown", t::unknown}, {"money", t::money}, {"macaddr", t::macaddr}, {"inet", t::inet},
        {"bpchar", t::bpchar}, {"varchar", t::varchar}, {"date", t::date}, {"time", t::time},
        {"timestamp", t::timestamp}, {"timestamptz", t::timestamptz},
        {"interval", t::interval}, {"timetz", t::timetz}, {"bit", t::bit},
        {"varbit", t::varbit}, {"numeric", t::numeric}, {"uuid", t::uuid}, {"jsonb", t::jsonb},
        {"jsonpath", t::jsonpath}, {"_xml", t::array_xml}, {"_json", t::array_json},
        {"_cidr", t::array_cidr}, {"_money", t::array_money}, {"_bool", t::array_bool},
        {"_bytea", t::array_bytea}, {"_char", t::array_char}, {"_name", t::array_name},
        {"_int2", t::array_int2}, {"_int4", t::array_int4}, {"_text", t::array_text},
        {"_bpchar", t::array_bpchar}, {"_varchar", t::array_varchar},
        {"_int8", t::array_int8}, {"_point", t::array_point}, {"_box", t::array_box},
        {"_float4", t::array_float4}, {"_float8", t::array_float8}, {"_oid", t::array_oid},
        {"_macaddr", t::array_macaddr}, {"_inet", t::array_inet},
        {"_timestamp", t::array_timestamp}, {"_date", t::array_date},
        {"_time", t::array_time}, {"_timestamptz", t::array_timestamptz},
        {"_interval", t::array_interval}, {"_numeric", t::array_numeric},
        {"_timetz", t::array_timetz}, {"_bit", t::array_bit}, {"_varbit", t::array_varbit},
        {"_uuid", t::array_uuid}, {"_jsonb", t::array_jsonb}, {"_jsonpath", t::array_jsonpath},
    };
    for (auto [name, oid] : names) {
        EXPECT_EQ(pg_.value("SELECT oid FROM pg_type WHERE typname = $1", {name}),
                  Value(std::int64_t{oid}))
            << name;
    }
}

// psycopg2's new_type/new_array_type idea, with a real enum.
TEST_F(Casting, CustomTypeRegisteredByOid) {
    pg_.query("DROP TYPE IF EXISTS mood");
    pg_.query("CREATE TYPE mood AS ENUM ('happy', 'sad')");
    Result oids = pg_.query("SELECT oid, typarray FROM pg_type WHERE typname = 'mood'");
    auto mood = static_cast<Oid>(oids.rows.at(0).at(0).as<std::int64_t>());
    auto moods = static_cast<Oid>(oids.rows.at(0).at(1).as<std::int64_t>());
    // Without registration: text, and the array is its literal.
    EXPECT_EQ(pg_.value("SELECT '{happy,sad}'::mood[]"), Value("{happy,sad}"));
    auto types = std::make_shared<TypeRegistry>(*TypeRegistry::defaults());
    types->register_type(mood, [](std::string_view s) { return Value(s == "happy"); });
    types->register_array_type(moods, mood);
    pg_.set_types(types);
    EXPECT_EQ(pg_.value("SELECT 'happy'::mood"), Value(true));
    EXPECT_EQ(pg_.value("SELECT ARRAY['happy', 'sad', NULL]::mood[]"), Value(Array{true, false, Null{}}));
    EXPECT_EQ(pg_.value("SELECT $1::mood[]", {Value(Array{"sad"})}), Value(Array{false}));
}

// psycopg2's own example (seeds/003): a caster for point, found by the OID
// the result reports; arrays of points follow without another registration.
TEST_F(Casting, PointCasterReplacesTheTextFallback) {
    Result probe = pg_.query("SELECT NULL::point");
    const Oid point_oid = probe.columns.at(0).type;
    EXPECT_EQ(point_oid, t::point);
    auto types = std::make_shared<TypeRegistry>(*TypeRegistry::defaults());
    types->register_type(point_oid, [](std::string_view s) -> Value {
        double x = 0, y = 0;
        char tail = 0;
        if (std::sscanf(std::string(s).c_str(), "(%lf,%lf%c", &x, &y, &tail) != 3 || tail != ')') {
            throw std::invalid_argument("bad point representation");
        }
        return Object{{"x", x}, {"y", y}};
    });
    pg_.set_types(types);
    EXPECT_EQ(pg_.value("SELECT '(10.2,20.3)'::point"), Value(Object{{"x", 10.2}, {"y", 20.3}}));
    EXPECT_EQ(pg_.value("SELECT ARRAY['(1,2)'::point, NULL]"),
              Value(Array{Object{{"x", 1.0}, {"y", 2.0}}, Null{}}));
    // The caster's own error surfaces as bad_value naming the type.
    types->register_type(t::box, [](std::string_view) -> Value {
        throw std::invalid_argument("no boxes here");
    });
    try {
        pg_.value("SELECT box '((1,1),(0,0))'");
        ADD_FAILURE() << "no throw";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), make_error_code(Errc::bad_value));
        EXPECT_NE(std::string(e.what()).find("OID 603: no boxes here"), std::string::npos) << e.what();
    }
}

// The brief's other example: an extension type with no fixed OID.
TEST_F(Casting, HstoreRegisteredByLookedUpOid) {
    pg_.query("CREATE EXTENSION IF NOT EXISTS hstore");
    auto hstore = static_cast<Oid>(pg_.value("SELECT 'hstore'::regtype::oid").as<std::int64_t>());
    auto hstores =
        static_cast<Oid>(pg_.value("SELECT 'hstore[]'::regtype::oid").as<std::int64_t>());
    auto types = std::make_shared<TypeRegistry>(*TypeRegistry::defaults());
    types->register_type(hstore, casts::to_hstore);
    types->register_array_type(hstores, hstore);
    pg_.set_types(types);
    EXPECT_EQ(pg_.value(R"(SELECT hstore(ARRAY['b', 'a', 'q"\', 'n'], ARRAY['2', '1', 'x,y', NULL]))"),
              Value(Object{{"a", "1"}, {"b", "2"}, {"n", Null{}}, {"q\"\\", "x,y"}}));
    EXPECT_EQ(pg_.value("SELECT ARRAY['a=>1'::hstore, ''::hstore]"),
              Value(Array{Object{{"a", "1"}}, Object{}}));
    // A parameter: hstore reads its own text format from a string.
    EXPECT_EQ(pg_.value("SELECT $1::hstore -> 'k'", {R"("k"=>"v")"}), Value("v"));
}

}  // namespace
}  // namespace pgwamp::db
