#include "db/cancel_signal.hpp"

#include <algorithm>

namespace pgwamp::db {

void CancelSignal::cancel() {
    if (canceled_) return;
    canceled_ = true;
    // Move out first: a callback may detach, or destroy what it captured.
    auto slots = std::move(slots_);
    slots_.clear();
    for (auto& [slot, fn] : slots)
        if (fn) fn();
}

CancelSignal::Slot CancelSignal::attach(std::function<void()> on_cancel) {
    slots_.emplace_back(++next_, std::move(on_cancel));
    return next_;
}

void CancelSignal::detach(Slot slot) noexcept {
    slots_.erase(std::remove_if(slots_.begin(), slots_.end(), [slot](const auto& s) { return s.first == slot; }),
                 slots_.end());
}

}  // namespace pgwamp::db
