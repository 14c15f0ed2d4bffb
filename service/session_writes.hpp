#pragma once
// Read-your-writes, per caller session: where each session's last write
// ended in the primary's WAL, so its next read goes to a standby only once
// the standby has replayed that far (service/read_routing.hpp). The session
// is the router's (INVOCATION caller session id); callers the router does
// not disclose share session 0, so each waits for all of their writes: slower,
// never stale.
//
// Bounded: entries every usable standby has replayed are dropped, and when
// still full the oldest goes, its position kept as a floor every session's
// reads must reach (correct, at worst slower for a moment).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <unordered_map>

#include "pg/wal_position.hpp"

namespace pgwamp::service {

using db::WalPosition;
using WriteClock = std::chrono::steady_clock;

struct ReadNeed {
    std::optional<WalPosition> position;          // what the standby must have replayed
    std::optional<WriteClock::time_point> unknown_since;  // a write whose position is unknown: the primary's WAL after it
};

class SessionWrites {
public:
    explicit SessionWrites(std::size_t max_sessions = 100'000);

    // A write of `session` committed at `position` (nullopt: at an unknown
    // position, known to be before `at`).
    void wrote(std::uint64_t session, std::optional<WalPosition> position, WriteClock::time_point at);
    ReadNeed need(std::uint64_t session) const;
    // Every usable standby has replayed `replayed`: entries up to it need
    // nothing. A write of unknown position becomes `position_since(when)`,
    // the primary's position polled after it, once there is one.
    using PositionSince = std::function<std::optional<WalPosition>(WriteClock::time_point)>;
    void forget_replayed(WalPosition replayed, const PositionSince& position_since);
    std::size_t size() const { return sessions_.size(); }

private:
    struct Entry {
        std::optional<WalPosition> position;
        std::optional<WriteClock::time_point> unknown_since;
        WriteClock::time_point last_write;
    };
    static void merge(ReadNeed& into, const Entry& e);
    static ReadNeed need_of(const Entry& e);

    std::size_t max_;
    std::unordered_map<std::uint64_t, Entry> sessions_;
    Entry floor_;  // what evicted entries needed
};

}  // namespace pgwamp::service
