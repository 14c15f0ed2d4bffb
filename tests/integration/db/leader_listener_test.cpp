// db::LeaderListener against a real server: of two listeners on one channel
// only the lock holder receives a NOTIFY; the other takes over when the
// leader closes, and leadership is re-established (never doubled) after the
// leader's session is killed.

#include <map>
#include <vector>

#include "db/leader_listener.hpp"
#include "tests/integration/db/db_test_support.hpp"

namespace pgwamp::db::testing {
namespace {

constexpr const char* channel = "leader_test";

class LeaderListenerTest : public ::testing::Test {
protected:
    struct Member {
        std::shared_ptr<LeaderListener> listener;
        std::vector<std::string> received;
        std::vector<std::pair<ChannelRole, std::string>> roles;  // in order, with the reason
        ChannelRole role() const { return roles.empty() ? ChannelRole::none : roles.back().first; }
    };

    void add_member() {
        auto member = std::make_unique<Member>();
        LeaderListenerOptions options;
        options.conninfo = cluster().conninfo();
        options.retry_interval = 50ms;
        options.backoff.initial_delay = 20ms;
        auto* m = member.get();
        member->listener = LeaderListener::create(
            io.get_executor(), options, {channel}, [m](const Notification& n) { m->received.push_back(n.payload); },
            [m](const std::string&, ChannelRole role, const std::string& reason) { m->roles.emplace_back(role, reason); });
        member->listener->start();
        members.push_back(std::move(member));
    }

    // Waits until exactly one member leads and every other open one follows.
    bool settled(std::size_t open_members) {
        return run_until(io, [&] {
            int leaders = 0;
            int followers = 0;
            for (const auto& m : members) {
                leaders += m->role() == ChannelRole::leader;
                followers += m->role() == ChannelRole::follower;
            }
            return leaders == 1 && static_cast<std::size_t>(leaders + followers) == open_members;
        }, 10s);
    }

    Member& leader() {
        for (auto& m : members)
            if (m->role() == ChannelRole::leader) return *m;
        throw std::runtime_error("no leader");
    }

    std::size_t total_received() const {
        std::size_t n = 0;
        for (const auto& m : members) n += m->received.size();
        return n;
    }

    // NOTIFY from a connection of its own, then wait for the one delivery
    // and a little longer for a duplicate that must not come.
    void notify_once_and_expect_one_delivery(const std::string& payload) {
        const std::size_t before = total_received();
        cluster().psql(std::string("NOTIFY ") + channel + ", '" + payload + "'");
        ASSERT_TRUE(run_until(io, [&] { return total_received() > before; }, 10s)) << payload << " never arrived";
        const auto settle = std::chrono::steady_clock::now() + 300ms;
        while (std::chrono::steady_clock::now() < settle) io.run_one_for(20ms);
        EXPECT_EQ(total_received(), before + 1) << payload << " was delivered more than once";
        EXPECT_EQ(leader().received.back(), payload);
    }

    void TearDown() override {
        for (auto& m : members) m->listener->close();
        io.run_for(50ms);
    }

    asio::io_context io;
    std::vector<std::unique_ptr<Member>> members;
};

TEST_F(LeaderListenerTest, OnlyTheLockHolderReceivesAndAFollowerTakesOverOnClose) {
    add_member();
    add_member();
    ASSERT_TRUE(settled(2));
    notify_once_and_expect_one_delivery("one");

    Member& first = leader();
    first.listener->close();
    ASSERT_TRUE(run_until(io, [&] {
        for (const auto& m : members)
            if (m.get() != &first && m->role() == ChannelRole::leader) return true;
        return false;
    }, 10s)) << "the follower did not take over";
    notify_once_and_expect_one_delivery("two");
}

TEST_F(LeaderListenerTest, LeadershipIsReestablishedAfterTheSessionDies) {
    add_member();
    add_member();
    ASSERT_TRUE(settled(2));
    Member& old_leader = leader();
    const int pid = old_leader.listener->backend_pid();
    ASSERT_GT(pid, 0);
    cluster().psql("SELECT pg_terminate_backend(" + std::to_string(pid) + ")");
    ASSERT_TRUE(run_until(io, [&] {
        for (const auto& [role, reason] : old_leader.roles)
            if (reason == "connection_lost") return true;
        return false;
    }, 10s));
    // Whoever gets the lock first leads; the other follows (the old leader,
    // back on a new session, must not LISTEN without the lock).
    ASSERT_TRUE(settled(2));
    EXPECT_NE(old_leader.listener->backend_pid(), pid);
    notify_once_and_expect_one_delivery("after the session died");
}

TEST_F(LeaderListenerTest, LockKeyIsTheServersHashOfThePrefixedChannel) {
    EXPECT_EQ(LeaderListener::lock_name("demo"), "pgwamp.notify:demo");
    add_member();
    ASSERT_TRUE(settled(1));
    const std::string holder = cluster().psql(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 "
        "AND (classid::bigint << 32 | objid::bigint) = hashtext('pgwamp.notify:leader_test')::bigint");
    EXPECT_EQ(holder, std::to_string(leader().listener->backend_pid()));
}

}  // namespace
}  // namespace pgwamp::db::testing
