#include "db/request.hpp"

#include "db/cancel_signal.hpp"

namespace pgwamp::db {

void Request::finish(std::exception_ptr e, Result r) {
    if (finished) return;
    finished = true;
    if (deadlines) deadlines->remove(deadline);
    if (signal) signal->detach(signal_slot);
    if (status_sink) *status_sink = command_status;
    auto done = std::move(complete);
    complete = nullptr;
    if (done) done(std::move(e), std::move(r));
}

}  // namespace pgwamp::db
