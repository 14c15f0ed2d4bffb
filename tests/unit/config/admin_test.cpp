// service.admin (the admin HTTP listener) and service.health_procedure.

#include "tests/unit/config/test_support.hpp"

namespace pgwamp::config::test {
namespace {

TEST(Admin, OffUnlessConfigured) {
    const auto c = parse(minimal_doc());
    EXPECT_FALSE(c.service.admin);
    EXPECT_EQ(c.service.health_procedure, "com.example.health");
}

TEST(Admin, ListenAndLimits) {
    auto doc = minimal_doc();
    doc["service"] = {{"admin", {{"listen", "127.0.0.1:8089"}, {"max_connections", 4}, {"request_timeout_ms", 2000}}}};
    const auto a = *parse(doc).service.admin;
    EXPECT_EQ(a.host, "127.0.0.1");
    EXPECT_EQ(a.port, 8089);
    EXPECT_EQ(a.max_connections, 4u);
    EXPECT_EQ(a.request_timeout, Milliseconds(2000));
    doc["service"] = {{"admin", {{"listen", "[::1]:9100"}}}};
    const auto v6 = *parse(doc).service.admin;
    EXPECT_EQ(v6.host, "::1");
    EXPECT_EQ(v6.port, 9100);
    EXPECT_EQ(v6.max_connections, 16u);
    EXPECT_EQ(v6.request_timeout, Milliseconds(5000));
}

TEST(Admin, Rules) {
    auto doc = minimal_doc();
    doc["service"] = {{"admin", {{"listen", "localhost:8089"}}}};
    expect_error(doc, "service.admin.listen", "an IP address");
    doc["service"] = {{"admin", {{"listen", "127.0.0.1"}}}};
    expect_error(doc, "service.admin.listen", "address:port");
    doc["service"] = {{"admin", {{"listen", "127.0.0.1:0"}}}};
    expect_error(doc, "service.admin.listen", "1-65535");
    doc["service"] = {{"admin", {{"listen", "127.0.0.1:70000"}}}};
    expect_error(doc, "service.admin.listen", "1-65535");
    doc["service"] = {{"admin", {{"port", 8089}}}};
    expect_error(doc, "service.admin.port", "unknown key");
    doc["service"] = {{"admin", {{"listen", "127.0.0.1:8089"}, {"max_connections", 0}}}};
    expect_error(doc, "service.admin.max_connections", "an integer from 1 to 1000");
}

TEST(Admin, HealthProcedureNullOrCollision) {
    auto doc = minimal_doc();
    doc["service"] = {{"health_procedure", nullptr}};
    EXPECT_FALSE(parse(doc).service.health_procedure);
    doc["service"] = {{"health_procedure", "com.example.notes.list"}};
    expect_error(doc, "service.health_procedure", "also served by another procedure");
}

}  // namespace
}  // namespace pgwamp::config::test
