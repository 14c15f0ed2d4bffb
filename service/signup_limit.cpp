#include "service/signup_limit.hpp"

#include <string>

namespace pgwamp::service {

std::optional<std::chrono::milliseconds> SignupLimit::admit(std::uint64_t caller_session,
                                                            PeerRateLimit::Clock::time_point now) {
    std::string key = "undisclosed";
    if (caller_session != 0) key = peers_.peer_of(caller_session).value_or("session:" + std::to_string(caller_session));
    return limit_.admit(key, now);
}

}  // namespace pgwamp::service
