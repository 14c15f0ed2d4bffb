#pragma once
// `pgwamp --drop-slot`: removes the changes section's replication slot, so
// PostgreSQL stops keeping WAL for a pgwamp that is retired. A one-shot
// command line tool, so it may block (it never runs beside the event loop).

#include "config/config.hpp"

namespace pgwamp::service {

// Prints what it did. 0: dropped, or there was no such slot; 1: the config
// has no changes section; 4: the database refused or was unreachable (a
// slot in use by a running pgwamp is refused: stop it first).
int drop_slot(const config::Config& config);

}  // namespace pgwamp::service
