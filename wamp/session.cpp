#include "wamp/session.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "wamp/error.hpp"
#include "wamp/incoming_message.hpp"
#include "wamp/message.hpp"
#include "wamp/session_detail.hpp"
#include "wamp/value_msgpack.hpp"
#include "wamp/wampcra.hpp"

namespace pgwamp::wamp {

namespace asio = boost::asio;

using namespace session_detail;

Session::Session(asio::io_context& io, std::shared_ptr<Transport> transport, SessionOptions options)
    : io_(io), transport_(std::move(transport)), options_(std::move(options)), leave_timer_(io) {}

Session::~Session() {
    if (transport_) transport_->close();
}

std::uint64_t Session::next_id() {
    // WAMP ids are in [1, 2^53].
    if (++last_id_ > (std::uint64_t{1} << 53)) last_id_ = 1;
    return last_id_;
}

void Session::join(JoinHandler on_joined, ClosedHandler on_closed) {
    on_joined_ = std::move(on_joined);
    on_closed_ = std::move(on_closed);
    std::weak_ptr<Session> weak = shared_from_this();
    transport_->set_handlers(
        [weak](std::string_view payload) {
            if (auto self = weak.lock()) self->on_message(payload);
        },
        [weak](std::error_code ec) {
            if (auto self = weak.lock()) self->on_transport_closed(ec);
        });
    state_ = State::joining;
    std::vector<std::string> methods{options_.authmethod.empty() ? "anonymous" : options_.authmethod};
    if (auto ec = transport_->send(message::encode_hello(options_.realm, options_.authid, methods))) {
        // Report from a fresh handler, never inside join().
        asio::post(io_, [self = shared_from_this(), ec] { self->shut(ec, true); });
    }
}

void Session::on_message(std::string_view payload) {
    try {
        const auto message = read_message(payload);
        if (!message.unreadable.empty()) return on_unreadable(message.fields, message.unreadable);
        dispatch(message.fields);
    } catch (const std::exception& e) {
        // Malformed input from the router: this session cannot be trusted any more.
        spdlog::error("event=router_protocol_violation action=close_session error=\"{}\"", e.what());
        shut(Errc::protocol_violation, true);
    }
}

void Session::dispatch(const msgpack::object_array& m) {
    auto code = m.ptr[0].via.u64;
    if (state_ == State::joining) {
        switch (code) {
            case message::challenge: return on_challenge(m);
            case message::welcome: return on_welcome();
            case message::abort: return on_abort(m);
            default: throw ProtocolError("unexpected message " + std::to_string(code) + " before WELCOME");
        }
    }
    switch (code) {
        case message::goodbye: return on_goodbye();
        case message::error: return on_error(m);
        case message::result: return on_result(m);
        case message::registered: return on_registered(m);
        case message::subscribed: return on_subscribed(m);
        case message::event: return on_event(m);
        case message::invocation: return on_invocation(m);
        case message::interrupt: return on_interrupt(m);
        case message::published: return on_published(m);
        case message::unregistered:
        case message::unsubscribed: return;
        case message::abort: return shut(Errc::connection_lost, true);
        default: throw ProtocolError("unexpected message code " + std::to_string(code));
    }
}

void Session::on_challenge(const msgpack::object_array& m) {
    auto method = str_at(m, 1, "CHALLENGE.AuthMethod");
    const auto& extra = map_at(m, 2, "CHALLENGE.Extra");
    if (method != options_.authmethod) throw ProtocolError("CHALLENGE for an authmethod we did not offer");
    std::string signature;
    if (method == "ticket") {
        signature = options_.secret;
    } else if (method == "wampcra") {
        auto challenge = string_in(extra, "challenge");
        if (challenge.empty()) throw ProtocolError("WAMP-CRA challenge without 'challenge'");
        auto key = options_.secret;
        auto salt = string_in(extra, "salt");
        if (!salt.empty()) {
            auto iterations = find_key(extra, "iterations");
            auto keylen = find_key(extra, "keylen");
            if (!iterations || !keylen || iterations->type != msgpack::type::POSITIVE_INTEGER ||
                keylen->type != msgpack::type::POSITIVE_INTEGER) {
                throw ProtocolError("salted WAMP-CRA challenge without iterations/keylen");
            }
            // Checked before the cast to int, which would wrap 2^32 + 5 to 5.
            if (iterations->via.u64 > wampcra::max_iterations || keylen->via.u64 > wampcra::max_keylen)
                throw ProtocolError("WAMP-CRA challenge asks for too many iterations or too long a key");
            key = wampcra::derive_key(key, salt, static_cast<int>(iterations->via.u64),
                                      static_cast<int>(keylen->via.u64));
        }
        signature = wampcra::sign(key, challenge);
    } else {
        throw ProtocolError("unsupported authmethod in CHALLENGE");
    }
    if (auto ec = transport_->send(message::encode_authenticate(signature))) shut(ec, true);
}

void Session::on_welcome() {
    state_ = State::joined;
    if (auto h = std::move(on_joined_)) h({}, {});
}

void Session::on_abort(const msgpack::object_array& m) {
    auto reason = str_at(m, 2, "ABORT.Reason");
    std::string text;
    if (m.size > 1 && m.ptr[1].type == msgpack::type::MAP) text = string_in(m.ptr[1], "message");
    spdlog::error("event=router_join_refused realm={} authid={} authmethod={} reason={} message=\"{}\"",
                  options_.realm, options_.authid, options_.authmethod, reason, text);
    auto h = std::move(on_joined_);
    on_joined_ = nullptr;
    shut(Errc::join_aborted, false);
    if (h) h(Errc::join_aborted, reason);
}

void Session::on_goodbye() {
    if (state_ == State::leaving) {
        shut(Errc::stopped, false);
        if (auto done = std::move(leave_done_)) asio::post(io_, [done] { guarded("leave handler", done); });
        return;
    }
    // The router ends the session (e.g. shutting down): answer, then treat it
    // as a loss so the client rejoins.
    (void)transport_->send(message::encode_goodbye("wamp.close.goodbye_and_out"));
    shut(Errc::connection_lost, true);
}

void Session::on_error(const msgpack::object_array& m) {
    auto type = id_at(m, 1, "ERROR.Type");
    auto request = id_at(m, 2, "ERROR.Request");
    auto uri = str_at(m, 4, "ERROR.Error");
    Array args;
    Object kwargs;
    try {
        args = args_at(m, 5);
        kwargs = kwargs_at(m, 6);
    } catch (const ValueError& e) {
        args = {std::string("error payload not representable: ") + e.what()};
    }
    auto fail = [&](auto& pending, const char* what) {
        if (auto done = take_pending(pending, request))
            guarded(what, done, call_error(uri, std::move(args), std::move(kwargs)));
    };
    if (type == message::call) {
        progress_.erase(request);
        if (auto handler = take_pending(calls_, request))
            guarded("call handler", handler, call_error(uri, std::move(args), std::move(kwargs)), Array{}, Object{});
    } else if (type == message::register_) {
        fail(registering_, "register handler");
    } else if (type == message::subscribe) {
        fail(subscribing_, "subscribe handler");
    } else if (type == message::publish) {
        fail(publishing_, "publish handler");
    } else {
        spdlog::warn("event=router_error_unmatched error={} request={} type={}", uri, request, type);
    }
}

void Session::on_result(const msgpack::object_array& m) {
    auto request = id_at(m, 1, "RESULT.Request");
    auto it = calls_.find(request);
    if (it == calls_.end()) return;  // e.g. failed locally already
    const auto* progress = find_key(map_at(m, 2, "RESULT.Details"), "progress");
    if (progress && progress->type == msgpack::type::BOOLEAN && progress->via.boolean) {
        // One progressive result: the call stays pending. Ignored for a call
        // that did not ask (a router should not send it).
        auto p = progress_.find(request);
        if (p == progress_.end()) return;
        try {
            auto on_progress = p->second;  // the handler may cancel or call again
            on_progress(args_at(m, 3), kwargs_at(m, 4));
        } catch (const std::exception& e) {
            spdlog::error("event=handler_threw handler=progress error=\"{}\"", e.what());
        }
        return;
    }
    auto handler = std::move(it->second);
    calls_.erase(it);
    progress_.erase(request);
    Array args;
    Object kwargs;
    try {
        args = args_at(m, 3);
        kwargs = kwargs_at(m, 4);
    } catch (const ValueError& e) {
        return guarded("call handler", handler,
                       call_error(uri::invalid_argument, {std::string("result not representable: ") + e.what()}),
                       Array{}, Object{});
    }
    guarded("call handler", handler, std::exception_ptr{}, std::move(args), std::move(kwargs));
}

void Session::on_registered(const msgpack::object_array& m) {
    auto request = id_at(m, 1, "REGISTERED.Request");
    auto registration = id_at(m, 2, "REGISTERED.Registration");
    auto it = registering_.find(request);
    if (it == registering_.end()) return;
    auto done = std::move(it->second.done);
    if (it->second.procedure) {
        procedures_[registration] = std::move(it->second.procedure);
        registrations_[it->second.uri] = registration;
    } else if (auto ec = transport_->send(message::encode_unregister(next_id(), registration))) {
        // Withdrawn while the REGISTER was on its way.
        spdlog::warn("event=unregister_failed procedure={} error=\"{}\"", it->second.uri, ec.message());
    }
    registering_.erase(it);
    if (done) guarded("register handler", done, std::exception_ptr{});
}

void Session::on_subscribed(const msgpack::object_array& m) {
    auto request = id_at(m, 1, "SUBSCRIBED.Request");
    auto subscription = id_at(m, 2, "SUBSCRIBED.Subscription");
    auto it = subscribing_.find(request);
    if (it == subscribing_.end()) return;
    subscriptions_[subscription].push_back(std::move(it->second.handler));
    auto done = std::move(it->second.done);
    subscribing_.erase(it);
    if (done) guarded("subscribe handler", done, std::exception_ptr{});
}

void Session::on_event(const msgpack::object_array& m) {
    auto subscription = id_at(m, 1, "EVENT.Subscription");
    auto it = subscriptions_.find(subscription);
    if (it == subscriptions_.end()) return;  // just unsubscribed: may still be in flight
    Event event;
    try {
        event.args = args_at(m, 4);
        event.kwargs = kwargs_at(m, 5);
    } catch (const ValueError& e) {
        spdlog::warn("event=event_dropped reason=unrepresentable_payload error=\"{}\"", e.what());
        return;
    }
    // Copy: a handler may subscribe again and rehash the map.
    auto handlers = it->second;
    for (auto& h : handlers) {
        try {
            h(event);
        } catch (const std::exception& e) {
            spdlog::error("event=handler_threw handler=event error=\"{}\"", e.what());
        }
    }
}


void Session::register_procedure(const std::string& uri, const RegisterOptions& options, Procedure procedure,
                                 DoneHandler done) {
    if (state_ != State::joined) {
        asio::post(io_, [done = std::move(done)] { guarded("completion handler", done, local_error(Errc::not_joined)); });
        return;
    }
    auto id = next_id();
    if (auto ec = transport_->send(message::encode_register(id, uri, options.invoke))) {
        asio::post(io_, [done = std::move(done), ec] { guarded("completion handler", done, local_error(ec)); });
        return;
    }
    registering_[id] = {uri, std::move(procedure), std::move(done)};
}

void Session::unregister_procedure(const std::string& uri) {
    for (auto& [id, pending] : registering_)
        if (pending.uri == uri) pending.procedure = nullptr;  // unregistered when REGISTERED comes
    const auto found = registrations_.find(uri);
    if (found == registrations_.end()) return;
    const auto registration = found->second;
    registrations_.erase(found);
    procedures_.erase(registration);
    if (state_ != State::joined) return;
    if (auto ec = transport_->send(message::encode_unregister(next_id(), registration)))
        spdlog::warn("event=unregister_failed procedure={} error=\"{}\"", uri, ec.message());
}

void Session::subscribe(const std::string& topic, EventHandler handler, DoneHandler done) {
    if (state_ != State::joined) {
        asio::post(io_, [done = std::move(done)] { guarded("completion handler", done, local_error(Errc::not_joined)); });
        return;
    }
    auto id = next_id();
    if (auto ec = transport_->send(message::encode_subscribe(id, topic))) {
        asio::post(io_, [done = std::move(done), ec] { guarded("completion handler", done, local_error(ec)); });
        return;
    }
    subscribing_[id] = {std::move(handler), std::move(done)};
}

std::uint64_t Session::call(const std::string& uri, const Array& args, const Object& kwargs,
                            const CallOptions& options, CallHandler handler) {
    std::error_code ec = Errc::not_joined;
    auto id = next_id();
    if (state_ == State::joined) {
        ec = transport_->send(message::encode_call(id, uri, args, kwargs, options.timeout, bool(options.on_progress)));
    }
    if (ec) {
        asio::post(io_, [handler = std::move(handler), ec] { guarded("call handler", handler, local_error(ec), Array{}, Object{}); });
        return 0;
    }
    calls_[id] = std::move(handler);
    if (options.on_progress) progress_[id] = options.on_progress;
    return id;
}

bool Session::cancel(std::uint64_t request, const std::string& mode) {
    if (state_ != State::joined || !calls_.contains(request)) return false;
    return !transport_->send(message::encode_cancel(request, mode));
}

std::error_code Session::publish(const std::string& topic, const Array& args, const Object& kwargs,
                                 const PublishOptions& audience) {
    if (state_ != State::joined) return Errc::not_joined;
    return transport_->send(message::encode_publish(next_id(), topic, args, kwargs, false, audience.eligible_authid,
                                                    audience.exclude_authid));
}

void Session::publish_acknowledged(const std::string& topic, const Array& args, const Object& kwargs,
                                   const PublishOptions& audience, DoneHandler done) {
    std::error_code ec = state_ == State::joined ? std::error_code{} : make_error_code(Errc::not_joined);
    const auto id = next_id();
    if (!ec)
        ec = transport_->send(message::encode_publish(id, topic, args, kwargs, true, audience.eligible_authid,
                                                      audience.exclude_authid));
    if (ec) {
        asio::post(io_, [done = std::move(done), ec] { guarded("publish handler", done, local_error(ec)); });
        return;
    }
    publishing_[id] = std::move(done);
}

void Session::on_published(const msgpack::object_array& m) {
    auto request = id_at(m, 1, "PUBLISHED.Request");
    auto it = publishing_.find(request);
    if (it == publishing_.end()) return;
    auto done = std::move(it->second);
    publishing_.erase(it);
    guarded("publish handler", done, nullptr);
}

void Session::leave(std::function<void()> done) {
    if (state_ != State::joined) {
        shut(Errc::stopped, false);
        asio::post(io_, [done = std::move(done)] { guarded("leave handler", done); });
        return;
    }
    state_ = State::leaving;
    leave_done_ = std::move(done);
    if (transport_->send(message::encode_goodbye("wamp.close.normal"))) {
        return on_goodbye();
    }
    leave_timer_.expires_after(std::chrono::seconds(2));
    leave_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
        auto self = weak.lock();
        if (ec || !self || self->state_ != State::leaving) return;
        self->on_goodbye();  // the router did not answer in time: close anyway
    });
}

