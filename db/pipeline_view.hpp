#pragma once
// What the pool's decisions (db/pool_state.hpp) need to know of a ready
// connection's pipeline, asked at the moment of deciding. db::Connection
// implements it; the pool's unit tests use fakes.

#include <chrono>
#include <cstddef>

namespace pgwamp::db {

using PoolClock = std::chrono::steady_clock;

class PipelineView {
public:
    virtual ~PipelineView() = default;
    // Ready and not holding sends back for a cancel.
    virtual bool accepting() const = 0;
    // Statements queued on it or in flight.
    virtual std::size_t load() const = 0;
    // Its pipeline cap: statements queued or in flight at most.
    virtual std::size_t max_in_flight() const = 0;
    // Its oldest statement sent has waited `longer_than` for its answer:
    // whatever is pipelined behind it waits as long.
    virtual bool stalled(PoolClock::time_point now, PoolClock::duration longer_than) const = 0;

protected:
    PipelineView() = default;
    PipelineView(const PipelineView&) = default;
    PipelineView& operator=(const PipelineView&) = default;
};

}  // namespace pgwamp::db
