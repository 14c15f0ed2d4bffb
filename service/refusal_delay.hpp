#pragma once
// How long a refused sign-in waits for its answer (a tarpit). A guesser or
// a flood that waits for each answer before its next attempt, as a browser's
// sign-in does, then makes few attempts however many connections it holds,
// and the router's work per attempt (a WebSocket, HELLO, CHALLENGE) shrinks
// with them: the router is one process, and a flood answered at once took
// the CPU its callers needed (bench/results/login.md).
//
// Per address: the first refusal waits `first`; each further one doubles
// the wait, up to `max`; an address refused nothing for `forget_after`
// starts again at `first`. One mistyped password costs a person `first`.
// Memory is bounded by `max_tracked` addresses (bounded_map.hpp). Pure
// logic with the time passed in (tests use a fake clock); the authenticator
// holds the answers (at most identity.login.max_delayed_refusals at once).

#include <chrono>
#include <cstddef>
#include <map>
#include <string>

namespace pgwamp::service {

class RefusalDelay {
public:
    using Clock = std::chrono::steady_clock;
    struct Limits {
        std::chrono::milliseconds first{1000};  // zero: no delay at all
        std::chrono::milliseconds max{10'000};
        std::chrono::milliseconds forget_after{60'000};
        std::size_t max_tracked = 10'000;
    };

    explicit RefusalDelay(Limits limits) : limits_(limits) {}

    // Records a refusal of `peer` and says how long its answer waits.
    std::chrono::milliseconds refused(const std::string& peer, Clock::time_point now);

    std::size_t tracked() const { return peers_.size(); }

private:
    struct Peer {
        std::chrono::milliseconds last_delay{0};
        Clock::time_point last_refusal{};
    };
    Limits limits_;
    std::map<std::string, Peer> peers_;
};

}  // namespace pgwamp::service
