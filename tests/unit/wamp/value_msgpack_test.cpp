#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "wamp/value_msgpack.hpp"

using namespace pgwamp;
using namespace pgwamp::wamp;

namespace {
Value round_trip(const Value& v) { return decode(encode(v)); }
}  // namespace

TEST(ValueMsgpack, ScalarsRoundTripExactly) {
    for (const Value& v :
         {Value(), Value(true), Value(false), Value(0), Value(-1), Value(127),
          Value(std::numeric_limits<std::int64_t>::min()), Value(std::numeric_limits<std::int64_t>::max()),
          Value(0.1), Value(-1e300), Value(""), Value("héllo wörld ✓ 日本 🚀")}) {
        EXPECT_EQ(round_trip(v), v);
    }
}

TEST(ValueMsgpack, IntegersStayIntegersAndFloatsStayFloats) {
    EXPECT_TRUE(round_trip(Value(std::int64_t{1} << 53)).is<std::int64_t>());
    EXPECT_TRUE(round_trip(Value(2.0)).is<double>());
}

TEST(ValueMsgpack, BytesArraysAndOrderedMaps) {
    Bytes bytes{0, 1, 2, 255, 0};
    Object row{{"z", 1}, {"a", "x"}, {"m", Null{}}, {"nested", Array{1, Object{{"k", bytes}}}}};
    auto back = round_trip(Value(row));
    ASSERT_TRUE(back.is<Object>());
    EXPECT_EQ(back.as<Object>()[0].first, "z");  // order kept
    EXPECT_EQ(back.as<Object>()[1].first, "a");
    EXPECT_EQ(back, Value(row));
    EXPECT_EQ(round_trip(Value(bytes)), Value(bytes));
}

TEST(ValueMsgpack, LargeStringSurvives) {
    std::string s;
    while (s.size() < 8192) s += "Grüße, 世界! ";
    EXPECT_EQ(round_trip(Value(s)), Value(s));
}

TEST(ValueMsgpack, UnsignedAboveInt64IsRefused) {
    msgpack::sbuffer buf;
    Packer pk(buf);
    pk.pack_uint64(std::numeric_limits<std::uint64_t>::max());
    EXPECT_THROW(decode(std::string_view(buf.data(), buf.size())), ValueError);
}

TEST(ValueMsgpack, NonStringMapKeysAreRefused) {
    msgpack::sbuffer buf;
    Packer pk(buf);
    pk.pack_map(1);
    pk.pack_int(1);
    pk.pack_int(2);
    EXPECT_THROW(decode(std::string_view(buf.data(), buf.size())), ValueError);
}

TEST(ValueMsgpack, ExtensionTypesAreRefused) {
    const char ext[] = {static_cast<char>(0xd4), 1, 0};  // fixext 1
    EXPECT_THROW(decode(std::string_view(ext, sizeof ext)), ValueError);
}

TEST(ValueMsgpack, MalformedAndTruncatedInputIsAClearError) {
    const char truncated[] = {static_cast<char>(0x92), 1};  // array of 2, one element present
    EXPECT_THROW(decode(std::string_view(truncated, sizeof truncated)), ValueError);
    const char reserved[] = {static_cast<char>(0xc1)};  // never used
    EXPECT_THROW(decode(std::string_view(reserved, sizeof reserved)), ValueError);
}

TEST(ValueMsgpack, HostileLengthClaimDoesNotAllocate) {
    // array32 claiming 4 billion elements in 5 octets.
    const char hostile[] = {static_cast<char>(0xdd), -1, -1, -1, -1};
    EXPECT_THROW(decode(std::string_view(hostile, sizeof hostile)), ValueError);
}

TEST(ValueMsgpack, DeepNestingIsRefused) {
    std::string deep(200, static_cast<char>(0x91));  // [[[[...
    deep.push_back(0);
    EXPECT_THROW(decode(deep), ValueError);
}
