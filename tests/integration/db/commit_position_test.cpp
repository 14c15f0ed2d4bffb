// Read-your-writes inputs from db/: the WAL position a write committed at
// (StatementOptions::commit_position, read behind the statement's Sync) and
// read-only statements and interactions (StatementOptions::read_only) that
// refuse to write with PostgreSQL's own 25006.

#include "db/commit_position.hpp"
#include "db/local_settings.hpp"
#include "pg/replication_messages.hpp"
#include "pg/sqlstate.hpp"
#include "tests/integration/db/db_test_support.hpp"

namespace pgwamp::db::testing {
namespace {

std::uint64_t insert_lsn_now(const test::PostgresCluster& c) {
    return replication::parse_lsn(c.psql("SELECT pg_current_wal_insert_lsn()")).value();
}

StatementOptions reporting(std::shared_ptr<CommitPosition> sink) {
    StatementOptions o;
    o.commit_position = std::move(sink);
    return o;
}

StatementOptions read_only() {
    StatementOptions o;
    o.read_only = true;
    return o;
}

void expect_read_only_error(std::exception_ptr e) {
    ASSERT_TRUE(e) << "expected a write in a read-only transaction to fail";
    try {
        std::rethrow_exception(e);
    } catch (const Error& err) {
        EXPECT_EQ(err.diagnostics().sqlstate, "25006") << err.what();
    }
}

class CommitPositionTest : public PoolTest {
protected:
    void SetUp() override {
        table = fresh_schema() + ".t";
        cluster().psql("CREATE TABLE " + table + " (x int)");
        make_pool(options(1, 1));  // one connection: positions are read in the same pipeline
    }
    std::string table;
};

TEST_F(CommitPositionTest, AWriteReportsAPositionAtOrPastItsCommit) {
    const std::uint64_t before = insert_lsn_now(cluster());
    auto sink = std::make_shared<CommitPosition>();
    run([&]() -> awaitable<void> {
        co_await pool->async_execute("INSERT INTO " + table + " VALUES (1)", args(), reporting(sink), use_awaitable);
    });
    ASSERT_TRUE(sink->lsn);
    EXPECT_FALSE(sink->unknown);
    EXPECT_GT(*sink->lsn, before);
    EXPECT_LE(*sink->lsn, insert_lsn_now(cluster()));
}

TEST_F(CommitPositionTest, AnInteractionReportsThePositionAfterItsCommit) {
    auto sink = std::make_shared<CommitPosition>();
    std::uint64_t inside = 0;
    run([&]() -> awaitable<void> {
        CoroutineInteraction body = [&](Transaction& tx) -> awaitable<Value> {
            co_await tx.async_execute("INSERT INTO " + table + " VALUES (2)", args(), use_awaitable);
            Result r = co_await tx.async_query("SELECT pg_current_wal_insert_lsn()::text", args(), use_awaitable);
            inside = replication::parse_lsn(r.rows.at(0).at(0).as<std::string>()).value();
            co_return Value(Null{});
        };
        co_await pool->async_interaction(std::move(body), reporting(sink), use_awaitable);
    });
    ASSERT_TRUE(sink->lsn);
    EXPECT_GT(*sink->lsn, inside);  // the commit record lies between
}

TEST_F(CommitPositionTest, AFailedStatementReportsNothingAndItsNeighboursAreUnharmed) {
    auto failed = std::make_shared<CommitPosition>();
    std::vector<std::shared_ptr<CommitPosition>> sinks;
    int left = 21;
    std::vector<std::string> outcome(21);
    run([&]() -> awaitable<void> {
        // One turn, one connection: reporting and plain statements interleaved with a failure.
        for (int i = 0; i < 20; ++i) {
            auto sink = i % 2 ? std::make_shared<CommitPosition>() : nullptr;
            sinks.push_back(sink);
            pool->async_query("SELECT " + std::to_string(i), args(), reporting(sink),
                              [&, i](std::exception_ptr e, Result r) {
                                  outcome[i] = e ? "error" : std::to_string(r.rows.at(0).at(0).as<std::int64_t>());
                                  --left;
                              });
            if (i == 9) {
                pool->async_execute("INSERT INTO " + table + " VALUES ('not a number')", args(), reporting(failed),
                                    [&](std::exception_ptr e, std::uint64_t) {
                                        outcome[20] = e ? "error" : "ok";
                                        --left;
                                    });
            }
        }
        while (left > 0) co_await sleep_for(std::chrono::milliseconds(5));
    });
    for (int i = 0; i < 20; ++i) {
        EXPECT_EQ(outcome[i], std::to_string(i)) << i;
        if (sinks[i]) {
            EXPECT_TRUE(sinks[i]->lsn) << i;
        }
    }
    EXPECT_EQ(outcome[20], "error");
    EXPECT_FALSE(failed->lsn);
    EXPECT_FALSE(failed->unknown);
}

TEST_F(CommitPositionTest, ReadOnlyStatementsAndInteractionsRefuseToWrite) {
    run([&]() -> awaitable<void> {
        std::exception_ptr e;
        try {
            co_await pool->async_execute("INSERT INTO " + table + " VALUES (3)", args(), read_only(), use_awaitable);
        } catch (...) {
            e = std::current_exception();
        }
        expect_read_only_error(e);
        e = nullptr;
        try {
            CoroutineInteraction body = [&](Transaction& tx) -> awaitable<Value> {
                co_await tx.async_execute("INSERT INTO " + table + " VALUES (4)", args(), use_awaitable);
                co_return Value(Null{});
            };
            co_await pool->async_interaction(std::move(body), read_only(), use_awaitable);
        } catch (...) {
            e = std::current_exception();
        }
        expect_read_only_error(e);
        // Reads work, as the caller too, and the setting ends with the statement.
        auto as_reader = read_only();
        as_reader.local_settings = make_local_settings({{"pgwamp.authid", "alice"}});
        Result r = co_await pool->async_query("SELECT current_setting('pgwamp.authid'), current_setting('transaction_read_only')",
                                              args(), as_reader, use_awaitable);
        EXPECT_EQ(r.rows.at(0).at(0), Value("alice"));
        EXPECT_EQ(r.rows.at(0).at(1), Value("on"));
        co_await pool->async_execute("INSERT INTO " + table + " VALUES (5)", args(), use_awaitable);
    });
    EXPECT_EQ(cluster().psql("SELECT string_agg(x::text, ',') FROM " + table), "5");
}

}  // namespace
}  // namespace pgwamp::db::testing
