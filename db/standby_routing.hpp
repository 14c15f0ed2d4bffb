#pragma once
// Which server a read goes to, as plain data (no I/O, no clock of its own):
// how far each standby lags behind the primary, and whether a read that
// needs a WAL position runs on a standby now, waits for one, or goes to the
// primary. db/standby_set.hpp applies it; tests/unit/dbcore checks it.

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <vector>

#include "pg/wal_position.hpp"

namespace pgwamp::db {

using StandbyClock = std::chrono::steady_clock;

// The primary's WAL insert position as polled, one sample each time it
// moved. A standby's lag is how long ago the primary first had something
// the standby has not replayed: exact to a poll interval whatever the write
// rate, and zero for a caught-up standby of an idle primary.
class PrimaryWal {
public:
    // Samples older than `keep` are forgotten (never the newest, so an idle
    // primary's last write still counts), and at most `capacity` are kept.
    explicit PrimaryWal(StandbyClock::duration keep, std::size_t capacity = 4096);

    // `at`: when the poll was sent, so the position is at or past every
    // commit made before then.
    void sample(StandbyClock::time_point at, WalPosition insert);
    StandbyClock::duration lag(WalPosition replayed, StandbyClock::time_point now) const;
    // The first position sampled at or after `t`: at or past every commit
    // made before `t` (a write whose own position could not be read).
    std::optional<WalPosition> first_sampled_since(StandbyClock::time_point t) const;
    std::optional<WalPosition> latest() const;

private:
    struct Sample {
        StandbyClock::time_point at;         // first seen
        StandbyClock::time_point confirmed;  // last seen (polls that found no new WAL)
        WalPosition position;
    };
    StandbyClock::duration keep_;
    std::size_t capacity_;
    std::deque<Sample> samples_;
};

// What routing knows of one standby.
struct StandbyView {
    bool usable = false;  // answering its polls, in recovery, and lagging no more than allowed
    WalPosition replayed = 0;
};

struct ReadRoute {
    enum class Kind {
        standby,  // `standby` has replayed what the read needs
        wait,     // a usable standby may get there: wait (bounded) and ask again
        primary,  // no usable standby
    };
    Kind kind = Kind::primary;
    std::size_t standby = 0;
};

// Round robin over the usable standbys that have replayed `required`,
// starting at `next` (advanced past the one chosen).
ReadRoute choose_read_route(const std::vector<StandbyView>& standbys, WalPosition required, std::size_t& next);

}  // namespace pgwamp::db
