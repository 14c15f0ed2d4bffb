#pragma once
// The address each router session came from, as pgwamp's authenticators
// heard it: Crossbar calls a dynamic authenticator (anonymous or ticket)
// with details.session and details.transport.peer, while a procedure learns
// only the caller's session id. A limit per address (sign-ups) looks the
// caller up here. Bounded: past `max_sessions` the oldest are forgotten
// (a session not found is limited on its own).

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/value.hpp"

namespace pgwamp::service {

class SessionPeers {
public:
    explicit SessionPeers(std::size_t max_sessions = 100'000) : max_(max_sessions) {}

    void remember(std::uint64_t session, std::string peer);
    std::optional<std::string> peer_of(std::uint64_t session) const;
    std::size_t size() const { return peers_.size(); }

private:
    std::size_t max_;
    std::unordered_map<std::uint64_t, std::string> peers_;
    std::deque<std::uint64_t> order_;  // oldest first
};

// From the details Crossbar passes a dynamic authenticator: the pending
// session's id (0 when absent) and its transport peer without the port
// ("unknown" when absent).
std::uint64_t authenticating_session(const Object& details);
std::string authenticating_peer(const Object& details);

}  // namespace pgwamp::service
