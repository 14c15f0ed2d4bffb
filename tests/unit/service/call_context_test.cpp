// The call's deadline: the procedure's, or the caller's when that is smaller.

#include <gtest/gtest.h>

#include "service/call_context.hpp"

namespace pgwamp::service {
namespace {

using std::chrono::milliseconds;

TEST(EffectiveTimeout, TheSmallerOfProcedureAndCaller) {
    EXPECT_EQ(effective_timeout(milliseconds(30000), milliseconds(300)), milliseconds(300));
    EXPECT_EQ(effective_timeout(milliseconds(300), milliseconds(60000)), milliseconds(300));
}

TEST(EffectiveTimeout, ZeroMeansNoneOnEitherSide) {
    EXPECT_EQ(effective_timeout(milliseconds(30000), milliseconds(0)), milliseconds(30000));
    EXPECT_EQ(effective_timeout(milliseconds(0), milliseconds(250)), milliseconds(250));
    EXPECT_EQ(effective_timeout(milliseconds(0), milliseconds(0)), milliseconds(0));
}

}  // namespace
}  // namespace pgwamp::service
