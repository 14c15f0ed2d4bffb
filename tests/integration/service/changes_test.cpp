// Row changes from logical replication → WAMP events, through the whole
// product: writes made with psql (a connection pgwamp knows nothing about)
// reach a browser-like subscriber as one event per row, in commit order,
// with positions, values cast as in a query result, and replay.

#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <set>

#include "tests/integration/service/stack_suite.hpp"

namespace pgwamp::test::service {
namespace {

constexpr const char* notes_topic = "com.example.notes.on_change";
constexpr const char* kinds_topic = "com.example.test.kinds";
constexpr const char* toast_topic = "com.example.test.toast";
constexpr const char* nokey_topic = "com.example.test.nokey";
constexpr const char* bulk_topic = "com.example.test.bulk";
constexpr std::size_t history = 50;

// One column per type of pg/TYPES.md; the same row is read back through a
// query procedure to compare the event with a query result.
constexpr const char* kinds_table = R"(
CREATE TABLE changes_kinds (
    id int PRIMARY KEY, b bool, i2 int2, i4 int4, i8 int8, f4 float4, f8 float8, num numeric,
    t text, vc varchar(20), ch char(3), by bytea, d date, tm time, ttz timetz, ts timestamp,
    tstz timestamptz, iv interval, j json, jb jsonb, u uuid, ia int4[], ta text[], inet_ inet,
    cidr_ cidr, mac macaddr, bits bit(4), money_ money, pt point, nul text, tags text[][]
))";
constexpr const char* kinds_row = R"(
INSERT INTO changes_kinds VALUES (1, true, -32768, 2147483647, 9007199254740993, 1.5, 3.141592653589793,
    '12345678901234567890.000000001', 'héllo ✓ "quoted"', 'vc', 'ab', '\xdeadbeef', '2026-11-30',
    '08:09:10.123456', '08:09:10+02', '2026-11-30 08:09:10.5', '2026-11-30 08:09:10.5+01', '1 day 02:03:04',
    '{"a": [1, 2]}', '{"b": {"c": null}}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{1,NULL,3}',
    '{"x","y z"}', '192.168.0.1/24', '10.0.0.0/8', '08:00:2b:01:02:03', B'1010', '12.34', '(1.5,2)', NULL,
    '{{a,b},{c,d}}'))";

void add_test_tables(nlohmann::json& config) {
    auto& changes = config["changes"];
    changes["history"] = history;
    changes["tables"]["public.changes_kinds"] = {{"topic", kinds_topic}};
    changes["tables"]["public.changes_toast"] = {{"topic", toast_topic}};
    changes["tables"]["public.changes_nokey"] = {{"topic", nokey_topic}};
    changes["tables"]["public.changes_bulk"] = {{"topic", bulk_topic}, {"operations", {"insert"}},
                                                 {"columns", {"id", "seq"}}};
    config["procedures"]["com.example.test.kinds_row"] = {
        {"sql", "SELECT * FROM changes_kinds WHERE id = $1"}, {"args", {{{"name", "id"}, {"type", "int"}}}},
        {"single", "row"}};
}

class ServiceChanges : public StackSuite<ServiceChanges> {
protected:
    static void SetUpTestSuite() {
        // The tables exist before pgwamp starts, as a user's would: it adds them to its publication.
        start_stack({.mode = Stack::PgwampMode::process, .edit_config = add_test_tables, .before_pgwamp = [](PostgresCluster& pg) {
                         pg.psql(kinds_table);
                         pg.psql("CREATE TABLE changes_toast (id int PRIMARY KEY, big text, small int)");
                         pg.psql("CREATE TABLE changes_nokey (a int, b text)");
                         pg.psql("ALTER TABLE changes_nokey REPLICA IDENTITY FULL");
                         pg.psql("CREATE TABLE changes_bulk (id bigserial PRIMARY KEY, seq int, filler text)");
                     }});
    }
    void SetUp() override {
        join_caller({notes_topic, kinds_topic, toast_topic, nokey_topic, bulk_topic});
        ASSERT_TRUE(poll_until([] { return streaming(); }, 30s)) << stack_->pgwamp_log(0);
    }

    static bool streaming() {
        return stack_->pgwamp_log(0).find("event=changes_state state=streaming") != std::string::npos;
    }

