#pragma once
// How many connections and waiting requests a pool may have: the part of
// PoolOptions that PoolState decides with (one set of fields and defaults
// for both).

#include <chrono>
#include <cstddef>

namespace pgwamp::db {

struct PoolLimits {
    std::size_t min_connections = 1;
    std::size_t max_connections = 4;
    std::size_t max_queue = 1000;  // statements/interactions waiting for a connection
    // A busy connection takes more pipelined statements until its oldest one
    // has waited this long for its answer; only then (or when every
    // connection is at max_in_flight_per_connection) does the pool open
    // another, up to max_connections. Fast statements so stay on few
    // connections: another backend would only add context switches.
    std::chrono::milliseconds grow_after{5};
    // A connection beyond min_connections that has had nothing to do for
    // this long is closed, so a burst does not hold backends for ever.
    // 0: never.
    std::chrono::milliseconds idle_timeout{60'000};
};

}  // namespace pgwamp::db
