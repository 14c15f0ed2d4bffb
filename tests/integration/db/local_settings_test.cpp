// Local settings (SET LOCAL by set_config, before the same Sync or right
// after an interaction's BEGIN): seen by the statement, gone afterwards on
// the same connection, bound as data, failing cleanly, and row-level
// security following the role they set.

#include "db/local_settings.hpp"
#include "tests/integration/db/db_test_support.hpp"
#include "pg/sqlstate.hpp"

namespace pgwamp::db::testing {
namespace {

StatementOptions as(std::string role, std::string authid) {
    StatementOptions o;
    o.local_settings = make_local_settings({{"role", std::move(role)}, {"pgwamp.authid", std::move(authid)}});
    return o;
}

const char* const who_sql = "SELECT current_user::text, current_setting('pgwamp.authid', true)";

class LocalSettingsTest : public PoolTest {
protected:
    void SetUp() override {
        cluster().psql("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pgwamp_test_user') "
                       "THEN CREATE ROLE pgwamp_test_user NOLOGIN; END IF; END $$");
        make_pool(options(1, 1));  // one connection: the next statement meets what the last one left
    }
};

TEST_F(LocalSettingsTest, AStatementSeesItsSettingsAndTheNextOneDoesNot) {
    run([&]() -> awaitable<void> {
        auto opts = as("pgwamp_test_user", "alice");
        Result mine = co_await pool->async_query(who_sql, args(), opts, use_awaitable);
        EXPECT_EQ(mine.rows.at(0).at(0), Value("pgwamp_test_user"));
        EXPECT_EQ(mine.rows.at(0).at(1), Value("alice"));
        Result next = co_await pool->async_query(who_sql, args(), use_awaitable);
        EXPECT_NE(next.rows.at(0).at(0), Value("pgwamp_test_user"));
        // Unset after a transaction-local set_config: empty, not "alice".
        EXPECT_TRUE(next.rows.at(0).at(1) == Value("") || next.rows.at(0).at(1).is_null());
    });
}

TEST_F(LocalSettingsTest, PipelinedStatementsKeepTheirOwnSettings) {
    run([&]() -> awaitable<void> {
        // Sent in one turn on one connection: each answer carries its own authid.
        std::vector<std::string> seen(20);
        int left = 20;
        for (int i = 0; i < 20; ++i) {
            auto opts = i % 2 ? as("pgwamp_test_user", "user" + std::to_string(i)) : StatementOptions{};
            pool->async_query(who_sql, args(), opts, [&, i](std::exception_ptr e, Result r) {
                if (!e) seen[i] = r.rows.at(0).at(1).is_null() ? "" : r.rows.at(0).at(1).as<std::string>();
                --left;
            });
        }
        while (left > 0) co_await sleep_for(std::chrono::milliseconds(5));
        for (int i = 0; i < 20; ++i) EXPECT_EQ(seen[i], i % 2 ? "user" + std::to_string(i) : "") << i;
    });
}

TEST_F(LocalSettingsTest, ValuesAreDataNeverSql) {
    run([&]() -> awaitable<void> {
        for (std::string authid : {std::string("o'hara\"; DROP TABLE x; --"), std::string("100% ✓ ünïcødé"),
                                   std::string(1000, 'q'), std::string("$1 $$ \\ ")}) {
            auto opts = as("pgwamp_test_user", authid);
            Result r = co_await pool->async_query(who_sql, args(), opts, use_awaitable);
            EXPECT_EQ(r.rows.at(0).at(1), Value(authid));
        }
    });
}

TEST_F(LocalSettingsTest, ARoleThatCannotBeSetFailsTheStatementWhichDoesNotRun) {
    std::string t = fresh_schema() + ".t";
    cluster().psql("CREATE TABLE " + t + " (x int)");
    run([&]() -> awaitable<void> {
        auto opts = as("no_such_role_here", "alice");
        try {
            co_await pool->async_execute("INSERT INTO " + t + " VALUES (1)", args(), opts, use_awaitable);
            ADD_FAILURE() << "expected an error";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), make_error_code(Errc::sql_error));
            EXPECT_EQ(e.diagnostics().sqlstate, sqlstate::invalid_parameter_value) << e.what();  // invalid_parameter_value: no such role
        }
        Result r = co_await pool->async_query("SELECT count(*)::int FROM " + t, args(), use_awaitable);
        EXPECT_EQ(r.rows.at(0).at(0), Value(0));
    });
}

