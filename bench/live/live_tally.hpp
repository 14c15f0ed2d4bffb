#pragma once
// What bench_live counts while live queries answer, as plain data so it can
// be tested without a router.
//
// A live call's progressive results are [list] with kwargs.kind "snapshot"
// (list: rows), "changes" (list: {op, key, row, position}) or "ready" (once,
// kwargs {handle, position}); README "Live queries" has the contract.
//
// LiveCallTally: one call's timeline (first snapshot chunk, ready) and rows.
// ChangeTally: the rows the loader inserted (bench_notify_pub --table
// --owners: run, seq, t_us, owner) as the live queries deliver them: each
// seq of the run must reach its owner's query exactly once; latency is
// t_us (the loader's clock just before it sent the INSERT) -> arrival.

#include "latency.hpp"

#include "common/value.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace pgwamp::bench {

class LiveCallTally {
public:
    using Clock = std::chrono::steady_clock;

    explicit LiveCallTally(Clock::time_point called) : called_(called) {}

    // One progressive result. Returns the list of changes it carried (kind "changes"), else nullptr;
    // the pointer is into `args`.
    const Array* on_progress(const Array& args, const Object& kwargs, Clock::time_point now);

    bool ready() const { return ready_ms_.has_value(); }
    std::uint64_t rows() const { return rows_; }
    std::uint64_t chunks() const { return chunks_; }
    std::uint64_t changes_before_ready() const { return changes_before_ready_; }
    // From the call to the first "snapshot" result, and to "ready".
    std::optional<double> first_chunk_ms() const { return first_chunk_ms_; }
    std::optional<double> ready_ms() const { return ready_ms_; }
    const std::string& position() const { return position_; }
    // Why a result did not look like the contract, if one did not (the first such reason).
    const std::string& shape_error() const { return shape_error_; }

private:
    double ms_since_call(Clock::time_point now) const;
    void shape(std::string why);

    Clock::time_point called_;
    std::uint64_t rows_ = 0;
    std::uint64_t chunks_ = 0;
    std::uint64_t changes_before_ready_ = 0;
    std::optional<double> first_chunk_ms_;
    std::optional<double> ready_ms_;
    std::string position_;
    std::string shape_error_;
};

struct ChangeRunSummary {
    std::size_t expected = 0;
    std::size_t received = 0;      // distinct seq in [0, expected), each at its owner's query
    std::size_t missing = 0;
    std::size_t duplicates = 0;    // a seq again (at any query)
    std::size_t wrong_owner = 0;   // a row at a query of another owner
    std::size_t out_of_order = 0;  // a row arriving at its query after one inserted later
    std::size_t foreign = 0;       // another run, another op, seq out of range, another shape
    std::size_t warmup = 0;        // the loader's warm-up rows (seq -1), left out of everything else
    double first_to_last_s = 0;    // arrival span of the counted rows
    LatencySummary latency;
};

class ChangeTally {
public:
    ChangeTally(std::size_t expected, std::int64_t run) : seen_(expected, false), run_(run) {}

    // The changes of one progressive result of the query following `owner`, arrived at arrived_us
    // (CLOCK_REALTIME, as the loader's t_us).
    void add(const std::string& owner, const Array& changes, std::int64_t arrived_us);
    bool complete() const { return received_ == seen_.size(); }
    std::size_t received() const { return received_; }
    // Every change seen, counted or not (for the idle check).
    std::size_t changes() const { return changes_; }
    ChangeRunSummary summarize();

private:
    void add_one(const std::string& owner, const Value& change, std::int64_t arrived_us);

    std::vector<bool> seen_;
    std::int64_t run_;
    std::unordered_map<std::string, std::int64_t> highest_;  // by owner
    std::size_t received_ = 0;
    std::size_t changes_ = 0;
    std::size_t duplicates_ = 0;
    std::size_t wrong_owner_ = 0;
    std::size_t out_of_order_ = 0;
    std::size_t foreign_ = 0;
    std::size_t warmup_ = 0;
    std::int64_t first_arrival_us_ = 0;
    std::int64_t last_arrival_us_ = 0;
    LatencyRecorder latencies_;
};

// Median and max of a list (the snapshot repetitions); nullopt when empty.
struct MedianMax {
    double median = 0;
    double max = 0;
};
std::optional<MedianMax> median_max(std::vector<double> values);

}  // namespace pgwamp::bench
