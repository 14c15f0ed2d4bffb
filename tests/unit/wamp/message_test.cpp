#include <gtest/gtest.h>

#include "wamp/message.hpp"
#include "wamp/value_msgpack.hpp"

using namespace pgwamp;
using namespace pgwamp::wamp;

namespace {
const Value* get(const Value& v, const std::string& key) {
    for (const auto& [k, x] : v.as<Object>()) {
        if (k == key) return &x;
    }
    return nullptr;
}
}  // namespace

TEST(Message, HelloAnnouncesCallCancelingSoTheRouterSendsInterrupt) {
    auto m = decode(message::encode_hello("realm1", "svc", {"ticket"})).as<Array>();
    ASSERT_EQ(m.size(), 3u);
    EXPECT_EQ(m[0], Value(1));
    EXPECT_EQ(m[1], Value("realm1"));
    const auto& details = m[2];
    auto roles = get(details, "roles");
    ASSERT_TRUE(roles);
    for (const char* role : {"caller", "callee"}) {
        auto r = get(*roles, role);
        ASSERT_TRUE(r) << role;
        auto features = get(*r, "features");
        ASSERT_TRUE(features);
        auto cc = get(*features, "call_canceling");
        ASSERT_TRUE(cc) << role;
        EXPECT_EQ(*cc, Value(true));
    }
    EXPECT_TRUE(get(*roles, "publisher"));
    EXPECT_TRUE(get(*roles, "subscriber"));
    EXPECT_EQ(*get(details, "authmethods"), Value(Array{"ticket"}));
    EXPECT_EQ(*get(details, "authid"), Value("svc"));
}

TEST(Message, CallCarriesPayloadAndTimeout) {
    auto m = decode(message::encode_call(7, "com.example.add", {1, "x"}, {{"k", 2.5}}, 3)).as<Array>();
    ASSERT_EQ(m.size(), 6u);
    EXPECT_EQ(m[0], Value(48));
    EXPECT_EQ(m[1], Value(7));
    EXPECT_EQ(*get(m[2], "timeout"), Value(3));
    EXPECT_EQ(m[3], Value("com.example.add"));
    EXPECT_EQ(m[4], Value(Array{1, "x"}));
    EXPECT_EQ(m[5], Value(Object{{"k", 2.5}}));
    auto no_timeout = decode(message::encode_call(8, "p", {}, {}, 0)).as<Array>();
    EXPECT_EQ(no_timeout[2], Value(Object{}));
}

TEST(Message, RegisterCarriesInvokePolicy) {
    auto m = decode(message::encode_register(9, "com.example.now", "roundrobin")).as<Array>();
    EXPECT_EQ(m[0], Value(64));
    EXPECT_EQ(*get(m[2], "invoke"), Value("roundrobin"));
    EXPECT_EQ(m[3], Value("com.example.now"));
}

TEST(Message, InvocationErrorAndYield) {
    auto e = decode(message::encode_invocation_error(5, "wamp.error.canceled", {"why"}, {})).as<Array>();
    ASSERT_EQ(e.size(), 7u);
    EXPECT_EQ(e[0], Value(8));
    EXPECT_EQ(e[1], Value(68));
    EXPECT_EQ(e[2], Value(5));
    EXPECT_EQ(e[4], Value("wamp.error.canceled"));
    auto y = decode(message::encode_yield(5, {42}, {})).as<Array>();
    EXPECT_EQ(y[0], Value(70));
    EXPECT_EQ(y[3], Value(Array{42}));
}
