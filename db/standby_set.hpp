#pragma once
// Streaming standbys that serve reads (read-your-writes): one db::Pool per
// standby, a poll of each one's replay position and of the primary's WAL
// position, and the routing of reads that need a position
// (db/standby_routing.hpp decides). One executor, like the pool.
//
// A standby is usable while its last poll answered within `down_after`, it
// is in recovery, and it lags no more than `max_lag`. A read that needs a
// position no usable standby has replayed waits for the next polls (every
// 10 ms while reads wait), at most `max_wait`, then goes to the primary.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "db/options.hpp"
#include "db/standby_routing.hpp"

namespace pgwamp::db {

class Pool;

struct StandbyOptions {
    std::string name;
    PoolOptions pool;
};

struct StandbySetOptions {
    std::vector<StandbyOptions> standbys;
    std::chrono::milliseconds max_wait{500};
    std::chrono::milliseconds max_lag{1000};
    std::chrono::milliseconds poll_interval{100};
    std::size_t max_waiting = 10'000;  // reads waiting at once; beyond, they go to the primary
};

struct StandbyStatus {
    std::string name;
    std::string state;  // "up", "lagging", "down" (not answering, or not a standby)
    std::optional<WalPosition> replayed;
    std::chrono::milliseconds lag{0};  // behind the primary; only meaningful while answering
    std::uint64_t reads = 0;           // reads sent to it
};

// Where each read went, for /metrics and health.
struct ReadRoutingCounts {
    std::uint64_t standby = 0;         // on a standby
    std::uint64_t primary = 0;         // on the primary: no usable standby, or waited out
    std::uint64_t primary_waited_out = 0;
};

class StandbySet : public std::enable_shared_from_this<StandbySet> {
public:
    // Where a read runs; `standby` is null for the primary.
    using Run = std::function<void(Pool& pool, const std::string* standby)>;

    StandbySet(boost::asio::any_io_executor ex, Pool& primary, StandbySetOptions options);
    ~StandbySet();

    void start();
    // Stops polling, sends every waiting read to the primary, closes the standbys' pools.
    void close(std::function<void()> done);

    // Runs `run` (posted, never inline) on a standby that has replayed
    // `required`, after waiting at most max_wait for one; on the primary
    // otherwise, or at once when `required` is nullopt.
    void route(std::optional<WalPosition> required, Run run);

    // The first primary position polled at or after `t` (db/standby_routing.hpp).
    std::optional<WalPosition> primary_position_since(StandbyClock::time_point t) const {
        return primary_wal_.first_sampled_since(t);
    }
    // Positions this far behind every usable standby need nothing.
    std::optional<WalPosition> replayed_by_all() const;

    std::vector<StandbyStatus> status() const;
    const ReadRoutingCounts& counts() const { return counts_; }

private:
    struct Standby;
    struct Waiting {
        WalPosition required;
        StandbyClock::time_point deadline;
        Run run;
    };

    void tick();
    void schedule_tick();
    void poll_primary(StandbyClock::time_point now);
    void poll_standby(std::size_t i, StandbyClock::time_point now);
    void refresh_views(StandbyClock::time_point now);
    void release_waiting(StandbyClock::time_point now);
    void dispatch(Pool& pool, const std::string* standby, Run run);
    void to_primary(Run run);

    boost::asio::any_io_executor ex_;
    Pool& primary_;
    StandbySetOptions options_;
    std::chrono::milliseconds down_after_;
    std::vector<std::unique_ptr<Standby>> standbys_;
    std::vector<StandbyView> views_;
    PrimaryWal primary_wal_;
    bool primary_poll_in_flight_ = false;
    std::vector<Waiting> waiting_;
    std::size_t next_ = 0;
    ReadRoutingCounts counts_;
    boost::asio::steady_timer timer_;
    StandbyClock::time_point tick_at_{};
    bool closed_ = false;
};

}  // namespace pgwamp::db
