#include "db/request.hpp"

#include "db/cancel_signal.hpp"

namespace pgwamp::db {

void Request::finish(std::exception_ptr e, Result r) {
    if (finished) return;
    finished = true;
    if (deadlines) deadlines->remove(deadline);
    if (signal) signal->detach(signal_slot);
    if (status_sink) *status_sink = command_status;
    // The position was asked for and never read (the connection was lost,
    // the read was canceled): the statement may have committed.
    if (commit_position && position_step != PositionStep::none) commit_position->unknown = true;
    auto done = std::move(complete);
    complete = nullptr;
    if (done) done(std::move(e), std::move(r));
}

void Request::reset_for_retry() {
    has_outcome = false;
    error = nullptr;
    result = Result{};
    command_status.clear();
    steps.clear();
    steps_done = 0;
    position_step = PositionStep::none;
    shares_sync = false;
    group_follower = false;
    aborted_in_group = false;
    statement_name.clear();
    retry_stale_plan = false;
    retried = true;
}

}  // namespace pgwamp::db
