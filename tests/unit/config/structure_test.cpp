// Document-level rules: unknown keys (with suggestions), duplicate keys,
// wrong JSON types, required sections.

#include "test_support.hpp"

namespace pgwamp::config::test {
namespace {

TEST(Structure, MinimalDocumentParsesWithDefaults) {
    const Config c = parse(minimal_doc());
    EXPECT_EQ(c.router.authmethod, AuthMethod::anonymous);
    EXPECT_EQ(c.database.pool.min, 1u);
    EXPECT_EQ(c.database.pool.max, 10u);
    EXPECT_EQ(c.database.statement_timeout, Milliseconds(30'000));
    EXPECT_EQ(c.service.log_level, LogLevel::info);
    EXPECT_EQ(c.service.register_invoke, InvokePolicy::roundrobin);
    EXPECT_EQ(c.service.notify_procedure, "com.example.notify");
    EXPECT_EQ(c.procedures.at("com.example.notes.list").max_rows, 10'000u);
}

TEST(Structure, DocumentMustBeAnObject) {
    const auto e = error_of_text("[1, 2]");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->key_path(), "(top level)");
    EXPECT_TRUE(contains(e->what(), "expected an object, found an array")) << e->what();
}

TEST(Structure, RouterIsRequired) {
    auto doc = minimal_doc();
    doc.erase("router");
    expect_error(doc, "router", "required key is missing");
}

TEST(Structure, UnknownTopLevelKeySuggestsTheClosest) {
    auto doc = minimal_doc();
    doc["notificatons"] = nlohmann::json::object();
    expect_error(doc, "notificatons", "unknown key (did you mean \"notifications\"?)");
}

TEST(Structure, UnknownKeyFarFromAnyListsTheKnownKeys) {
    auto doc = minimal_doc();
    doc["router"]["colour"] = "blue";
    expect_error(doc, "router.colour", "known keys: url, socket, realm");
}

TEST(Structure, UnknownKeyInsideAProcedure) {
    auto doc = minimal_doc();
    doc["procedures"]["com.example.notes.list"]["mdoe"] = "query";
    expect_error(doc, "procedures[\"com.example.notes.list\"].mdoe", "did you mean \"mode\"?");
}

TEST(Structure, UnknownKeyInsideAnArgument) {
    auto doc = minimal_doc();
    doc["procedures"]["com.example.notes.list"]["args"][0]["defualt"] = 3;
    expect_error(doc, "procedures[\"com.example.notes.list\"].args[0].defualt", "did you mean \"default\"?");
}

TEST(Structure, DuplicateKeyIsAnError) {
    const auto e = error_of_text(R"({"router": {"url": "rs://h:1", "realm": "a", "realm": "b"}})");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->key_path(), "router.realm");
    EXPECT_TRUE(contains(e->what(), "duplicate key")) << e->what();
}

TEST(Structure, DuplicateProcedureUriIsAnError) {
    const auto e = error_of_text(R"({"router": {"url": "rs://h:1", "realm": "a"},
        "procedures": {"com.x.a": {"sql": "SELECT 1"}, "com.x.a": {"sql": "SELECT 2"}}})");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->key_path(), "procedures[\"com.x.a\"]");
    EXPECT_TRUE(contains(e->what(), "duplicate key")) << e->what();
}

TEST(Structure, DuplicateKeyInsideAnArrayElementHasItsIndex) {
    const auto e = error_of_text(R"({"router": {"url": "rs://h:1", "realm": "a"},
        "procedures": {"com.x.a": {"sql": "SELECT $1, $2", "args": ["a", {"name": "b", "name": "c"}]}}})");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->key_path(), "procedures[\"com.x.a\"].args[1].name");
}

TEST(Structure, WrongTypeForASection) {
    auto doc = minimal_doc();
    doc["service"] = "fast";
    expect_error(doc, "service", "expected an object, found a string");
}

TEST(Structure, WrongTypeForANumber) {
    auto doc = minimal_doc();
    doc["service"] = {{"shutdown_grace_ms", "5000"}};
    expect_error(doc, "service.shutdown_grace_ms", "expected an integer from 0 to 600000, found a string");
}

TEST(Structure, NumberOutOfRange) {
    auto doc = minimal_doc();
    doc["service"] = {{"shutdown_grace_ms", -1}};
    expect_error(doc, "service.shutdown_grace_ms", "found the integer -1");
}

TEST(Structure, FractionalWhereIntegerExpected) {
    auto doc = minimal_doc();
    doc["database"] = {{"pool", {{"max", 2.5}}}};
    expect_error(doc, "database.pool.max", "expected an integer from 1 to 1000, found the number 2.5");
}

}  // namespace
}  // namespace pgwamp::config::test
