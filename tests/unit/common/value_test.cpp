#include <gtest/gtest.h>

#include "common/value.hpp"

namespace pgwamp {
namespace {

TEST(Value, TypeNamesFollowTheVariant) {
    EXPECT_EQ(type_name(Value()), "null");
    EXPECT_EQ(type_name(Value(true)), "boolean");
    EXPECT_EQ(type_name(Value(1)), "integer");
    EXPECT_EQ(type_name(Value(1.5)), "number");
    EXPECT_EQ(type_name(Value("x")), "string");
    EXPECT_EQ(type_name(Value(Bytes{1})), "bytes");
    EXPECT_EQ(type_name(Value(Array{})), "array");
    EXPECT_EQ(type_name(Value(Object{})), "object");
}

}  // namespace
}  // namespace pgwamp
