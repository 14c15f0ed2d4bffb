#include "service/live_stitch.hpp"

namespace pgwamp::service {

bool LiveStitch::hold(std::uint32_t xid, std::string position, Value change) {
    // Once the snapshot is known, what it saw need not wait for the fence:
    // a stream running behind hands over many of those.
    if (snapshot_ && snapshot_->saw(xid)) return true;
    if (held_.size() >= limit_) return false;
    held_.push_back({xid, std::move(position), std::move(change)});
    return true;
}

LiveStitch::Release LiveStitch::release() {
    Release out;
    out.position = fence_.value_or("");
    for (auto& h : held_) {
        if (snapshot_->saw(h.xid)) continue;  // its rows are in the snapshot already
        if (h.position > out.position) out.position = h.position;
        out.changes.push_back(std::move(h.change));
    }
    held_.clear();
    return out;
}

}  // namespace pgwamp::service
