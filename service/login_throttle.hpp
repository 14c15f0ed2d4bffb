#pragma once
// Limits on signing in, decided before any database work (a sign-in costs a
// bcrypt in PostgreSQL): password guessing costs the guesser time, and a
// flood of sign-ins is refused cheaply instead of queueing for the database.
//
//   per name: after `name_failures` wrong passwords in a row the name is
//             locked for `name_lock`; a right password resets the count.
//             The right password is refused too while locked, so a guess
//             that happens to be right tells the guesser nothing.
//   per peer: at most `peer_attempts` sign-ins per `peer_window` from one
//             address (the router's transport peer, port left out).
//
// Memory is bounded: at most `max_tracked` names and as many peers; when
// full, entries whose lock or window is over go first, then the oldest.
// Pure logic with the time passed in (tests use a fake clock).

#include <chrono>
#include <cstddef>
#include <map>
#include <string>

#include "service/peer_rate_limit.hpp"

namespace pgwamp::service {

class LoginThrottle {
public:
    using Clock = std::chrono::steady_clock;
    struct Limits {
        int name_failures = 5;
        std::chrono::milliseconds name_lock{60'000};
        int peer_attempts = 120;
        std::chrono::milliseconds peer_window{60'000};
        std::size_t max_tracked = 10'000;
    };
    enum class Verdict { allowed, name_locked, peer_limited };
    struct Decision {
        Verdict verdict = Verdict::allowed;
        std::chrono::milliseconds retry_after{0};  // when not allowed
    };

    explicit LoginThrottle(Limits limits)
        : limits_(limits), peers_({limits.peer_attempts, limits.peer_window, limits.max_tracked}) {}

    // May this sign-in go to the database? Counts it against the peer when allowed.
    Decision admit(const std::string& name, const std::string& peer, Clock::time_point now);
    // What the database said about an admitted sign-in.
    void record(const std::string& name, bool succeeded, Clock::time_point now);

    std::size_t tracked_names() const { return names_.size(); }
    std::size_t tracked_peers() const { return peers_.tracked(); }

private:
    struct NameState {
        int failures = 0;
        Clock::time_point locked_until{};
        Clock::time_point last_seen{};
    };
    Limits limits_;
    std::map<std::string, NameState> names_;
    PeerRateLimit peers_;
};

}  // namespace pgwamp::service
