// live: declared live queries, their predicates, and what they must agree with.

#include "test_support.hpp"

namespace pgwamp::config::test {
namespace {

nlohmann::json with_live(nlohmann::json queries, nlohmann::json table = {{"topic", "com.example.notes.on_change"}}) {
    auto doc = minimal_doc();
    doc["changes"] = {{"tables", {{"notes", std::move(table)}}}};
    doc["identity"] = {{"database_roles", {{"user", "pgwamp_user"}}}};
    doc["live"] = {{"queries", std::move(queries)}};
    return doc;
}

nlohmann::json query(nlohmann::json where, nlohmann::json args = nlohmann::json::array()) {
    nlohmann::json q = {{"table", "notes"}, {"columns", {"id", "owner", "public"}}, {"where", std::move(where)}};
    if (!args.empty()) q["args"] = std::move(args);
    return q;
}

TEST(Live, PredicateTreeAndDefaults) {
    const auto c = parse(with_live({{"com.example.notes.live",
                                     query(nlohmann::json::parse(R"({"or": [{"owner": {"=": {"caller": "authid"}}},
                                                                            {"public": {"=": true}},
                                                                            {"id": {">": {"arg": "min"}, "<=": 10}}]})"),
                                           {{{"name", "min"}, {"type", "int"}}})}}));
    ASSERT_TRUE(c.live);
    EXPECT_EQ(c.live->max_calls, 10'000u);
    EXPECT_EQ(c.live->chunk_rows, 1000u);
    EXPECT_EQ(c.live->max_calls_per_session, 16u);
    EXPECT_EQ(c.live->max_calls_per_address, 64u);
    const auto& q = c.live->queries.at("com.example.notes.live");
    EXPECT_EQ(q.table, "public.notes");
    ASSERT_EQ(q.where.kind, LivePredicate::Kind::any);
    ASSERT_EQ(q.where.terms.size(), 3u);
    EXPECT_EQ(q.where.terms[0].column, "owner");
    EXPECT_EQ(q.where.terms[0].values.at(0).kind, LiveValue::Kind::caller_authid);
    EXPECT_EQ(q.where.terms[1].values.at(0).literal, true);
    // Two comparisons on one column: both must hold.
    ASSERT_EQ(q.where.terms[2].kind, LivePredicate::Kind::all);
    EXPECT_EQ(q.where.terms[2].terms.size(), 2u);
    EXPECT_EQ(q.where.terms[2].terms[1].values.at(0).argument, "min");  // keys in JSON order: "<=" before ">"
}

TEST(Live, NoWhereFollowsEveryRow) {
    const auto c = parse(with_live({{"com.x.live", {{"table", "notes"}, {"columns", {"id"}}}}}));
    const auto& q = c.live->queries.at("com.x.live");
    EXPECT_EQ(q.where.kind, LivePredicate::Kind::all);
    EXPECT_TRUE(q.where.terms.empty());
}

TEST(Live, Rules) {
    const auto uri = "com.x.live";
    const std::string at = "live.queries[\"com.x.live\"]";
    auto where = [&](const char* json) { return with_live({{uri, query(nlohmann::json::parse(json))}}); };
    expect_error(where(R"({"owner": {"~": "a"}})"), at + ".where[\"owner\"][\"~\"]", "unknown comparison");
    expect_error(where(R"({"owner": {"=": null}})"), at + ".where[\"owner\"][\"=\"]", "null is never true");
    expect_error(where(R"({"owner": {"=": 1.5}})"), at + ".where[\"owner\"][\"=\"]", "an integer");
    expect_error(where(R"({"owner": {"=": {"caller": "name"}}})"), at + ".where[\"owner\"][\"=\"][\"caller\"]",
                 "\"authid\" or \"authrole\"");
    expect_error(where(R"({"owner": {"=": {"arg": "nope"}}})"), at + ".where[\"owner\"][\"=\"][\"arg\"]",
                 "not one of the query's");
    expect_error(where(R"({"or": []})"), at + ".where[\"or\"]", "at least one condition");
    expect_error(where(R"({"owner": {}})"), at + ".where[\"owner\"]", "at least one comparison");
    expect_error(where(R"({"a b": {"=": 1}})"), at + ".where", "not a plain column name");
    expect_error(where(R"({"id": {"in": 3}})"), at + ".where[\"id\"][\"in\"]", "a list of values");
    expect_error(where(R"({"owner": {"=": "a"}, "public": {"=": true}})"), at + ".where", "one key");
    // Nesting is bounded: a config cannot make the evaluator recurse without end.
    std::string deep = R"({"id": {"=": 1}})";
    for (int i = 0; i < 20; ++i) deep = R"({"and": [)" + deep + "]}";
    auto doc = where(deep.c_str());
    EXPECT_THROW(parse(doc), ConfigError);

    expect_error(with_live({{uri, {{"table", "notes"}, {"columns", nlohmann::json::array()}}}}), at + ".columns",
                 "at least one column");
    expect_error(with_live({{uri, {{"table", "notes"}, {"columns", {"id", "id"}}}}}), at + ".columns[1]",
                 "named twice");
    expect_error(with_live({{uri, {{"table", "other"}, {"columns", {"id"}}}}}), at + ".table",
                 "not one of changes.tables");
    expect_error(with_live({{uri, {{"table", "notes"}, {"columns", {"id"}}, {"args", {"handle"}}}}}), at,
                 "resume keyword");
    // A column the table's events leave out cannot be followed.
    expect_error(with_live({{uri, query(nlohmann::json::parse(R"({"owner": {"=": "a"}})"))}},
                           {{"topic", "com.example.notes.on_change"}, {"columns", {"id", "public"}}}),
                 at, "column \"owner\" is not in changes.tables");
    auto no_changes = with_live({{uri, {{"table", "notes"}, {"columns", {"id"}}}}});
    no_changes.erase("changes");
    expect_error(no_changes, at + ".table", "configure the changes section");
    auto no_roles = with_live({{uri, {{"table", "notes"}, {"columns", {"id"}}}}});
    no_roles.erase("identity");
    expect_error(no_roles, at, "runs as the caller");
    expect_error(with_live({{uri, {{"table", "notes"}, {"columns", {"id"}}, {"roles", {"admin"}}}}}), at + ".roles",
                 "no database role");
    expect_error(with_live({{"com.example.replay", {{"table", "notes"}, {"columns", {"id"}}}}}),
                 "live.queries[\"com.example.replay\"]", "also served");
}

}  // namespace
}  // namespace pgwamp::config::test
