// identity (WAMP roles -> database roles, the ticket authenticator), who may
// call a procedure and whether it runs as the caller, string lengths, and
// event audiences.

#include "test_support.hpp"

namespace pgwamp::config::test {
namespace {

nlohmann::json with_procedure(nlohmann::json procedure, nlohmann::json identity = nullptr) {
    auto doc = minimal_doc();
    doc["procedures"] = {{"com.example.p", std::move(procedure)}};
    if (!identity.is_null()) doc["identity"] = std::move(identity);
    return doc;
}

const nlohmann::json roles_map = {{"database_roles", {{"user", "app_user"}, {"anonymous", "app_anon"}}}};

TEST(Identity, ProceduresRunAsTheCallerThroughTheRoleMap) {
    const auto c = parse(with_procedure({{"sql", "SELECT 1"}, {"roles", {"user"}}, {"as_caller", true}}, roles_map));
    const auto& p = c.procedures.at("com.example.p");
    EXPECT_TRUE(p.as_caller);
    EXPECT_EQ(p.roles, std::vector<std::string>{"user"});
    EXPECT_EQ(c.identity.database_roles.at("anonymous"), "app_anon");
    EXPECT_FALSE(parse(minimal_doc()).identity.authenticator);
}

TEST(Identity, Rules) {
    expect_error(with_procedure({{"sql", "SELECT 1"}, {"as_caller", true}}), "procedures[\"com.example.p\"].as_caller",
                 "maps no WAMP role");
    expect_error(with_procedure({{"sql", "SELECT 1"}, {"roles", {"admin"}}, {"as_caller", true}}, roles_map),
                 "procedures[\"com.example.p\"].as_caller", "\"admin\" may call it but has no database role");
    expect_error(with_procedure({{"sql", "SELECT 1"}, {"roles", nlohmann::json::array()}}),
                 "procedures[\"com.example.p\"].roles", "at least one WAMP role");
    expect_error(with_procedure({{"sql", "SELECT 1"}}, {{"database_roles", {{"user", ""}}}}),
                 "identity.database_roles[\"user\"]", "");
    const nlohmann::json auth = {{"procedure", "com.example.auth"}, {"sql", "SELECT role FROM f($1, $2)"},
                                 {"roles", {"trusted"}}};
    EXPECT_TRUE(parse(with_procedure({{"sql", "SELECT 1"}}, {{"authenticator", auth}})).identity.authenticator);
    auto bad_sql = auth;
    bad_sql["sql"] = "SELECT role FROM f($1)";
    expect_error(with_procedure({{"sql", "SELECT 1"}}, {{"authenticator", bad_sql}}), "identity.authenticator.sql",
                 "$1 (the authid) and $2 (the ticket)");
    auto clash = auth;
    clash["procedure"] = "com.example.p";
    expect_error(with_procedure({{"sql", "SELECT 1"}}, {{"authenticator", clash}}), "identity.authenticator.procedure",
                 "also configured");
}

TEST(Identity, StringLengthsOnlyOnStrings) {
    const auto c = parse(with_procedure(
        {{"sql", "SELECT $1"}, {"args", {{{"name", "n"}, {"type", "string"}, {"min_length", 3}, {"max_length", 32}}}}}));
    EXPECT_EQ(c.procedures.at("com.example.p").args[0].max_length, 32u);
    expect_error(with_procedure({{"sql", "SELECT $1"}, {"args", {{{"name", "n"}, {"type", "int"}, {"max_length", 3}}}}}),
                 "procedures[\"com.example.p\"].args[0].max_length", "only a \"string\"");
    expect_error(with_procedure({{"sql", "SELECT $1"},
                                 {"args", {{{"name", "n"}, {"type", "string"}, {"min_length", 5}, {"max_length", 3}}}}}),
                 "procedures[\"com.example.p\"].args[0]", "larger than");
}

TEST(Identity, EventAudiences) {
    auto doc = minimal_doc();
    doc["notifications"] = {{"notes", {{"topic", "com.x"}, {"audience", {{"owner", "owner"}, {"public", "public"}}}}}};
    doc["changes"] = {{"tables", {{"notes", {{"topic", "com.y"}, {"audience", {{"owner", "owner"}}}}}}}};
    const auto c = parse(doc);
    EXPECT_EQ(c.notifications.at("notes").audience.public_flag, "public");
    EXPECT_EQ(c.changes->tables.at("public.notes").audience.owner, "owner");
    doc["changes"]["tables"]["notes"]["columns"] = {"id"};
    expect_error(doc, "changes.tables[\"notes\"].audience", "column \"owner\" must also be in \"columns\"");
    doc.erase("changes");
    doc["notifications"]["notes"]["payload"] = "text";
    expect_error(doc, "notifications[\"notes\"].audience", "needs \"payload\": \"json\"");
}

}  // namespace
}  // namespace pgwamp::config::test
