// changes: published tables → topics, slot and publication names.

#include "config/describe.hpp"
#include "test_support.hpp"

namespace pgwamp::config::test {
namespace {

TEST(Changes, TablesTopicsAndDefaults) {
    auto doc = minimal_doc();
    doc["changes"] = {{"tables",
                       {{"notes", {{"topic", "com.example.notes.on_change"}}},
                        {"audit.Events", {{"topic", "com.example.audit"}, {"operations", {"insert", "delete"}},
                                          {"columns", {"id", "kind"}}}}}}};
    const auto c = parse(doc);
    ASSERT_TRUE(c.changes);
    EXPECT_EQ(c.changes->slot, "pgwamp_changes");
    EXPECT_EQ(c.changes->publication, "pgwamp_changes");
    EXPECT_EQ(c.changes->history, 1000u);
    EXPECT_EQ(c.changes->replay_procedure, "com.example.replay");
    const auto& notes = c.changes->tables.at("public.notes");
    EXPECT_EQ(notes.schema, "public");
    EXPECT_EQ(notes.table, "notes");
    EXPECT_TRUE(notes.insert && notes.update && notes.remove && notes.truncate);
    EXPECT_FALSE(notes.columns);
    const auto& events = c.changes->tables.at("audit.Events");
    EXPECT_EQ(events.table, "Events");
    EXPECT_TRUE(events.insert && events.remove);
    EXPECT_FALSE(events.update || events.truncate);
    EXPECT_EQ(*events.columns, (std::vector<std::string>{"id", "kind"}));
    const auto described = describe_config(c);
    EXPECT_EQ(described["changes"]["tables"]["audit.Events"]["operations"], nlohmann::json({"insert", "delete"}));
}

TEST(Changes, AbsentMeansNoChanges) { EXPECT_FALSE(parse(minimal_doc()).changes); }

TEST(Changes, Rules) {
    auto doc = minimal_doc();
    auto with = [&](nlohmann::json changes) {
        doc["changes"] = std::move(changes);
        return doc;
    };
    const nlohmann::json table = {{"notes", {{"topic", "com.example.notes.on_change"}}}};
    expect_error(with({{"tables", nlohmann::json::object()}}), "changes.tables", "at least one table");
    expect_error(with({{"tables", table}, {"slot", "Bad-Slot"}}), "changes.slot", "lower-case");
    expect_error(with({{"tables", table}, {"publication", ""}}), "changes.publication", "lower-case");
    expect_error(with({{"tables", {{"a.b.c", {{"topic", "com.x"}}}}}}), "changes.tables[\"a.b.c\"]", "schema.table");
    expect_error(with({{"tables", {{"notes", {{"topic", "com..x"}}}}}}), "changes.tables[\"notes\"].topic",
                 "not a valid topic URI");
    expect_error(with({{"tables", {{"notes", {{"topic", "com.x"}, {"operations", {"upsert"}}}}}}}),
                 "changes.tables[\"notes\"].operations[0]", "insert, update, delete, truncate");
    expect_error(with({{"tables", {{"notes", {{"topic", "com.x"}, {"operations", nlohmann::json::array()}}}}}}),
                 "changes.tables[\"notes\"].operations", "at least one");
    expect_error(with({{"tables", {{"notes", {{"topic", "com.x"}, {"columns", nlohmann::json::array()}}}}}}),
                 "changes.tables[\"notes\"].columns", "at least one column");
    expect_error(with({{"tables", {{"notes", {{"topic", "com.x"}}}, {"public.notes", {{"topic", "com.y"}}}}}}),
                 "changes.tables[\"public.notes\"]", "named twice");
    expect_error(with({{"tables", table}, {"history", 0}}), "changes.history", "");
    expect_error(with({{"tables", table}, {"replay_procedure", "com.example.notes.list"}}),
                 "changes.replay_procedure", "also served");
    expect_error(with({{"tables", table}, {"slto", "x"}}), "changes.slto", "did you mean \"slot\"?");
}

TEST(Changes, ProceduresCanBeTurnedOff) {
    auto doc = minimal_doc();
    doc["changes"] = {{"tables", {{"notes", {{"topic", "com.x"}}}}},
                      {"replay_procedure", nullptr},
                      {"status_procedure", nullptr}};
    const auto c = parse(doc);
    EXPECT_FALSE(c.changes->replay_procedure);
    EXPECT_FALSE(c.changes->status_procedure);
}

}  // namespace
}  // namespace pgwamp::config::test
