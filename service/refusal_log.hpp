#pragma once
// A flood is thousands of refusals a second: one log line per reason per
// 10 s, saying how many were refused since the last line.

#include <chrono>
#include <cstdint>
#include <optional>

namespace pgwamp::service {

class RefusalLog {
public:
    using Clock = std::chrono::steady_clock;
    // Counts one refusal; answers how many to report when a line is due now.
    std::optional<std::uint64_t> refused(Clock::time_point now) {
        ++unlogged_;
        if (logged_ != Clock::time_point{} && now - logged_ < std::chrono::seconds(10)) return std::nullopt;
        const auto count = unlogged_;
        unlogged_ = 0;
        logged_ = now;
        return count;
    }

private:
    std::uint64_t unlogged_ = 0;
    Clock::time_point logged_{};
};

}  // namespace pgwamp::service
