#pragma once
// What the change stream does after a failure, decided without I/O (as
// db/pool_state.hpp decides for the pool), so each rule is tested alone
// (tests/unit/changes). ChangeStream carries the decision out; the delays
// belong to it: the backoff for `retry`, retry_interval for `wait`,
// off_retry_interval for `turn_off`.

#include <string_view>

namespace pgwamp::db {

enum class StreamState {
    stopped,    // not started, or stopped
    starting,   // connecting, checking, or waiting to try again after a failure
    waiting,    // another session consumes the slot; trying again every retry_interval
    streaming,  // this process consumes the slot
    off,        // the server cannot stream (reason says why); tried again every off_retry_interval
};
const char* to_string(StreamState state);

// Where the failure happened.
enum class FailedAt {
    connect,      // the replication connection could not be opened
    setup,        // a check or set-up command (SHOW, the publication, a slot lookup)
    create_slot,  // CREATE_REPLICATION_SLOT
    stream,       // START_REPLICATION was refused, or the stream ended
    consumer,     // the consumer could not make a change safe (ChangeStream::restart)
};

enum class StreamDecision {
    proceed,   // not a failure after all: carry on
    retry,     // close, then connect again after the backoff
    wait,      // another session consumes the slot: try again every retry_interval
    turn_off,  // the operator must act: state off, try again every off_retry_interval
    ignore,    // nothing to do
};
const char* to_string(StreamDecision decision);

// `sqlstate` is the server's code ("" when the server said nothing: a lost
// connection, a timeout); `state` the stream's state when it happened.
StreamDecision decide(FailedAt at, std::string_view sqlstate, StreamState state);

}  // namespace pgwamp::db
