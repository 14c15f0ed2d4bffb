// Session, messages whose payload could not be read (incoming_message.hpp:
// nested deeper than unpack_limits() allow, say). The payload of an
// INVOCATION, EVENT, RESULT or call ERROR is another client's, and any
// visitor can write one: it costs that message only, answered where someone
// waits for it. Ending the session instead would fail every call in flight
// and drop every registration, on demand, for anyone. The router's own
// messages have no such excuse: a protocol violation, as before.

#include <spdlog/spdlog.h>

#include "wamp/error.hpp"
#include "wamp/message.hpp"
#include "wamp/session.hpp"
#include "wamp/session_detail.hpp"

namespace pgwamp::wamp {

using namespace session_detail;

void Session::on_unreadable(const msgpack::object_array& m, const std::string& why) {
    const auto code = m.ptr[0].via.u64;
    if (state_ == State::joining) throw ProtocolError("unreadable message before WELCOME: " + why);
    switch (code) {
        case message::invocation: {
            const auto request = id_at(m, 1, "INVOCATION.Request");
            // As in on_invocation: an answer for this id would end a running invocation.
            if (invocations_.contains(request)) throw ProtocolError("INVOCATION.Request is already running");
            const auto reason = "cannot read the arguments: " + why;
            warn_unreadable("INVOCATION " + std::to_string(request) + " refused, " + reason);
            auto error = message::encode_invocation_error(request, uri::invalid_argument, {reason}, {});
            if (auto ec = transport_->send(std::move(error)))
                spdlog::warn("event=answer_failed invocation={} error=\"{}\"", request, ec.message());
            return;
        }
        case message::event:
            // Nobody waits for an answer: dropping it is all there is to do.
            return warn_unreadable("EVENT on subscription " + std::to_string(id_at(m, 1, "EVENT.Subscription")) +
                                   " dropped, " + why);
        case message::result: return fail_call(id_at(m, 1, "RESULT.Request"), "cannot read the result: " + why);
        case message::error:
            if (id_at(m, 1, "ERROR.Type") != message::call) break;
            return fail_call(id_at(m, 2, "ERROR.Request"), "cannot read the error: " + why);
        default: break;
    }
    throw ProtocolError("message " + std::to_string(code) + " unreadable: " + why);
}

void Session::fail_call(std::uint64_t request, std::string why) {
    auto it = calls_.find(request);
    if (it == calls_.end()) return;  // e.g. failed locally already
    auto handler = std::move(it->second);
    calls_.erase(it);
    progress_.erase(request);  // a progressive result too: the call is incomplete without it
    warn_unreadable("call " + std::to_string(request) + " failed, " + why);
    guarded("call handler", handler, call_error(uri::invalid_argument, {std::move(why)}), Array{}, Object{});
}

// One warning per 10 s however many arrive: these come as fast as anyone
// cares to send them. The count says how many the warning stands for.
void Session::warn_unreadable(const std::string& what) {
    ++unreadable_unwarned_;
    const auto now = std::chrono::steady_clock::now();
    const bool warned_before = unreadable_warned_ != std::chrono::steady_clock::time_point{};
    if (warned_before && now - unreadable_warned_ < std::chrono::seconds(10)) return;
    spdlog::warn("event=unreadable_payload what=\"{}\" since_last_warning={}", what, unreadable_unwarned_);
    unreadable_unwarned_ = 0;
    unreadable_warned_ = now;
}

}  // namespace pgwamp::wamp
