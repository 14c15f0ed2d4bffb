#pragma once
// Where a read-only call runs, and what a write leaves behind for the
// caller's next read (issue: reads on standbys with read-your-writes).
//
// A write (a call of a procedure not declared read_only) reads the
// primary's WAL position behind its commit, in the same flush
// (db/commit_position.hpp), and files it under the caller's session
// (service/session_writes.hpp). A read-only call needs the largest of that
// and the event position the caller passed as the keyword argument
// "pgwamp.after"; the standbys (db/standby_set.hpp) serve it once one has
// replayed that far, else, after at most replica_routing.max_wait, the
// primary. Without replicas every call runs on the primary, read-only
// calls still in a read-only transaction.

#include <memory>
#include <optional>
#include <string_view>

#include "common/value.hpp"
#include "db/commit_position.hpp"
#include "db/standby_set.hpp"
#include "service/session_writes.hpp"

namespace pgwamp::db {
class Pool;
}

namespace pgwamp::service {

// The keyword argument that asks for "at least this position": a row-change
// event's `position`. A name no declared argument can have (they are identifiers).
inline constexpr std::string_view after_keyword = "pgwamp.after";

// The target the caller asked for with after_keyword, if it did; throws
// InvalidArgument for a value that is not an event position.
std::optional<WalPosition> requested_position(const Object& kwargs);
// kwargs without after_keyword (the procedure's own arguments).
Object without_requested_position(const Object& kwargs);

class ReadRouting {
public:
    // `standbys` may be null: no replicas.
    ReadRouting(db::Pool& primary, std::shared_ptr<db::StandbySet> standbys);

    // For a write: a sink for its commit position, null without standbys.
    std::shared_ptr<db::CommitPosition> position_sink() const;
    void wrote(std::uint64_t session, const db::CommitPosition& position);

    // Runs `run` on the server a read-only call of `session` should use
    // (posted, never inline); `standby` is null for the primary.
    void route_read(std::uint64_t session, std::optional<WalPosition> requested, db::StandbySet::Run run);
    void to_primary(db::StandbySet::Run run);

private:
    void prune();

    db::Pool& primary_;
    std::shared_ptr<db::StandbySet> standbys_;
    SessionWrites writes_;
    std::uint64_t writes_seen_ = 0;
};

}  // namespace pgwamp::service
