#pragma once
// The pool's reconnect delays: pgwamp's one Backoff (common/backoff.hpp).
// Kept as a name in db:: only until the pool schedules its reconnects with
// ReconnectSchedule (common/reconnect_schedule.hpp) like the leader listener
// and the WAMP client do; then this header goes.

#include "common/backoff.hpp"
#include "db/options.hpp"

namespace pgwamp::db {

using Backoff = pgwamp::Backoff;

}  // namespace pgwamp::db
