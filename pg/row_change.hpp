#pragma once
// One row change read from a logical replication slot, ready to publish.

#include <cstdint>
#include <optional>
#include <string>

#include "common/value.hpp"

namespace pgwamp::db {

// Hands a change back to its stream once every event made of it has been
// acknowledged (ChangeStream::acknowledge). A ticket from a stream that has
// restarted since is ignored.
struct ChangeTicket {
    std::uint64_t generation = 0;
    std::uint64_t transaction = 0;
};

struct RowChange {
    // "insert", "update", "delete", "truncate", or "message": a transactional
    // pg_logical_emit_message() (table = its prefix, new_row = {content}).
    std::string op;
    std::string schema;
    std::string table;
    // The row after the change (insert, update). A TOASTed column the update
    // did not change is absent: the server did not send it, and it is not null.
    std::optional<Object> new_row;
    // Before the change, as REPLICA IDENTITY provides: the key columns
    // (DEFAULT, INDEX) or the whole row (FULL). Absent for an insert, a
    // truncate, and an update that did not change the key under DEFAULT.
    std::optional<Object> old_row;
    // Commit LSN (16 hex digits) "/" index in the transaction (8 hex digits):
    // sorts in commit order as a plain string, and is the same every time
    // the slot delivers this change again.
    std::string position;
    std::string commit_time;  // ISO 8601 UTC with microseconds, the server's commit timestamp
    std::uint32_t xid = 0;
    ChangeTicket ticket;
};

}  // namespace pgwamp::db
