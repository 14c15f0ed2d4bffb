#include "wamp/invocation.hpp"

#include "wamp/message.hpp"
#include "wamp/session.hpp"

namespace pgwamp::wamp {

Invocation::Invocation(std::shared_ptr<detail::InvocationState> state) : state_(std::move(state)) {}

const Array& Invocation::args() const { return state_->args; }
const Object& Invocation::kwargs() const { return state_->kwargs; }
std::uint64_t Invocation::request_id() const { return state_->request_id; }
bool Invocation::answered() const { return state_->answered; }
bool Invocation::interrupted() const { return state_->interrupted; }

void Invocation::reply(Array args, Object kwargs) {
    if (state_->answered) return;
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
