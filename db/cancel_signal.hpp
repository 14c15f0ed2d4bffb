#pragma once
// Explicit cancellation for one operation at a time. Boost 1.74 Asio has no
// per-operation cancellation slots, so the caller keeps this handle and calls
// cancel() (e.g. on a WAMP INTERRUPT). Canceling before the operation starts
// makes it fail at once; canceling after it completed does nothing.
// Single-threaded like the rest: call it on the pool's executor.

#include <functional>

namespace pgwamp::db {

class CancelSignal {
public:
    void cancel();
    bool canceled() const noexcept { return canceled_; }

    // For the pool: what cancel() does while an operation is attached.
    void attach(std::function<void()> on_cancel) { on_cancel_ = std::move(on_cancel); }
    void detach() noexcept { on_cancel_ = nullptr; }

private:
    bool canceled_ = false;
    std::function<void()> on_cancel_;
};

}  // namespace pgwamp::db