    // The next `count` events on the topic beyond those seen, with duplicates
    // (same position) dropped as a subscriber would.
    std::vector<Object> next_changes(const std::string& topic, std::size_t count,
                                     std::chrono::milliseconds limit = 30s) {
        std::vector<Object> out;
        caller_->run_until([&] {
            const auto& events = caller_->events(topic);
            for (; seen_[topic] < events.size(); ++seen_[topic]) {
                const auto& kwargs = events[seen_[topic]].kwargs;
                const auto* position = find_kwarg(kwargs, "position");
                if (!position || !positions_[topic].insert(position->as<std::string>()).second) continue;
                out.push_back(kwargs);
            }
            return out.size() >= count;
        }, limit);
        return out;
    }
    Object next_change(const std::string& topic) {
        auto changes = next_changes(topic, 1);
        EXPECT_EQ(changes.size(), 1u) << "no event on " << topic << "\n" << stack_->pgwamp_log(0);
        return changes.empty() ? Object{} : changes.front();
    }
    static const Value& kw(const Object& o, const std::string& name) {
        static const Value missing = Value("<missing>");
        const auto* v = find_kwarg(o, name);
        return v ? *v : missing;
    }
    static const Object& row(const Object& change, const std::string& which) {
        static const Object none;
        const auto* v = find_kwarg(change, which);
        return v && v->is<Object>() ? v->as<Object>() : none;
    }

    std::map<std::string, std::size_t> seen_;
    std::map<std::string, std::set<std::string>> positions_;
};

TEST_F(ServiceChanges, InsertUpdateDeleteArriveInCommitOrderWithPositions) {
    stack_->postgres().psql("INSERT INTO notes (body) VALUES ('first ✓')");
    const auto inserted = next_change(notes_topic);
    EXPECT_EQ(kw(inserted, "op"), Value("insert"));
    EXPECT_EQ(kw(inserted, "table"), Value("public.notes"));
    EXPECT_EQ(kw(row(inserted, "new"), "body"), Value("first ✓"));
    EXPECT_TRUE(kw(inserted, "old").is<Null>());
    const auto id = to_text(kw(row(inserted, "new"), "id"));
    ASSERT_TRUE(parse_iso8601(kw(inserted, "commit_time").as<std::string>())) << to_text(kw(inserted, "commit_time"));

    stack_->postgres().psql("UPDATE notes SET body = 'second' WHERE id = " + id);
    const auto updated = next_change(notes_topic);
    EXPECT_EQ(kw(updated, "op"), Value("update"));
    EXPECT_EQ(kw(row(updated, "new"), "body"), Value("second"));
    // The demo's notes have REPLICA IDENTITY FULL (a delete must carry its
    // owner, service/event_audience.hpp): the old row is whole.
    EXPECT_EQ(kw(row(updated, "old"), "body"), Value("first ✓"));

    stack_->postgres().psql("DELETE FROM notes WHERE id = " + id);
    const auto deleted = next_change(notes_topic);
    EXPECT_EQ(kw(deleted, "op"), Value("delete"));
    EXPECT_TRUE(kw(deleted, "new").is<Null>());
    EXPECT_EQ(to_text(kw(row(deleted, "old"), "id")), id);
    EXPECT_EQ(kw(row(deleted, "old"), "body"), Value("second"));
    EXPECT_EQ(kw(row(deleted, "old"), "public"), Value(true));

    const auto p1 = kw(inserted, "position").as<std::string>();
    const auto p2 = kw(updated, "position").as<std::string>();
    const auto p3 = kw(deleted, "position").as<std::string>();
    EXPECT_LT(p1, p2);
    EXPECT_LT(p2, p3);
}

TEST_F(ServiceChanges, EveryTypeLooksAsInAQueryResult) {
    stack_->postgres().psql(kinds_row);
    const auto change = next_change(kinds_topic);
    const auto queried = caller_->call("com.example.test.kinds_row", {1});
    ASSERT_TRUE(queried.ok()) << queried.describe();
    const auto& expected = queried.args.at(0).as<Object>();
    const auto& got = row(change, "new");
    ASSERT_EQ(got.size(), expected.size()) << to_text(Value(got));
    for (std::size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(got[i].first, expected[i].first);
        EXPECT_EQ(got[i].second, expected[i].second)
            << expected[i].first << ": event " << to_text(got[i].second) << " vs query " << to_text(expected[i].second);
    }
}

TEST_F(ServiceChanges, UnchangedToastedColumnIsAbsentNeverNull) {
    // ~96 KB of incompressible text: stored out of line (TOAST).
    const std::string big = "(SELECT string_agg(md5(i::text), '') FROM generate_series(1, 3000) AS i)";
    stack_->postgres().psql("INSERT INTO changes_toast VALUES (1, " + big + ", 1)");
    const auto inserted = next_change(toast_topic);
    EXPECT_EQ(kw(row(inserted, "new"), "big").as<std::string>().size(), 96000u);

    stack_->postgres().psql("UPDATE changes_toast SET small = 2 WHERE id = 1");
    const auto untouched = next_change(toast_topic);
    EXPECT_EQ(find_kwarg(row(untouched, "new"), "big"), nullptr) << to_text(Value(row(untouched, "new")));
    EXPECT_EQ(kw(row(untouched, "new"), "small"), Value(std::int64_t{2}));

    stack_->postgres().psql("UPDATE changes_toast SET big = 'short now' WHERE id = 1");
    const auto changed = next_change(toast_topic);
    EXPECT_EQ(kw(row(changed, "new"), "big"), Value("short now"));
}

