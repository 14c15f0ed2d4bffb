// Sign-ups per address: sessions mapped to the address an authenticator saw,
// with a fake clock.

#include <gtest/gtest.h>

#include "service/peer_rate_limit.hpp"
#include "service/session_peers.hpp"
#include "service/signup_limit.hpp"

namespace pgwamp::service {
namespace {

using namespace std::chrono_literals;

TEST(PeerRateLimit, FixedWindowPerAddress) {
    PeerRateLimit limit({.attempts = 2, .window = 60s, .max_tracked = 10});
    PeerRateLimit::Clock::time_point now{};
    EXPECT_FALSE(limit.admit("tcp4:10.0.0.1", now));
    EXPECT_FALSE(limit.admit("tcp4:10.0.0.1", now + 1s));
    EXPECT_EQ(limit.admit("tcp4:10.0.0.1", now + 20s), 40s);
    EXPECT_FALSE(limit.admit("tcp4:10.0.0.2", now + 20s));
    EXPECT_FALSE(limit.admit("tcp4:10.0.0.1", now + 60s));  // a new window
}

TEST(PeerRateLimit, MemoryStaysBoundedUnderAnAddressSpray) {
    PeerRateLimit limit({.attempts = 1, .window = 60s, .max_tracked = 50});
    PeerRateLimit::Clock::time_point now{};
    for (int i = 0; i < 1000; ++i) limit.admit("tcp4:10.1." + std::to_string(i / 250) + "." + std::to_string(i % 250), now);
    EXPECT_LE(limit.tracked(), 50u);
}

TEST(SessionPeers, ForgetsTheOldestPastItsBound) {
    SessionPeers peers(3);
    for (std::uint64_t s = 1; s <= 5; ++s) peers.remember(s, "tcp4:10.0.0." + std::to_string(s));
    EXPECT_EQ(peers.size(), 3u);
    EXPECT_FALSE(peers.peer_of(1));
    EXPECT_FALSE(peers.peer_of(2));
    EXPECT_EQ(peers.peer_of(5), "tcp4:10.0.0.5");
    peers.remember(0, "tcp4:10.0.0.9");  // no session id: nothing to remember
    EXPECT_EQ(peers.size(), 3u);
}

TEST(SessionPeers, ReadsCrossbarsAuthenticatorDetails) {
    const Object details{{"session", Value(std::int64_t{42})},
                         {"transport", Value(Object{{"peer", Value("tcp4:192.0.2.7:51234")}, {"type", Value("websocket")}})}};
    EXPECT_EQ(authenticating_session(details), 42u);
    EXPECT_EQ(authenticating_peer(details), "tcp4:192.0.2.7");
    EXPECT_EQ(authenticating_session(Object{{"session", Value("42")}}), 0u);
    EXPECT_EQ(authenticating_peer(Object{{"transport", Value("tcp4:1.2.3.4:5")}}), "unknown");
}

TEST(SignupLimit, CountsAnAddressAcrossItsSessions) {
    SessionPeers peers;
    peers.remember(1, "tcp4:10.0.0.1");
    peers.remember(2, "tcp4:10.0.0.1");
    peers.remember(3, "tcp4:10.0.0.2");
    SignupLimit limit({.attempts = 2, .window = 3600s, .max_tracked = 100}, peers);
    PeerRateLimit::Clock::time_point now{};
    EXPECT_FALSE(limit.admit(1, now));
    EXPECT_FALSE(limit.admit(2, now));
    EXPECT_EQ(limit.admit(2, now + 600s), 3000s);
    EXPECT_EQ(limit.admit(1, now + 600s), 3000s);
    EXPECT_FALSE(limit.admit(3, now));  // another address
}

TEST(SignupLimit, UnseenSessionsAreLimitedEachUndisclosedCallersTogether) {
    SessionPeers peers;
    SignupLimit limit({.attempts = 1, .window = 60s, .max_tracked = 100}, peers);
    PeerRateLimit::Clock::time_point now{};
    EXPECT_FALSE(limit.admit(7, now));
    EXPECT_TRUE(limit.admit(7, now));
    EXPECT_FALSE(limit.admit(8, now));
    EXPECT_FALSE(limit.admit(0, now));
    EXPECT_TRUE(limit.admit(0, now));
}

}  // namespace
}  // namespace pgwamp::service
