#pragma once
// At most `attempts` per `window` from one address (the router's transport
// peer without its port, see peer_address), in fixed windows that start with
// an address's first attempt. Memory is bounded: at most `max_tracked`
// addresses; when full, those whose window is over go first, then the oldest.
// Pure logic with the time passed in (tests use a fake clock).

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>

namespace pgwamp::service {

class PeerRateLimit {
public:
    using Clock = std::chrono::steady_clock;
    struct Limits {
        int attempts = 120;
        std::chrono::milliseconds window{60'000};
        std::size_t max_tracked = 10'000;
    };

    explicit PeerRateLimit(Limits limits) : limits_(limits) {}

    // Counts the attempt and answers nothing when allowed; otherwise how long
    // until the address's window ends.
    std::optional<std::chrono::milliseconds> admit(const std::string& peer, Clock::time_point now);

    std::size_t tracked() const { return peers_.size(); }

private:
    struct Window {
        int attempts = 0;
        Clock::time_point start{};
    };
    Limits limits_;
    std::map<std::string, Window> peers_;
};

// "tcp4:127.0.0.1:54321" -> "tcp4:127.0.0.1" (the router's transport peer);
// "tcp6:[::1]:80" -> "tcp6:[::1]"; anything else as it is.
std::string peer_address(const std::string& transport_peer);

}  // namespace pgwamp::service