TEST_F(ServiceChanges, TableWithoutPrimaryKeyReportsTheWholeOldRow) {
    stack_->postgres().psql("INSERT INTO changes_nokey VALUES (1, 'one')");
    stack_->postgres().psql("UPDATE changes_nokey SET b = 'uno' WHERE a = 1");
    stack_->postgres().psql("DELETE FROM changes_nokey WHERE a = 1");
    const auto changes = next_changes(nokey_topic, 3);
    ASSERT_EQ(changes.size(), 3u);
    EXPECT_EQ(to_text(Value(row(changes[1], "old"))), R"({"a":1,"b":"one"})");
    EXPECT_EQ(to_text(Value(row(changes[1], "new"))), R"({"a":1,"b":"uno"})");
    EXPECT_EQ(to_text(Value(row(changes[2], "old"))), R"({"a":1,"b":"uno"})");
}

TEST_F(ServiceChanges, TruncateIsOneEvent) {
    stack_->postgres().psql("INSERT INTO changes_nokey VALUES (2, 'two')");
    stack_->postgres().psql("TRUNCATE changes_nokey");
    const auto changes = next_changes(nokey_topic, 2);
    ASSERT_EQ(changes.size(), 2u);
    EXPECT_EQ(kw(changes[1], "op"), Value("truncate"));
    EXPECT_EQ(kw(changes[1], "table"), Value("public.changes_nokey"));
}

TEST_F(ServiceChanges, ThousandTransactionsAndAHundredThousandRowTransactionArriveCompleteAndInOrder) {
    stack_->postgres().psql(
        "DO $$ BEGIN FOR i IN 1..1000 LOOP INSERT INTO changes_bulk (seq) VALUES (i); COMMIT; END LOOP; END $$");
    auto changes = next_changes(bulk_topic, 1000, 60s);
    ASSERT_EQ(changes.size(), 1000u);
    for (std::size_t i = 0; i < changes.size(); ++i) {
        ASSERT_EQ(kw(row(changes[i], "new"), "seq"), Value(static_cast<std::int64_t>(i + 1))) << i;
        // Only the configured columns.
        ASSERT_EQ(find_kwarg(row(changes[i], "new"), "filler"), nullptr);
    }
    stack_->postgres().psql("INSERT INTO changes_bulk (seq, filler) SELECT i, 'x' FROM generate_series(1, 100000) AS i");
    changes = next_changes(bulk_topic, 100000, 240s);
    ASSERT_EQ(changes.size(), 100000u);
    for (std::size_t i = 0; i < changes.size(); ++i)
        ASSERT_EQ(kw(row(changes[i], "new"), "seq"), Value(static_cast<std::int64_t>(i + 1))) << i;
    // One transaction: one commit position, 100,000 indexes in order.
    const auto first = kw(changes.front(), "position").as<std::string>();
    const auto last = kw(changes.back(), "position").as<std::string>();
    EXPECT_EQ(first.substr(0, 16), last.substr(0, 16));
    EXPECT_EQ(last.substr(17), "0001869F");
#if !defined(PGWAMP_TEST_UNDER_ASAN)
    // The stream is read only as fast as the router acknowledges: pgwamp's
    // peak memory stays small however large the transaction (sanitizer
    // builds carry their own shadow memory, so only the plain build checks).
    const double peak_mb = peak_rss_mb(stack_->pgwamp_pid(0));
    std::cout << "[ figure ] pgwamp peak RSS after a 100,000-row transaction: " << peak_mb << " MB\n";
    EXPECT_GT(peak_mb, 0.0) << "no VmHWM for pgwamp";
    EXPECT_LT(peak_mb, 64.0);
#endif
}

