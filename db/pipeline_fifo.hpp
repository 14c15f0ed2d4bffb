#pragma once
// The per-connection bookkeeping of a pipelined connection, without I/O
// (STYLE.md habits 1 and 6): requests not yet sent, requests in flight in the
// order the server will answer them, and the cancel guard.
//
// Every request is sent as its own statement followed by a Sync, so the
// server answers each with [result] then PIPELINE_SYNC, and an error in one
// does not abort the ones behind it.
//
// Cancel guard. The server can only be asked to cancel "whatever backend N
// runs now", so in a pipeline a cancel aimed at one statement could hit the
// next one. We therefore (1) ask for a cancel only while the target is the
// head of the in-flight FIFO, (2) send nothing new on this connection from
// the moment a cancel is wanted until the target has finished AND the cancel
// request itself has been answered. A backend that is idle when the signal
// lands ignores it, so once both are true no later statement can be hit.
// Statements already in flight behind the target when the cancel was asked
// can still be hit if the target finishes first; they then report what the
// server said (sql_error 57014), never a fabricated "canceled".

#include <cstddef>
#include <deque>
#include <vector>

#include "db/request.hpp"

namespace pgwamp::db {

class PipelineFifo {
public:
    explicit PipelineFifo(std::size_t max_in_flight) : max_in_flight_(max_in_flight ? max_in_flight : 1) {}

    void enqueue(RequestPtr r) { unsent_.push_back(std::move(r)); }

    // The next request to send, moved to the in-flight FIFO; null when there
    // is none, the cap is reached, or a cancel holds sending back.
    RequestPtr next_to_send();

    // The request next_to_send() would return now, left in place; null when none.
    const Request* peek_next() const {
        if (unsent_.empty() || holding() || in_flight_.size() >= max_in_flight_) return nullptr;
        return unsent_.front().get();
    }
    // The request sent last (the newest in flight); null when none.
    Request* last_sent() const { return in_flight_.empty() ? nullptr : in_flight_.back().get(); }

    // Undoes the last next_to_send() when libpq refused the request itself
    // (nothing was written); the caller fails it. Returns it.
    RequestPtr unsend_last();

    // Puts a request that came back from the server unanswered (a stale
    // plan to retry) first in line to be sent again.
    void requeue_front(RequestPtr r) { unsent_.push_front(std::move(r)); }

    // The request the server is answering now (null when none is in flight).
    Request* head() const { return in_flight_.empty() ? nullptr : in_flight_.front().get(); }

    // The head's sync point arrived: it is complete. Returns it.
    RequestPtr on_sync();

    enum class CancelStep {
        not_here,  // unknown or already finished
        removed,   // was not sent yet: removed, the caller completes it
        pending,   // in flight: the server will be asked (see take_cancel_to_send)
    };
    CancelStep cancel(const Request* r, Errc reason);

    // When the head wants a cancel that was not yet sent: marks it sent and
    // returns it; the caller must then ask the server and call
    // cancel_answered() when that request completes (successfully or not).
    RequestPtr take_cancel_to_send();
    void cancel_answered();
    // The target still runs after its cancel was answered (the signal can
    // land before the backend began the statement, and is then ignored):
    // lets take_cancel_to_send() return it again. False if it is not the head.
    bool rearm_cancel(const Request* r);

    bool holding() const { return cancel_targets_ > 0 || cancels_outstanding_ > 0; }
    std::size_t in_flight() const { return in_flight_.size(); }
    std::size_t unsent() const { return unsent_.size(); }
    std::size_t load() const { return in_flight_.size() + unsent_.size(); }
    std::size_t max_in_flight() const { return max_in_flight_; }
    bool empty() const { return load() == 0; }

    // Everything still here, in-flight first (oldest first), then unsent.
    std::vector<RequestPtr> drain();

private:
    std::size_t max_in_flight_;
    std::deque<RequestPtr> unsent_;
    std::deque<RequestPtr> in_flight_;
    std::size_t cancel_targets_ = 0;       // in-flight requests with cancel_requested
    std::size_t cancels_outstanding_ = 0;  // cancel requests sent, not yet answered
};

}  // namespace pgwamp::db
