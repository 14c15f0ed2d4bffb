#include "wamp/invocation.hpp"

#include <algorithm>

#include "wamp/message.hpp"
#include "wamp/session.hpp"

namespace pgwamp::wamp {

Invocation::Invocation(std::shared_ptr<detail::InvocationState> state) : state_(std::move(state)) {}

const Array& Invocation::args() const { return state_->args; }
const Object& Invocation::kwargs() const { return state_->kwargs; }
std::uint64_t Invocation::request_id() const { return state_->request_id; }
bool Invocation::answered() const { return state_->answered; }
bool Invocation::interrupted() const { return state_->interrupted; }

std::chrono::milliseconds Invocation::caller_timeout() const {
    return std::chrono::milliseconds(static_cast<std::int64_t>(std::min<std::uint64_t>(state_->timeout, 1u << 31)));
}
bool Invocation::receive_progress() const { return state_->receive_progress; }
std::uint64_t Invocation::caller_session() const { return state_->caller; }
const std::string& Invocation::caller_authid() const { return state_->caller_authid; }
const std::string& Invocation::caller_authrole() const { return state_->caller_authrole; }

bool Invocation::progress(Array args, Object kwargs) {
    if (state_->answered) return false;
    auto session = state_->session.lock();
    return session && session->send_progress(*state_, message::encode_yield(state_->request_id, args, kwargs, true));
}

std::size_t Invocation::send_backlog() const {
    auto session = state_->session.lock();
    return session ? session->queued_bytes() : 0;
}

std::size_t Invocation::max_send_size() const {
    auto session = state_->session.lock();
    return session ? session->max_send_size() : 0;
}

namespace {
void tell_observer(detail::InvocationState& state, std::string_view error_uri) {
    if (auto observer = std::move(state.answer_observer)) {
        state.answer_observer = nullptr;
        observer(error_uri);
    }
}
}  // namespace

void Invocation::on_answer(std::function<void(std::string_view error_uri)> observer) {
    state_->answer_observer = std::move(observer);
}

void Invocation::reply(Array args, Object kwargs) {
    if (state_->answered) return;
    tell_observer(*state_, {});
    if (auto session = state_->session.lock()) {
        session->answer(*state_, message::encode_yield(state_->request_id, args, kwargs));
    }
    state_->answered = true;
    // Answered: the handler is no longer needed, and it may hold a copy of
    // this Invocation (a reference cycle) — drop it.
    state_->interrupt_handler = nullptr;
}

void Invocation::error(std::string uri, Array args, Object kwargs) {
    if (state_->answered) return;
    tell_observer(*state_, uri);
    if (auto session = state_->session.lock()) {
        session->answer(*state_, message::encode_invocation_error(state_->request_id, uri, args, kwargs));
    }
    state_->answered = true;
    state_->interrupt_handler = nullptr;
}

void Invocation::on_interrupt(std::function<void()> handler) {
    state_->interrupt_handler = std::move(handler);
    // Interrupted before anyone listened: tell the new listener now (posted).
    if (state_->interrupted && state_->io) detail::post_interrupt(state_);
}

}  // namespace pgwamp::wamp
