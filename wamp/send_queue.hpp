#pragma once
// The bounded queue of outgoing frames of one transport. Pure logic: the
// transport writes the first frames in one gathered write (at(0..n-1)) and
// pop(n)s them when the write completed. Frames stay where they are while
// later ones are pushed (a deque never moves its elements on push_back), so a
// write in flight can point into them.
//
// The bound is in octets, not messages, because memory is what runs out when
// the router reads slower than we produce. A push that would pass the bound is
// refused with Errc::send_queue_full and nothing is queued; the caller turns
// that into an error for the one operation (a call fails with
// error_uri::overloaded) instead of growing without limit.

#include <cstddef>
#include <deque>
#include <string>
#include <system_error>

namespace pgwamp::wamp {

class SendQueue {
public:
    explicit SendQueue(std::size_t max_bytes) : max_bytes_(max_bytes) {}

    // Queues a frame unless it would pass the bound. An empty queue always
    // takes one frame even if it is larger than the bound by itself, so a
    // message within the negotiated size limit can always be sent eventually.
    std::error_code push(std::string frame);

    bool empty() const { return frames_.empty(); }
    std::size_t size() const { return frames_.size(); }
    std::size_t bytes() const { return bytes_; }
    std::size_t max_bytes() const { return max_bytes_; }
    const std::string& front() const { return frames_.front(); }
    const std::string& at(std::size_t i) const { return frames_[i]; }
    void pop();
    // Pops the first n frames (n <= size()).
    void pop(std::size_t n);
    void clear();

private:
    std::size_t max_bytes_;
    std::size_t bytes_ = 0;
    std::deque<std::string> frames_;
};

}  // namespace pgwamp::wamp
