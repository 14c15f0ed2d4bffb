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
}

TEST(Login, AllKeys) {
    auto doc = minimal_doc();
    doc["identity"]["login"] = {{"pool", {{"max", 2}}}, {"name_failures", 3}, {"name_lock_ms", 1000},
                                {"peer_attempts", 9}, {"peer_window_ms", 2000}};
    const auto login = parse(doc).identity.login;
    EXPECT_EQ(login.pool.max, 2u);
    EXPECT_EQ(login.pool.queue, 32u);  // the login pool's own default, not the main pool's
    EXPECT_EQ(login.name_failures, 3);
    EXPECT_EQ(login.name_lock, Milliseconds(1000));
    EXPECT_EQ(login.peer_attempts, 9);
    EXPECT_EQ(login.peer_window, Milliseconds(2000));
    doc["identity"]["login"] = {{"name_failures", 0}};
    expect_error(doc, "identity.login.name_failures", "");
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