void Session::abort(std::error_code reason) { shut(reason, false); }

void Session::on_transport_closed(std::error_code ec) {
    if (state_ == State::leaving) {
        // The router closed instead of answering GOODBYE: still a completed leave.
        return on_goodbye();
    }
    shut(ec, true);
}

void Session::shut(std::error_code reason, bool report) {
    if (state_ == State::closed) return;
    bool was_joining = state_ == State::joining;
    state_ = State::closed;
    leave_timer_.cancel();
    transport_->close();
    std::error_code call_reason = reason == Errc::stopped ? reason : make_error_code(Errc::connection_lost);
    // Everything pending fails once, from fresh handlers.
    for (auto& [id, handler] : calls_) {
        asio::post(io_, [h = std::move(handler), call_reason] { guarded("call handler", h, local_error(call_reason), Array{}, Object{}); });
    }
    calls_.clear();
    progress_.clear();
    auto fail_all = [&](auto& pending, const char* what) {
        for (auto& entry : pending)
            if (auto done = completion_of(entry.second))
                asio::post(io_, [what, d = std::move(done), call_reason] { guarded(what, d, local_error(call_reason)); });
        pending.clear();
    };
    fail_all(registering_, "completion handler");
    fail_all(subscribing_, "completion handler");
    fail_all(publishing_, "publish handler");
    // Running invocations lost their caller: let them stop their work.
    auto invocations = std::move(invocations_);
    invocations_.clear();
    for (auto& [id, weak] : invocations) {
        if (auto state = weak.lock(); state && state->interrupt_handler && !state->answered) {
            state->answered = true;  // nobody to answer any more
            state->interrupted = true;
            detail::post_interrupt(state);
        }
    }
    procedures_.clear();
    registrations_.clear();
    subscriptions_.clear();
    if (!report) return;
    if (was_joining) {
        if (auto h = std::move(on_joined_)) h(reason, {});
        return;
    }
    if (auto h = std::move(on_closed_)) h(reason);
}

}  // namespace pgwamp::wamp
