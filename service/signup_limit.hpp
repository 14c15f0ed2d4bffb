#pragma once
// Sign-ups (calls of procedures declared "pool": "login") per address: at
// most identity.login.signups_per_peer per signup_window from one address, as
// the authenticators saw it (service/session_peers.hpp). A caller whose
// address no authenticator saw (the router admits anonymous visitors itself)
// is limited per session instead, and an undisclosed caller shares one
// allowance with every other undisclosed caller.

#include <chrono>
#include <cstdint>
#include <optional>

#include "service/peer_rate_limit.hpp"
#include "service/session_peers.hpp"

namespace pgwamp::service {

class SignupLimit {
public:
    SignupLimit(PeerRateLimit::Limits limits, const SessionPeers& peers) : limit_(limits), peers_(peers) {}

    // Nothing when this sign-up may run (and it is counted); otherwise how
    // long until its address may sign up again.
    std::optional<std::chrono::milliseconds> admit(std::uint64_t caller_session, PeerRateLimit::Clock::time_point now);

private:
    PeerRateLimit limit_;
    const SessionPeers& peers_;
};

}  // namespace pgwamp::service
