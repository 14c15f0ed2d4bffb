// identity.login (the sign-in pool and limits), a procedure's "pool", and
// service.notify_roles.

#include "test_support.hpp"

namespace pgwamp::config::test {
namespace {

TEST(Login, DefaultsAreOneConnectionAndFiveGuesses) {
    const auto login = parse(minimal_doc()).identity.login;
    EXPECT_EQ(login.pool.max, 1u);
    EXPECT_EQ(login.pool.queue, 32u);
    EXPECT_EQ(login.name_failures, 5);
    EXPECT_EQ(login.name_lock, Milliseconds(60'000));
    EXPECT_EQ(login.peer_attempts, 120);
    EXPECT_EQ(login.signups_per_peer, 10);
    EXPECT_EQ(login.signup_window, Milliseconds(3'600'000));
    EXPECT_EQ(login.refusal_delay, Milliseconds(1000));
    EXPECT_EQ(login.refusal_delay_max, Milliseconds(10'000));
    EXPECT_EQ(login.max_delayed_refusals, 1000);
}

TEST(Login, AllKeys) {
    auto doc = minimal_doc();
    doc["identity"]["login"] = {{"pool", {{"max", 2}}}, {"name_failures", 3}, {"name_lock_ms", 1000},
                                {"peer_attempts", 9}, {"peer_window_ms", 2000}, {"signups_per_peer", 4},
                                {"signup_window_ms", 5000}, {"refusal_delay_ms", 0}, {"refusal_delay_max_ms", 3000},
                                {"max_delayed_refusals", 7}};
    const auto login = parse(doc).identity.login;
    EXPECT_EQ(login.pool.max, 2u);
    EXPECT_EQ(login.pool.queue, 32u);  // the login pool's own default, not the main pool's
    EXPECT_EQ(login.name_failures, 3);
    EXPECT_EQ(login.name_lock, Milliseconds(1000));
    EXPECT_EQ(login.peer_attempts, 9);
    EXPECT_EQ(login.peer_window, Milliseconds(2000));
    EXPECT_EQ(login.signups_per_peer, 4);
    EXPECT_EQ(login.signup_window, Milliseconds(5000));
    EXPECT_EQ(login.refusal_delay, Milliseconds(0));
    EXPECT_EQ(login.refusal_delay_max, Milliseconds(3000));
    EXPECT_EQ(login.max_delayed_refusals, 7);
    doc["identity"]["login"] = {{"refusal_delay_ms", 60'001}};
    expect_error(doc, "identity.login.refusal_delay_ms", "");
    doc["identity"]["login"] = {{"max_delayed_refusals", 0}};
    expect_error(doc, "identity.login.max_delayed_refusals", "");
    doc["identity"]["login"] = {{"name_failures", 0}};
    expect_error(doc, "identity.login.name_failures", "");
    doc["identity"]["login"] = {{"signups_per_peer", 0}};
    expect_error(doc, "identity.login.signups_per_peer", "");
}

TEST(Login, AnonymousAuthenticator) {
    auto doc = minimal_doc();
    EXPECT_FALSE(parse(doc).identity.anonymous_authenticator);
    doc["identity"]["anonymous_authenticator"] = {{"procedure", "com.x.anonymous"}, {"roles", {"trusted"}}};
    const auto auth = parse(doc).identity.anonymous_authenticator;
    ASSERT_TRUE(auth);
    EXPECT_EQ(auth->procedure, "com.x.anonymous");
    EXPECT_EQ(auth->role, "anonymous");
    EXPECT_EQ(auth->roles, std::vector<std::string>{"trusted"});
    doc["identity"]["anonymous_authenticator"]["role"] = "visitor";
    EXPECT_EQ(parse(doc).identity.anonymous_authenticator->role, "visitor");
    doc["identity"]["anonymous_authenticator"]["roles"] = nlohmann::json::array();
    expect_error(doc, "identity.anonymous_authenticator.roles", "trusted");
    doc["identity"]["anonymous_authenticator"] = {{"procedure", "com..x"}, {"roles", {"trusted"}}};
    expect_error(doc, "identity.anonymous_authenticator.procedure", "not a valid procedure URI");
    doc["identity"]["anonymous_authenticator"] = {{"procedure", "com.x.a"}, {"roles", {"trusted"}}, {"sql", "x"}};
    expect_error(doc, "identity.anonymous_authenticator.sql", "unknown key");
}

TEST(Login, AProcedureMayRunOnTheLoginPool) {
    auto doc = minimal_doc();
    doc["procedures"]["com.x.signup"] = {{"sql", "SELECT 1"}, {"pool", "login"}};
    EXPECT_TRUE(parse(doc).procedures.at("com.x.signup").login_pool);
    doc["procedures"]["com.x.signup"]["pool"] = "main";
    EXPECT_FALSE(parse(doc).procedures.at("com.x.signup").login_pool);
    doc["procedures"]["com.x.signup"]["pool"] = "fast";
    expect_error(doc, "procedures[\"com.x.signup\"].pool", "\"login\"");
}

TEST(Service, NotifyRoles) {
    auto doc = minimal_doc();
    EXPECT_FALSE(parse(doc).service.notify_roles);
    doc["service"] = {{"notify_roles", {"user"}}};
    EXPECT_EQ(parse(doc).service.notify_roles, std::vector<std::string>{"user"});
    doc["service"] = {{"notify_roles", nlohmann::json::array()}};
    expect_error(doc, "service.notify_roles", "at least one");
}

}  // namespace
}  // namespace pgwamp::config::test
