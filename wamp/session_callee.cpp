// Session, callee side: INVOCATION in, YIELD/ERROR out, INTERRUPT routed to
// the running invocation instead of ending the session.

#include <algorithm>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "common/error_uris.hpp"
#include "wamp/error.hpp"
#include "wamp/message.hpp"
#include "wamp/session.hpp"
#include "wamp/session_detail.hpp"

namespace pgwamp::wamp {

namespace asio = boost::asio;
using namespace session_detail;

detail::InvocationState::~InvocationState() {
    if (answered) return;
    if (auto s = session.lock()) {
        spdlog::error("event=invocation_unanswered invocation={}", request_id);
        s->answer(*this, message::encode_invocation_error(request_id, uri::runtime_error,
                                                          {std::string("the procedure did not answer")}, {}));
    }
}

void detail::post_interrupt(const std::shared_ptr<detail::InvocationState>& state) {
    if (state->interrupt_fired) return;
    state->interrupt_fired = true;
    asio::post(*state->io, [state] {
        auto handler = std::move(state->interrupt_handler);
        state->interrupt_handler = nullptr;
        try {
            if (handler) handler();
        } catch (const std::exception& e) {
            spdlog::error("event=handler_threw handler=interrupt error=\"{}\"", e.what());
        }
    });
}

namespace {

// What we use of INVOCATION.Details; anything else (or a wrong type) is ignored.
void read_invocation_details(const msgpack::object& details, detail::InvocationState& state) {
    if (const auto* t = find_key(details, "timeout"); t && t->type == msgpack::type::POSITIVE_INTEGER)
        state.timeout = t->via.u64;
    if (const auto* p = find_key(details, "receive_progress"); p && p->type == msgpack::type::BOOLEAN)
        state.receive_progress = p->via.boolean;
    if (const auto* c = find_key(details, "caller"); c && c->type == msgpack::type::POSITIVE_INTEGER)
        state.caller = c->via.u64;
    state.caller_authid = string_in(details, "caller_authid");
    state.caller_authrole = string_in(details, "caller_authrole");
}

}  // namespace

void Session::on_invocation(const msgpack::object_array& m) {
    auto request = id_at(m, 1, "INVOCATION.Request");
    auto registration = id_at(m, 2, "INVOCATION.Registration");
    // The router reusing the id of a running invocation would orphan it: its
    // INTERRUPT, its answer's bookkeeping and the session's end would reach
    // only the newer one, and an interrupt handler holding its Invocation
    // would never run (a leak the fuzzer found).
    if (invocations_.contains(request)) throw ProtocolError("INVOCATION.Request is already running");
    auto state = std::make_shared<detail::InvocationState>();
    state->io = &io_;
    state->session = weak_from_this();
    state->request_id = request;
    auto it = procedures_.find(registration);
    if (it == procedures_.end()) {
        answer(*state, message::encode_invocation_error(request, "wamp.error.no_such_registration", {}, {}));
        return;
    }
    read_invocation_details(map_at(m, 3, "INVOCATION.Details"), *state);
    try {
        state->args = args_at(m, 4);
        state->kwargs = kwargs_at(m, 5);
    } catch (const ValueError& e) {
        answer(*state, message::encode_invocation_error(request, uri::invalid_argument, {std::string(e.what())}, {}));
        return;
    }
    invocations_[request] = state;
    auto procedure = it->second;  // the procedure may register more and rehash
    try {
        procedure(Invocation(state));
    } catch (const std::exception& e) {
        spdlog::error("event=handler_threw handler=procedure error=\"{}\"", e.what());
        answer(*state, message::encode_invocation_error(request, uri::runtime_error, {std::string(e.what())}, {}));
    } catch (...) {
        answer(*state, message::encode_invocation_error(request, uri::runtime_error, {}, {}));
    }
}

void Session::on_interrupt(const msgpack::object_array& m) {
    auto request = id_at(m, 1, "INTERRUPT.Request");
    auto it = invocations_.find(request);
    if (it == invocations_.end()) return;  // already answered
    auto state = it->second.lock();
    if (!state) {
        invocations_.erase(it);
        return;
    }
    if (m.size > 2 && string_in(m.ptr[2], "mode") == "killnowait") state->router_forgot = true;
    fire_interrupt(state);
}

void Session::fire_interrupt(const std::shared_ptr<detail::InvocationState>& state) {
    if (state->answered || state->interrupt_fired) return;
    state->interrupted = true;
    if (!state->interrupt_handler) {
        // Nobody will stop the work: answer now so the router is not left waiting.
        answer(*state, message::encode_invocation_error(state->request_id, uri::canceled, {}, {}));
        return;
    }
    detail::post_interrupt(state);
}

bool Session::send_progress(detail::InvocationState& state, std::string msg) {
    if (state.answered || state.router_forgot || (state_ != State::joined && state_ != State::leaving)) return false;
    if (auto ec = transport_->send(std::move(msg))) {
        spdlog::warn("event=progress_not_sent invocation={} error=\"{}\"", state.request_id, ec.message());
        return false;
    }
    return true;
}

std::size_t Session::queued_bytes() const { return transport_ ? transport_->queued_bytes() : 0; }
std::size_t Session::max_send_size() const {
    const std::size_t ours = transport_ ? transport_->max_send_size() : 0;
    return options_.max_result_size ? std::min(ours, options_.max_result_size) : ours;
}

void Session::answer(detail::InvocationState& state, std::string msg) {
    if (state.answered) return;
    state.answered = true;
    invocations_.erase(state.request_id);
    if (state.router_forgot || (state_ != State::joined && state_ != State::leaving)) return;
    // Too big for the caller's transport (the router would refuse it with its
    // own payload_size_exceeded, naming no limit): say which, and what to do.
    const std::size_t limit = max_send_size();
    const std::size_t size = msg.size();
    auto ec = limit && size > limit ? make_error_code(Errc::message_too_large) : transport_->send(std::move(msg));
    if (ec == Errc::message_too_large) {
        ec = transport_->send(message::encode_invocation_error(
            state.request_id, error_uri::result_too_large,
            {"the result is " + std::to_string(size) + " bytes, more than callers can receive (" +
             std::to_string(limit) + " bytes); call with receive_progress to get it in chunks, or ask for less"},
            {{"size", static_cast<std::int64_t>(size)}, {"limit", static_cast<std::int64_t>(limit)}}));
    }
    if (ec) spdlog::warn("event=answer_failed invocation={} error=\"{}\"", state.request_id, ec.message());
}

}  // namespace pgwamp::wamp
