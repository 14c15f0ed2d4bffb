// LISTEN/NOTIFY: order, completeness, observer semantics.

#include <thread>

#include "tests/integration/db/db_test_support.hpp"

namespace pgwamp::db::testing {
namespace {

TEST_F(PoolTest, TenThousandNotificationsArriveCompleteAndInOrder) {
    std::vector<std::string> got;
    run([&]() -> awaitable<void> {
        pool->add_notify_observer([&](const Notification& n) {
            if (n.channel == "burst") got.push_back(n.payload);
        });
        co_await pool->async_listen("burst", use_awaitable);
        // One statement sends them all, so the server's order is 1..10000.
        co_await pool->async_query("SELECT pg_notify('burst', i::text) FROM generate_series(1, 10000) i", args(),
                                   use_awaitable);
        while (got.size() < 10000) co_await sleep_for(1ms);
        // No duplicates trickle in afterwards.
        co_await pool->async_query("SELECT pg_notify('burst', 'end')", args(), use_awaitable);
        while (got.empty() || got.back() != "end") co_await sleep_for(1ms);
    });
    ASSERT_EQ(got.size(), 10001u);
    for (int i = 0; i < 10000; ++i) ASSERT_EQ(got[i], std::to_string(i + 1)) << "at " << i;
}

TEST_F(PoolTest, ObserversAddRemoveListAndContainExceptions) {
    std::vector<std::string> a, b;
    int thrower_calls = 0;
    run([&]() -> awaitable<void> {
        auto shared_a = std::make_shared<const NotifyObserver>([&](const Notification& n) { a.push_back(n.payload); });
        ObserverId ida = pool->add_notify_observer(shared_a);
        EXPECT_EQ(pool->add_notify_observer(shared_a), ida);  // the same observer twice: ignored
        ObserverId idt = pool->add_notify_observer([&](const Notification&) {
            ++thrower_calls;
            throw std::runtime_error("observer failure");
        });
        ObserverId idb = pool->add_notify_observer([&](const Notification& n) { b.push_back(n.payload); });
        EXPECT_EQ(pool->notify_observers(), (std::vector<ObserverId>{ida, idt, idb}));

        co_await pool->async_listen("obs", use_awaitable);
        co_await pool->async_execute("NOTIFY obs, 'one'", args(), use_awaitable);
        while (b.size() < 1) co_await sleep_for(1ms);

        pool->remove_notify_observer(ida);
        EXPECT_EQ(pool->notify_observers(), (std::vector<ObserverId>{idt, idb}));
        co_await pool->async_execute("NOTIFY obs, 'two'", args(), use_awaitable);
        while (b.size() < 2) co_await sleep_for(1ms);

        co_await pool->async_unlisten("obs", use_awaitable);
        co_await pool->async_execute("NOTIFY obs, 'three'", args(), use_awaitable);
        co_await pool->async_listen("obs", use_awaitable);
        co_await pool->async_execute("NOTIFY obs, 'four'", args(), use_awaitable);
        while (b.size() < 3) co_await sleep_for(1ms);
    });
    EXPECT_EQ(a, std::vector<std::string>{"one"});                    // once, not twice
    EXPECT_EQ(b, (std::vector<std::string>{"one", "two", "four"}));  // the thrower did not stop it
    EXPECT_EQ(thrower_calls, 3);
}

TEST_F(PoolTest, ObserverRunningQueriesGetsNoDuplicates) {
    std::vector<std::string> seen;
    int queries_done = 0;
    run([&]() -> awaitable<void> {
        pool->add_notify_observer([&](const Notification& n) {
            seen.push_back(n.payload);
            // The observer runs queries itself, as the service's will.
            pool->async_query("SELECT $1::text", args(n.payload), [&](std::exception_ptr e, Result) {
                EXPECT_FALSE(e);
                ++queries_done;
            });
        });
        co_await pool->async_listen("dup", use_awaitable);
        for (int i = 0; i < 50; ++i) co_await pool->async_execute("SELECT pg_notify('dup', $1)", args(std::to_string(i)), use_awaitable);
        while (seen.size() < 50 || queries_done < 50) co_await sleep_for(1ms);
        co_await pool->async_execute("SELECT pg_notify('dup', 'last')", args(), use_awaitable);
        // Also wait for the observer's own query for "last": ending the test
        // while it is in flight would close the pool under it (a closed error).
        while (seen.back() != "last" || queries_done < 51) co_await sleep_for(1ms);
    });
    ASSERT_EQ(seen.size(), 51u);
    for (int i = 0; i < 50; ++i) EXPECT_EQ(seen[i], std::to_string(i));
}

TEST_F(PoolTest, ASlowObserverDoesNotStallQueries) {
    int observed = 0;
    std::vector<int> observed_at_query_completion;
    run([&]() -> awaitable<void> {
        pool->add_notify_observer([&](const Notification& n) {
            if (n.channel != "slow") return;
            ++observed;
            // A deliberately slow, blocking observer (the worst case).
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        });
        co_await pool->async_listen("slow", use_awaitable);
        co_await pool->async_query("SELECT pg_notify('slow', i::text) FROM generate_series(1, 40) i", args(),
                                   use_awaitable);
        // Queries issued now complete between observer calls, not after all 40.
        while (observed < 40) {
            co_await pool->async_query("SELECT 1", args(), use_awaitable);
            observed_at_query_completion.push_back(observed);
        }
    });
    ASSERT_FALSE(observed_at_query_completion.empty());
    EXPECT_LT(observed_at_query_completion.front(), 40) << "the first query waited for the whole burst";
    EXPECT_GE(observed_at_query_completion.size(), 2u);
}

TEST_F(PoolTest, ListenRejectsBadChannelNamesAndQuotesOthers) {
    std::vector<std::string> got;
    run([&]() -> awaitable<void> {
        try {
            co_await pool->async_listen("", use_awaitable);
            ADD_FAILURE() << "empty channel accepted";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), make_error_code(Errc::bad_value));
        }
        // A name that would be SQL if it were pasted in is just a name.
        std::string odd = "odd\"; DROP TABLE x; --";
        pool->add_notify_observer([&](const Notification& n) { got.push_back(n.channel); });
        co_await pool->async_listen(odd, use_awaitable);
        co_await pool->async_execute("SELECT pg_notify($1, 'x')", args(odd), use_awaitable);
        while (got.empty()) co_await sleep_for(1ms);
        EXPECT_EQ(got.at(0), odd);
    });
}

}  // namespace
}  // namespace pgwamp::db::testing
