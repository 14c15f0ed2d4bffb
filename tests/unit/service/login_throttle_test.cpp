// Sign-in limits, with a fake clock: guessing costs time, floods are cut.

#include <gtest/gtest.h>

#include "service/login_throttle.hpp"

namespace pgwamp::service {
namespace {

using namespace std::chrono_literals;
using Verdict = LoginThrottle::Verdict;

struct Fixture {
    LoginThrottle::Limits limits{.name_failures = 3, .name_lock = 60s, .peer_attempts = 10, .peer_window = 60s,
                                 .max_tracked = 100};
    LoginThrottle throttle{limits};
    LoginThrottle::Clock::time_point now{};

    Verdict attempt(const std::string& name, bool right, const std::string& peer = "tcp4:10.0.0.1") {
        auto d = throttle.admit(name, peer, now);
        if (d.verdict == Verdict::allowed) throttle.record(name, right, now);
        return d.verdict;
    }
};

TEST(LoginThrottle, WrongPasswordsLockTheNameEvenForTheRightOne) {
    Fixture f;
    EXPECT_EQ(f.attempt("alice", false), Verdict::allowed);
    EXPECT_EQ(f.attempt("alice", false), Verdict::allowed);
    EXPECT_EQ(f.attempt("alice", false), Verdict::allowed);  // the third failure locks
    EXPECT_EQ(f.attempt("alice", true), Verdict::name_locked);
    auto d = f.throttle.admit("alice", "tcp4:10.0.0.1", f.now);
    EXPECT_EQ(d.retry_after, 60s);
    EXPECT_EQ(f.attempt("bob", true), Verdict::allowed);  // other names are not affected
    f.now += 60s;
    EXPECT_EQ(f.attempt("alice", true), Verdict::allowed);
}

TEST(LoginThrottle, ARightPasswordResetsTheCount) {
    Fixture f;
    f.attempt("alice", false);
    f.attempt("alice", false);
    EXPECT_EQ(f.attempt("alice", true), Verdict::allowed);
    f.attempt("alice", false);
    f.attempt("alice", false);
    EXPECT_EQ(f.attempt("alice", true), Verdict::allowed);
    EXPECT_EQ(f.throttle.tracked_names(), 0u);
}

TEST(LoginThrottle, OnePeerGetsAFixedNumberOfAttemptsPerWindow) {
    Fixture f;
    for (int i = 0; i < 10; ++i) EXPECT_EQ(f.attempt("user" + std::to_string(i), true), Verdict::allowed);
    EXPECT_EQ(f.attempt("another", true), Verdict::peer_limited);
    EXPECT_EQ(f.attempt("another", true, "tcp4:10.0.0.2"), Verdict::allowed);  // another address
    f.now += 30s;
    auto d = f.throttle.admit("another", "tcp4:10.0.0.1", f.now);
    EXPECT_EQ(d.verdict, Verdict::peer_limited);
    EXPECT_EQ(d.retry_after, 30s);
    f.now += 30s;
    EXPECT_EQ(f.attempt("another", true), Verdict::allowed);
}

TEST(LoginThrottle, MemoryStaysBoundedUnderANameSpray) {
    Fixture f;
    for (int i = 0; i < 5000; ++i) {
        f.attempt("name" + std::to_string(i), false, "tcp4:10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250));
        f.now += 1ms;
    }
    EXPECT_LE(f.throttle.tracked_names(), f.limits.max_tracked);
    EXPECT_LE(f.throttle.tracked_peers(), f.limits.max_tracked);
}

TEST(LoginThrottle, PeerAddressLeavesThePortOut) {
    EXPECT_EQ(peer_address("tcp4:127.0.0.1:54321"), "tcp4:127.0.0.1");
    EXPECT_EQ(peer_address("tcp6:[::1]:8080"), "tcp6:[::1]");
    EXPECT_EQ(peer_address("unix"), "unix");
    EXPECT_EQ(peer_address("unix:/run/x.sock"), "unix:/run/x.sock");
    EXPECT_EQ(peer_address(""), "");
}

}  // namespace
}  // namespace pgwamp::service