TEST_F(LocalSettingsTest, AnInteractionRunsWithItsSettingsFromBeginToCommit) {
    run([&]() -> awaitable<void> {
        CoroutineInteraction body = [](Transaction& tx) -> awaitable<Value> {
            Result first = co_await tx.async_query(who_sql, args(), use_awaitable);
            Result second = co_await tx.async_query("SELECT current_setting('pgwamp.authid')", args(), use_awaitable);
            EXPECT_EQ(first.rows.at(0).at(0), Value("pgwamp_test_user"));
            co_return second.rows.at(0).at(0);
        };
        Value v = co_await pool->async_interaction(body, as("pgwamp_test_user", "bob"), use_awaitable);
        EXPECT_EQ(v, Value("bob"));
        Result after = co_await pool->async_query(who_sql, args(), use_awaitable);
        EXPECT_NE(after.rows.at(0).at(0), Value("pgwamp_test_user"));
    });
}

TEST_F(LocalSettingsTest, AnInteractionWhoseSettingsFailRollsBackWithThatError) {
    run([&]() -> awaitable<void> {
        bool body_ran = false;
        CoroutineInteraction body = [&body_ran](Transaction&) -> awaitable<Value> {
            body_ran = true;
            co_return Value(1);
        };
        try {
            co_await pool->async_interaction(body, as("no_such_role_here", "bob"), use_awaitable);
            ADD_FAILURE() << "expected an error";
        } catch (const Error& e) {
            EXPECT_EQ(e.diagnostics().sqlstate, sqlstate::invalid_parameter_value) << e.what();
        }
        EXPECT_FALSE(body_ran);
        Result r = co_await pool->async_query("SELECT 1", args(), use_awaitable);  // the connection is fine
        EXPECT_EQ(r.rows.size(), 1u);
    });
}

TEST_F(LocalSettingsTest, RowLevelSecurityFollowsTheSettings) {
    std::string t = fresh_schema() + ".notes";
    cluster().psql("CREATE TABLE " + t + " (owner text, body text); ALTER TABLE " + t +
                   " ENABLE ROW LEVEL SECURITY; CREATE POLICY own ON " + t +
                   " USING (owner = current_setting('pgwamp.authid', true)); GRANT USAGE ON SCHEMA " +
                   t.substr(0, t.find('.')) + " TO pgwamp_test_user; GRANT SELECT ON " + t +
                   " TO pgwamp_test_user; INSERT INTO " + t + " VALUES ('alice', 'a1'), ('bob', 'b1'), ('alice', 'a2')");
    run([&]() -> awaitable<void> {
        auto alice = as("pgwamp_test_user", "alice");
        Result r = co_await pool->async_query("SELECT body FROM " + t + " ORDER BY body", args(), alice, use_awaitable);
        EXPECT_EQ(r.rows.size(), 2u);
        if (r.rows.size() != 2u) co_return;
        EXPECT_EQ(r.rows[0][0], Value("a1"));
        auto bob = as("pgwamp_test_user", "bob");
        Result b = co_await pool->async_query("SELECT body FROM " + t, args(), bob, use_awaitable);
        EXPECT_EQ(b.rows.size(), 1u);
        if (b.rows.size() != 1u) co_return;
        EXPECT_EQ(b.rows[0][0], Value("b1"));
    });
}

}  // namespace
}  // namespace pgwamp::db::testing
