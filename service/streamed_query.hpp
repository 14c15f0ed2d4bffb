#pragma once
// A `query` procedure whose caller asked for progressive results
// (receive_progress): its rows go out as they are read, in chunks, never the
// whole result first.
//
// How: a server-side cursor in a transaction on a pinned connection
// (DECLARE ... NO SCROLL CURSOR, then FETCH FORWARD n until it runs dry).
// libpq 15's single-row mode would do it too, but a connection shares its
// pipeline with other calls, and pausing its reads for one slow caller
// would stall them all; a cursor holds one connection, reads at the
// caller's pace, and each FETCH is a statement the pool already knows how
// to time out and cancel.
//
// Each progressive YIELD: args [rows], kwargs {offset} (rows before this
// chunk), at most chunk_rows rows and about chunk_bytes. The final result:
// [{rows, chunks}]. Back-pressure: past high_water octets queued toward the
// router, no FETCH is sent until the queue is below low_water; memory then
// holds one chunk, whatever the caller's speed. The caller's timeout (or
// else the procedure's) is the time allowed for each FETCH, between chunks,
// as the WAMP spec says for progressive calls. A CANCEL or the caller
// leaving interrupts the invocation: the FETCH under way is cancelled,
// nothing more is sent, the transaction rolls back and the connection goes
// back to the pool.

#include <cstddef>
#include <memory>

#include "config/config.hpp"
#include "db/pool.hpp"
#include "service/call_context.hpp"

namespace pgwamp::service {

struct StreamLimits {
    std::size_t chunk_rows = 1000;             // rows per FETCH and at most per YIELD
    std::size_t chunk_bytes = 256 * 1024;      // about this many octets per YIELD
    std::size_t high_water = 4 * 1024 * 1024;  // queued toward the router: stop fetching
    std::size_t low_water = 1024 * 1024;       // ... until below this
};

void stream_config_procedure(db::Pool& pool, const config::ProcedureConfig& procedure, std::vector<Value> params,
                             std::shared_ptr<CallContext> context, StreamLimits limits = {});

// Octets a value takes in MessagePack, near enough to bound a chunk.
std::size_t approximate_size(const Value& value);

}  // namespace pgwamp::service
