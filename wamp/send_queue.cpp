#include "wamp/send_queue.hpp"

#include "wamp/error.hpp"

namespace pgwamp::wamp {

std::error_code SendQueue::push(std::string frame) {
    if (!frames_.empty() && bytes_ + frame.size() > max_bytes_) return Errc::send_queue_full;
    bytes_ += frame.size();
    frames_.push_back(std::move(frame));
    return {};
}

void SendQueue::pop() {
    bytes_ -= frames_.front().size();
    frames_.pop_front();
}

void SendQueue::pop(std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) pop();
}

void SendQueue::clear() {
    frames_.clear();
    bytes_ = 0;
}

}  // namespace pgwamp::wamp
