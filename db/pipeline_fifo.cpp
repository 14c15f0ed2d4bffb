#include "db/pipeline_fifo.hpp"

#include <algorithm>

namespace pgwamp::db {

RequestPtr PipelineFifo::next_to_send() {
    if (unsent_.empty() || holding() || in_flight_.size() >= max_in_flight_) return nullptr;
    RequestPtr r = std::move(unsent_.front());
    unsent_.pop_front();
    in_flight_.push_back(r);
    return r;
}

RequestPtr PipelineFifo::unsend_last() {
    if (in_flight_.empty()) return nullptr;
    RequestPtr r = std::move(in_flight_.back());
    in_flight_.pop_back();
    if (r->cancel_requested) --cancel_targets_;
    return r;
}

RequestPtr PipelineFifo::on_sync() {
    if (in_flight_.empty()) return nullptr;
    RequestPtr r = std::move(in_flight_.front());
    in_flight_.pop_front();
    if (r->cancel_requested) --cancel_targets_;
    return r;
}

PipelineFifo::CancelStep PipelineFifo::cancel(const Request* r, Errc reason) {
    auto same = [r](const RequestPtr& p) { return p.get() == r; };
    if (auto it = std::find_if(unsent_.begin(), unsent_.end(), same); it != unsent_.end()) {
        (*it)->cancel_requested = true;
        (*it)->cancel_reason = reason;
        unsent_.erase(it);
        return CancelStep::removed;
    }
    auto it = std::find_if(in_flight_.begin(), in_flight_.end(), same);
    if (it == in_flight_.end()) return CancelStep::not_here;
    if (!(*it)->cancel_requested) {
        (*it)->cancel_requested = true;
        (*it)->cancel_reason = reason;
        ++cancel_targets_;
    }
    return CancelStep::pending;
}

RequestPtr PipelineFifo::take_cancel_to_send() {
    Request* h = head();
    if (!h || !h->cancel_requested || h->cancel_sent) return nullptr;
    h->cancel_sent = true;
    ++h->cancel_attempts;
    ++cancels_outstanding_;
    return in_flight_.front();
}

bool PipelineFifo::rearm_cancel(const Request* r) {
    Request* h = head();
    if (!h || h != r || !h->cancel_requested || h->finished) return false;
    h->cancel_sent = false;
    return true;
}

void PipelineFifo::cancel_answered() {
    if (cancels_outstanding_ > 0) --cancels_outstanding_;
}

std::vector<RequestPtr> PipelineFifo::drain() {
    std::vector<RequestPtr> all;
    all.reserve(load());
    for (auto& r : in_flight_) all.push_back(std::move(r));
    for (auto& r : unsent_) all.push_back(std::move(r));
    in_flight_.clear();
    unsent_.clear();
    cancel_targets_ = 0;
    cancels_outstanding_ = 0;
    return all;
}

}  // namespace pgwamp::db