TEST_F(ServiceChanges, ReplayCatchesUpAfterAGapAndRefusesBeyondHistory) {
    stack_->postgres().psql("INSERT INTO notes (body) VALUES ('seen')");
    const auto seen = next_change(notes_topic);
    const auto last_seen = kw(seen, "position").as<std::string>();
    // Offline meanwhile: three more notes.
    stack_->postgres().psql("INSERT INTO notes (body) VALUES ('missed 1'), ('missed 2'); "
                            "INSERT INTO notes (body) VALUES ('missed 3')");
    const auto live = next_changes(notes_topic, 3);
    ASSERT_EQ(live.size(), 3u);
    const auto replayed = caller_->call("com.example.replay", {notes_topic, last_seen});
    ASSERT_TRUE(replayed.ok()) << replayed.describe();
    const auto& result = replayed.args.at(0).as<Object>();
    const auto& events = kw(result, "events").as<Array>();
    ASSERT_EQ(events.size(), 3u) << to_text(replayed.args.at(0));
    for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(Value(live[i]), events[i]);
    EXPECT_EQ(kw(result, "more"), Value(false));

    // More changes than the history keeps: the old position is refused clearly.
    stack_->postgres().psql("INSERT INTO notes (body) SELECT 'flood ' || i FROM generate_series(1, " +
                            std::to_string(history + 5) + ") AS i");
    ASSERT_EQ(next_changes(notes_topic, history + 5).size(), history + 5);
    const auto truncated = caller_->call("com.example.replay", {notes_topic, last_seen});
    EXPECT_EQ(truncated.error_uri, "pgwamp.error.history_truncated") << truncated.describe();
    ASSERT_NE(find_kwarg(truncated.kwargs, "oldest"), nullptr);

    const auto bad = caller_->call("com.example.replay", {"com.example.not.a.topic", last_seen});
    EXPECT_EQ(bad.error_uri, "wamp.error.invalid_argument") << bad.describe();
    const auto bad_position = caller_->call("com.example.replay", {notes_topic, "yesterday"});
    EXPECT_EQ(bad_position.error_uri, "wamp.error.invalid_argument") << bad_position.describe();
}

TEST_F(ServiceChanges, TheSlotKeepsAdvancingWhenNothingPublishedChanges) {
    // Writes to a table outside the publication: no event, but WAL moves on,
    // and a slot that stayed behind would make the server keep all of it.
    const auto lsn = [] {
        return stack_->postgres().psql(
            "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 'pgwamp_changes'");
    };
    const auto behind = [&](const std::string& than) {
        return stack_->postgres().psql("SELECT '" + lsn() + "'::pg_lsn < '" + than + "'::pg_lsn") == "t";
    };
    stack_->postgres().psql("CREATE TABLE IF NOT EXISTS changes_unpublished (n int)");
    stack_->postgres().psql("INSERT INTO changes_unpublished SELECT generate_series(1, 1000)");
    const std::string written = stack_->postgres().psql("SELECT pg_current_wal_lsn()");
    EXPECT_TRUE(poll_until([&] { return !behind(written); }, 20s))
        << "confirmed_flush_lsn " << lsn() << " stayed behind " << written;
}

TEST_F(ServiceChanges, StatusSaysWhoConsumesTheSlot) {
    const auto status = caller_->call("com.example.changes.status");
    ASSERT_TRUE(status.ok()) << status.describe();
    const auto& s = status.args.at(0).as<Object>();
    EXPECT_EQ(kw(s, "state"), Value("streaming"));
    EXPECT_EQ(kw(s, "consumer"), Value(true));
    EXPECT_EQ(kw(s, "slot"), Value("pgwamp_changes"));
    EXPECT_EQ(stack_->postgres().psql("SELECT active FROM pg_replication_slots WHERE slot_name = 'pgwamp_changes'"),
              "t");
}

// A server without wal_level=logical: changes are off, say why, and nothing
// else suffers.
class ServiceChangesOff : public StackSuite<ServiceChangesOff> {
protected:
    static void SetUpTestSuite() { start_stack({.mode = Stack::PgwampMode::process, .logical_decoding = false}); }
    void SetUp() override { join_caller({notes_topic}); }
};

TEST_F(ServiceChangesOff, StatusSaysWhyAndTheRestWorks) {
    ASSERT_TRUE(poll_until([] {
        return stack_->pgwamp_log(0).find("event=changes_state state=off") != std::string::npos;
    }, 30s)) << stack_->pgwamp_log(0);
    const auto status = caller_->call("com.example.changes.status");
    ASSERT_TRUE(status.ok()) << status.describe();
    const auto& s = status.args.at(0).as<Object>();
    EXPECT_EQ(*find_kwarg(s, "state"), Value("off"));
    EXPECT_NE(find_kwarg(s, "reason")->as<std::string>().find("wal_level=logical"), std::string::npos)
        << to_text(Value(s));
    const auto added = caller_->call("com.example.notes.add", {"still works"});
    EXPECT_TRUE(added.ok()) << added.describe();
    const auto replay = caller_->call("com.example.replay", {notes_topic, "0000000000000000/00000000"});
    EXPECT_EQ(replay.error_uri, "wamp.error.no_such_procedure") << replay.describe();
}

}  // namespace
}  // namespace pgwamp::test::service
