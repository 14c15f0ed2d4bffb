#include <gtest/gtest.h>

#include "wamp/wampcra.hpp"

using namespace pgwamp::wamp;

// Expected values computed with Autobahn|Python's autobahn.wamp.auth, which
// is what Crossbar checks our signatures with.
TEST(WampCra, SignatureMatchesAutobahnPython) {
    EXPECT_EQ(wampcra::sign("secret123", "challenge-text"), "gw6VmID6oQBHmqABJfIpQiVkhr16A/+DJ7bm9c3koXc=");
}

TEST(WampCra, SaltedKeyMatchesAutobahnPython) {
    auto key = wampcra::derive_key("secret123", "salt123", 1000, 32);
    EXPECT_EQ(key, "Eu7CQLfR+/Ffb+275A4s9/6H/RGKYxM4s6IMrsNKzC8=");
    EXPECT_EQ(wampcra::sign(key, "challenge-text"), "9qrUDdkdhEu1ai6OWxzM1t2Czy0TLAWEye0tVL3V6P4=");
}

TEST(WampCra, BadKeyParametersAreRefused) {
    EXPECT_THROW(wampcra::derive_key("s", "salt", 0, 32), std::invalid_argument);
    EXPECT_THROW(wampcra::derive_key("s", "salt", 1000, 0), std::invalid_argument);
    EXPECT_THROW(wampcra::derive_key("s", "salt", 1'000'001, 32), std::invalid_argument);
    EXPECT_THROW(wampcra::derive_key("s", "salt", 1000, 1025), std::invalid_argument);
}

TEST(WampCra, Base64) {
    EXPECT_EQ(wampcra::base64(""), "");
    EXPECT_EQ(wampcra::base64("f"), "Zg==");
    EXPECT_EQ(wampcra::base64("foobar"), "Zm9vYmFy");
}
