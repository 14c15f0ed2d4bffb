#include "db/cancel_signal.hpp"

namespace pgwamp::db {

void CancelSignal::cancel() {
    if (canceled_) return;
    canceled_ = true;
    // Move out first: the callback may detach or destroy what it captured.
    auto on_cancel = std::move(on_cancel_);
    on_cancel_ = nullptr;
    if (on_cancel) on_cancel();
}

}  // namespace pgwamp::db
