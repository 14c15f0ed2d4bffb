#include "pg/type_registry.hpp"

#include <gtest/gtest.h>

#include <random>
#include <stdexcept>

#include "pg/casts.hpp"
#include "value_print.hpp"

namespace pgwamp::db {
namespace {

namespace t = pg_type;

Value cast(Oid oid, std::string_view text) { return TypeRegistry::defaults()->cast(oid, text); }

TEST(TypeRegistryDefaults, Scalars) {
    EXPECT_EQ(cast(t::bool_, "t"), Value(true));
    EXPECT_EQ(cast(t::int2, "-5"), Value(-5));
    EXPECT_EQ(cast(t::int4, "2147483647"), Value(2147483647));
    EXPECT_EQ(cast(t::int8, "-9000000000"), Value(std::int64_t{-9000000000}));
    EXPECT_EQ(cast(t::oid, "4294967295"), Value(std::int64_t{4294967295}));
    EXPECT_EQ(cast(t::float4, "1.25"), Value(1.25));
    EXPECT_EQ(cast(t::float8, "-Infinity"), Value("-Infinity"));
    EXPECT_EQ(cast(t::numeric, "123456789012345678901234567890.000100"),
              Value("123456789012345678901234567890.000100"));
    EXPECT_EQ(cast(t::numeric, "NaN"), Value("NaN"));
    for (Oid oid : {t::text, t::varchar, t::bpchar, t::name, t::char_, t::uuid, t::xml, t::inet,
                    t::money, t::jsonpath}) {
        EXPECT_EQ(cast(oid, "a b"), Value("a b")) << oid;
    }
    EXPECT_EQ(cast(t::bytea, "\\x0102"), Value(Bytes{1, 2}));
    EXPECT_EQ(cast(t::date, "2026-11-21"), Value("2026-11-21"));
    EXPECT_EQ(cast(t::time, "07:00:00"), Value("07:00:00"));
    EXPECT_EQ(cast(t::timetz, "07:00:00+00"), Value("07:00:00+00:00"));
    EXPECT_EQ(cast(t::timestamp, "2026-11-21 07:00:00"), Value("2026-11-21T07:00:00"));
    EXPECT_EQ(cast(t::timestamptz, "2026-11-21 07:00:00+00"), Value("2026-11-21T07:00:00+00:00"));
    EXPECT_EQ(cast(t::interval, "P1DT2H"), Value("P1DT2H"));
    EXPECT_EQ(cast(t::json, R"({"a": [1, 2.5]})"), Value(Object{{"a", Array{1, 2.5}}}));
    EXPECT_EQ(cast(t::jsonb, "\"s\""), Value("s"));
}

TEST(TypeRegistryDefaults, ArraysUseTheElementCaster) {
    EXPECT_EQ(cast(t::array_int4, "{{1,NULL},{3,4}}"), Value(Array{Array{1, Null{}}, Array{3, 4}}));
    EXPECT_EQ(cast(t::array_text, R"({"a,b",NULL,"NULL"})"), Value(Array{"a,b", Null{}, "NULL"}));
    EXPECT_EQ(cast(t::array_numeric, "{1.50,NaN}"), Value(Array{"1.50", "NaN"}));
    EXPECT_EQ(cast(t::array_jsonb, R"({"{\"a\": 1}",null})"),
              Value(Array{Object{{"a", 1}}, Null{}}));
    EXPECT_EQ(cast(t::array_bool, "{t,f}"), Value(Array{true, false}));
    EXPECT_EQ(cast(t::array_bytea, R"({"\\x01ff"})"), Value(Array{Bytes{1, 0xff}}));
    EXPECT_EQ(cast(t::array_float8, "{1.5,NaN,Infinity}"), Value(Array{1.5, "NaN", "Infinity"}));
    EXPECT_EQ(cast(t::array_timestamptz, R"({"2026-11-21 07:00:00+00"})"),
              Value(Array{"2026-11-21T07:00:00+00:00"}));
    EXPECT_EQ(cast(t::array_box, "{(1,1),(0,0);(2,2),(1,1)}"),
              Value(Array{"(1,1),(0,0)", "(2,2),(1,1)"}));
}

TEST(TypeRegistryDefaults, UnknownOidsAreText) {
    EXPECT_EQ(cast(99999, "(1,abc)"), Value("(1,abc)"));
    EXPECT_EQ(cast(t::unspecified, "x"), Value("x"));
    EXPECT_EQ(TypeRegistry().cast(t::int4, "5"), Value("5"));  // an empty registry knows nothing
}

TEST(TypeRegistryDefaults, BuiltOnce) {
    EXPECT_EQ(TypeRegistry::defaults().get(), TypeRegistry::defaults().get());
}

TEST(TypeRegistryErrors, NameTheTypeNotTheValue) {
    std::string msg = PGWAMP_BAD_VALUE(cast(t::int4, "s3cret"));
    EXPECT_NE(msg.find("OID 23"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("s3cret"), std::string::npos) << msg;
    msg = PGWAMP_BAD_VALUE(cast(t::array_int4, "{1,s3cret}"));
    EXPECT_NE(msg.find("OID 1007"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("OID 23"), std::string::npos) << "wrapped once: " << msg;
    PGWAMP_BAD_VALUE(cast(t::jsonb, "{"));
    PGWAMP_BAD_VALUE(cast(t::array_int4, "{1"));
}

TEST(TypeRegistryCustom, RegisterTypeAndArrayInAnyOrder) {
    auto types = std::make_shared<TypeRegistry>(*TypeRegistry::defaults());
    constexpr Oid mood = 70001, moods = 70002;
    types->register_array_type(moods, mood);  // before its element: resolved at cast time
    types->register_type(mood, [](std::string_view s) { return Value("mood:" + std::string(s)); });
    EXPECT_EQ(types->cast(mood, "happy"), Value("mood:happy"));
    EXPECT_EQ(types->cast(moods, "{happy,NULL,sad}"), Value(Array{"mood:happy", Null{}, "mood:sad"}));
    EXPECT_EQ(types->cast(t::int4, "5"), Value(5));  // the copy keeps the built-ins
    // The shared defaults are untouched.
    EXPECT_EQ(TypeRegistry::defaults()->cast(mood, "happy"), Value("happy"));
}

TEST(TypeRegistryCustom, ReplaceABuiltIn) {
    TypeRegistry types(*TypeRegistry::defaults());
    types.register_type(t::numeric, [](std::string_view s) { return Value(std::stod(std::string(s))); });
    EXPECT_EQ(types.cast(t::numeric, "1.5"), Value(1.5));
    EXPECT_EQ(types.cast(t::array_numeric, "{1.5}"), Value(Array{1.5}));
    types.register_type(t::array_int4, casts::to_text);  // a caster beats the array rule
    EXPECT_EQ(types.cast(t::array_int4, "{1}"), Value("{1}"));
    types.register_array_type(t::array_int4, t::int4);  // and back
    EXPECT_EQ(types.cast(t::array_int4, "{1}"), Value(Array{1}));
}

TEST(TypeRegistryCustom, ForeignExceptionsBecomeBadValue) {
    TypeRegistry types;
    types.register_type(70003, [](std::string_view) -> Value { throw std::runtime_error("boom"); });
    std::string msg = PGWAMP_BAD_VALUE(types.cast(70003, "x"));
    EXPECT_NE(msg.find("boom"), std::string::npos) << msg;
    PGWAMP_BAD_VALUE(types.register_type(70004, nullptr));
}

// Random text built from the characters the parsers care about, through
// every built-in caster: each call returns a Value or throws db::Error.
// Run under the sanitizer build this is what catches out-of-bounds reads.
TEST(TypeRegistryDefaults, RandomTextNeverCrashes) {
    using namespace std::string_literals;
    const std::string alphabet = "{}\"\\,;NULnul0129 -+:.TZBCx\t[]=ae\0"s;  // includes a NUL byte
    const Oid oids[] = {t::bool_, t::int4, t::float8, t::bytea, t::date, t::time, t::timetz,
                        t::timestamp, t::timestamptz, t::json, t::jsonb, t::array_int4,
                        t::array_text, t::array_jsonb, t::array_bytea, t::array_box,
                        t::array_timestamptz};
    std::mt19937 rng(12345);
    std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
    std::uniform_int_distribution<int> length(0, 24);
    int casts_ok = 0, errors = 0;
    for (int i = 0; i < 3000; ++i) {
        std::string text;
        for (int n = length(rng); n > 0; --n) text.push_back(alphabet[pick(rng)]);
        for (Oid oid : oids) {
            try {
                cast(oid, text);
                ++casts_ok;
            } catch (const Error& e) {
                EXPECT_EQ(e.code(), make_error_code(Errc::bad_value));
                ++errors;
            }
        }
    }
    EXPECT_GT(casts_ok, 0);
    EXPECT_GT(errors, 0);
}

}  // namespace
}  // namespace pgwamp::db
