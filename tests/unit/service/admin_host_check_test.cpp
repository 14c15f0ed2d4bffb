// The admin listener answers requests addressed to it, not to a rebound name.

#include <gtest/gtest.h>

#include "service/admin_host_check.hpp"

namespace pgwamp::service {
namespace {

TEST(AdminHostCheck, LoopbackAndAddressesAreAllowed) {
    for (const char* host : {"127.0.0.1:8089", "127.0.0.1", "[::1]:8089", "10.1.2.3:9000", "localhost:8089",
                             "LOCALHOST", "localhost.", ""})
        EXPECT_TRUE(admin_host_allowed(host, {})) << host;
}

TEST(AdminHostCheck, OtherNamesOnlyWhenListed) {
    EXPECT_FALSE(admin_host_allowed("evil.example:8089", {}));
    EXPECT_FALSE(admin_host_allowed("localhost.evil.example", {}));
    EXPECT_FALSE(admin_host_allowed("127.0.0.1.nip.io:8089", {}));
    EXPECT_FALSE(admin_host_allowed(":8089", {}));
    EXPECT_TRUE(admin_host_allowed("Metrics.Internal:8089", {"metrics.internal"}));
    EXPECT_FALSE(admin_host_allowed("metrics.internal.evil:8089", {"metrics.internal"}));
}

}  // namespace
}  // namespace pgwamp::service
