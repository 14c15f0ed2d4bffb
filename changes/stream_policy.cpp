#include "changes/stream_policy.hpp"

#include "pg/sqlstate.hpp"

namespace pgwamp::db {
namespace {

// Missing tables or privileges, a broken publication: retrying cannot help
// until the operator acts.
bool needs_operator(std::string_view code) {
    return sqlstate_in_class(code, sqlstate::syntax_error_or_access_rule_violation) ||
           code == sqlstate::object_not_in_prerequisite_state;
}

}  // namespace

const char* to_string(StreamState state) {
    switch (state) {
        case StreamState::stopped: return "stopped";
        case StreamState::starting: return "starting";
        case StreamState::waiting: return "waiting";
        case StreamState::streaming: return "streaming";
        case StreamState::off: return "off";
    }
    return "stopped";
}

const char* to_string(StreamDecision decision) {
    switch (decision) {
        case StreamDecision::proceed: return "proceed";
        case StreamDecision::retry: return "retry";
        case StreamDecision::wait: return "wait";
        case StreamDecision::turn_off: return "turn_off";
        case StreamDecision::ignore: return "ignore";
    }
    return "ignore";
}

StreamDecision decide(FailedAt at, std::string_view code, StreamState state) {
    switch (at) {
        case FailedAt::connect: return StreamDecision::retry;
        case FailedAt::consumer:
            // Only a running stream has changes to read again.
            return state == StreamState::streaming ? StreamDecision::retry : StreamDecision::ignore;
        case FailedAt::create_slot:
            // Another process created it a moment ago: use it.
            if (code == sqlstate::duplicate_object) return StreamDecision::proceed;
            return StreamDecision::retry;
        case FailedAt::stream:
            if (code == sqlstate::object_in_use) return StreamDecision::wait;  // another session consumes the slot
            if (code == sqlstate::undefined_object) return StreamDecision::retry;  // dropped meanwhile: create it again
            break;
        case FailedAt::setup: break;
    }
    return needs_operator(code) ? StreamDecision::turn_off : StreamDecision::retry;
}

}  // namespace pgwamp::db
