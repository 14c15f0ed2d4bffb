#include "db/deadline_queue.hpp"

namespace pgwamp::db {

std::shared_ptr<DeadlineQueue> DeadlineQueue::create(boost::asio::any_io_executor ex) {
    return std::shared_ptr<DeadlineQueue>(new DeadlineQueue(std::move(ex)));
}

DeadlineQueue::Handle DeadlineQueue::add(Clock::duration after, std::function<void()> on_expiry) {
    Handle h{Clock::now() + after, ++id_seq_};
    // Deadlines mostly arrive in order (one timeout for every statement), so
    // the end is the usual place and the hint makes the insert cheap.
    entries_.emplace_hint(entries_.end(), Key{h.when, h.id}, std::move(on_expiry));
    arm();
    return h;
}

void DeadlineQueue::remove(Handle& h) {
    if (h) entries_.erase(Key{h.when, h.id});
    h = Handle{};
}

void DeadlineQueue::clear() {
    entries_.clear();
    ++generation_;
    waiting_ = false;
    timer_.cancel();
}

void DeadlineQueue::arm() {
    if (entries_.empty()) return;  // a wait still pending finds nothing due, and stops
    Clock::time_point earliest = entries_.begin()->first.first;
    if (waiting_ && armed_for_ <= earliest) return;
    waiting_ = true;
    armed_for_ = earliest;
    timer_.expires_at(earliest);  // aborts the pending wait, if any
    std::weak_ptr<DeadlineQueue> weak = weak_from_this();
    timer_.async_wait([weak, gen = ++generation_](const boost::system::error_code& ec) {
        if (ec) return;
        auto self = weak.lock();
        if (self && self->generation_ == gen) self->on_timer();
    });
}

void DeadlineQueue::on_timer() {
    waiting_ = false;
    auto now = Clock::now();
    while (!entries_.empty() && entries_.begin()->first.first <= now) {
        auto node = entries_.extract(entries_.begin());
        node.mapped()();
    }
    arm();
}

}  // namespace pgwamp::db
