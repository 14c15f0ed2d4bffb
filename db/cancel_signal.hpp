#pragma once
// Explicit cancellation. Boost 1.74 Asio has no per-operation cancellation
// slots, so the caller keeps this handle and calls cancel() (e.g. on a WAMP
// INTERRUPT). One signal may cover several operations at once (every
// statement of one WAMP call): cancel() reaches all that are still running.
// Canceling before an operation starts makes it fail at once; canceling
// after it completed does nothing. Single-threaded like the rest: call it on
// the pool's executor.

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

namespace pgwamp::db {

class CancelSignal {
public:
    using Slot = std::uint64_t;

    void cancel();
    bool canceled() const noexcept { return canceled_; }

    // For the pool: what cancel() does to one attached operation.
    Slot attach(std::function<void()> on_cancel);
    void detach(Slot slot) noexcept;
    std::size_t attached() const noexcept { return slots_.size(); }

private:
    bool canceled_ = false;
    Slot next_ = 0;
    std::vector<std::pair<Slot, std::function<void()>>> slots_;
};

}  // namespace pgwamp::db
