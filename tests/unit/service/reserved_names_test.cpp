// Nobody signs in under the service's name, in any case.

#include <gtest/gtest.h>

#include "service/reserved_names.hpp"

namespace pgwamp::service {
namespace {

TEST(ReservedNames, TheServicesOwnNameInAnyCase) {
    EXPECT_TRUE(is_reserved_name("pgwamp", "pgwamp"));
    EXPECT_TRUE(is_reserved_name("PgWamp", "pgwamp"));
    EXPECT_TRUE(is_reserved_name("backend-7", "backend-7"));
    EXPECT_TRUE(is_reserved_name("BACKEND-7", "backend-7"));
    EXPECT_TRUE(is_reserved_name("pgwamp_2", "backend-7"));  // looks like the service
}

TEST(ReservedNames, OperatorLikeNames) {
    for (const char* name : {"admin", "Root", "SYSTEM", "anonymous", "trusted"})
        EXPECT_TRUE(is_reserved_name(name, "pgwamp")) << name;
}

TEST(ReservedNames, OrdinaryNamesPass) {
    for (const char* name : {"alice", "bob_5", "wamp", "pg", "administrators", "my-pgwamp"})
        EXPECT_FALSE(is_reserved_name(name, "pgwamp")) << name;
    EXPECT_FALSE(is_reserved_name("alice", ""));  // a service that joined without a name
}

}  // namespace
}  // namespace pgwamp::service
