// Read groups: read_only statements sent in one turn on one connection share
// one implicit transaction and one Sync (one write to the socket), yet each
// keeps its own result, its own error, its own caller's settings and its
// own cancel; a neighbour skipped by a failure is sent again.

#include <set>

#include "db/local_settings.hpp"
#include "tests/integration/db/db_test_support.hpp"

namespace pgwamp::db::testing {
namespace {

StatementOptions reads(std::shared_ptr<const LocalSettings> settings = nullptr) {
    StatementOptions o;
    o.read_only = true;
    o.local_settings = std::move(settings);
    return o;
}

std::shared_ptr<const LocalSettings> as(const std::string& authid) {
    return make_local_settings({{"pgwamp.authid", authid}});
}

class ReadGroupTest : public PoolTest {
protected:
    void SetUp() override { make_pool(options(1, 1)); }  // one connection: one turn's reads meet

    // Sends every statement in one turn and waits for all; "error" for a failed one.
    std::vector<std::string> run_batch(const std::vector<std::pair<std::string, StatementOptions>>& batch) {
        std::vector<std::string> out(batch.size());
        std::size_t left = batch.size();
        run([&]() -> awaitable<void> {
            for (std::size_t i = 0; i < batch.size(); ++i) {
                pool->async_query(batch[i].first, args(), batch[i].second, [&, i](std::exception_ptr e, Result r) {
                    out[i] = e ? "error" : r.rows.at(0).at(0).is_null() ? "" : r.rows.at(0).at(0).as<std::string>();
                    --left;
                });
            }
            while (left > 0) co_await sleep_for(std::chrono::milliseconds(2));
        });
        return out;
    }
};

const std::string transaction_sql = "SELECT transaction_timestamp()::text || ' ' || pg_backend_pid()";

TEST_F(ReadGroupTest, ReadsOfOneTurnShareATransaction) {
    std::vector<std::pair<std::string, StatementOptions>> grouped(20, {transaction_sql, reads()});
    const auto together = run_batch(grouped);
    EXPECT_LT(std::set<std::string>(together.begin(), together.end()).size(), 20u);
}

TEST_F(ReadGroupTest, StatementsThatMayWriteEachHaveTheirOwn) {
    std::vector<std::pair<std::string, StatementOptions>> plain(20, {transaction_sql, StatementOptions{}});
    const auto apart = run_batch(plain);
    EXPECT_EQ(std::set<std::string>(apart.begin(), apart.end()).size(), 20u);
}

TEST_F(ReadGroupTest, AFailingReadFailsAloneAndItsSkippedNeighboursRunAgain) {
    std::vector<std::pair<std::string, StatementOptions>> batch;
    for (int i = 0; i < 20; ++i)
        batch.push_back({i == 7 ? "SELECT (1 / 0)::text" : i == 12 ? "SELECT nope_no_such_column::text"
                                                                    : "SELECT '" + std::to_string(i) + "'",
                         reads()});
    const auto out = run_batch(batch);
    for (int i = 0; i < 20; ++i) EXPECT_EQ(out[i], i == 7 || i == 12 ? "error" : std::to_string(i)) << i;
}

TEST_F(ReadGroupTest, AWriteInAGroupFailsAloneWithReadOnly) {
    const std::string t = fresh_schema() + ".t";
    cluster().psql("CREATE TABLE " + t + " (x int)");
    std::vector<std::pair<std::string, StatementOptions>> batch;
    for (int i = 0; i < 10; ++i)
        batch.push_back({i == 4 ? "WITH w AS (INSERT INTO " + t + " VALUES (1) RETURNING x) SELECT x::text FROM w"
                                : "SELECT '" + std::to_string(i) + "'",
                         reads()});
    const auto out = run_batch(batch);
    for (int i = 0; i < 10; ++i) EXPECT_EQ(out[i], i == 4 ? "error" : std::to_string(i)) << i;
    EXPECT_EQ(cluster().psql("SELECT count(*) FROM " + t), "0");
}

TEST_F(ReadGroupTest, EachReadRunsWithItsOwnCallersSettingsAndNoOneElses) {
    const std::string sql = "SELECT current_setting('pgwamp.authid', true)";
    const std::vector<std::string> who = {"alice", "alice", "bob", "", "", "bob", "bob", "alice", "", "carol"};
    std::vector<std::pair<std::string, StatementOptions>> batch;
    for (const auto& w : who) batch.push_back({sql, reads(w.empty() ? nullptr : as(w))});
    const auto out = run_batch(batch);
    for (std::size_t i = 0; i < who.size(); ++i) EXPECT_EQ(out[i], who[i]) << i;
}

TEST_F(ReadGroupTest, ACanceledReadEndsCanceledAndItsNeighboursAnswer) {
    std::vector<std::string> out(8);
    std::size_t left = out.size();
    auto cancel = std::make_shared<CancelSignal>();
    run([&]() -> awaitable<void> {
        for (std::size_t i = 0; i < out.size(); ++i) {
            auto o = reads();
            if (i == 2) o.cancel = cancel;
            const std::string sleep = i == 2 ? "10" : "0.01";  // the canceled one would run 10 s
            pool->async_query("SELECT pg_sleep(" + sleep + ")::text || '" + std::to_string(i) + "'", args(), o,
                              [&, i](std::exception_ptr e, Result r) {
                                  if (!e) {
                                      out[i] = r.rows.at(0).at(0).as<std::string>();
                                  } else {
                                      try {
                                          std::rethrow_exception(e);
                                      } catch (const Error& err) {
                                          out[i] = err.code() == make_error_code(Errc::canceled) ? "canceled"
                                                                                                  : err.what();
                                      }
                                  }
                                  --left;
                              });
        }
        co_await sleep_for(std::chrono::milliseconds(100));  // pacing only: let the long one start
        cancel->cancel();
        while (left > 0) co_await sleep_for(std::chrono::milliseconds(2));
    });
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (i == 2) {
            EXPECT_EQ(out[i], "canceled");
        } else {
            EXPECT_EQ(out[i], std::to_string(i)) << i;
        }
    }
}

}  // namespace
}  // namespace pgwamp::db::testing
