#include "wamp/client.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>
#include <vector>

#include "common/reconnector.hpp"
#include "wamp/session.hpp"
#include "wamp/transport.hpp"

namespace pgwamp::wamp {

namespace asio = boost::asio;

const char* to_string(ClientState state) {
    switch (state) {
        case ClientState::connecting: return "connecting";
        case ClientState::joined: return "joined";
        case ClientState::lost: return "lost";
        case ClientState::stopped: return "stopped";
    }
    return "?";
}

struct Client::Impl : std::enable_shared_from_this<Impl> {
    struct Provided {
        std::string uri;
        Procedure procedure;
        RegisterOptions options;
    };
    struct Subscribed {
        std::string topic;
        EventHandler handler;
    };

    Impl(asio::io_context& io_, ClientOptions options_)
        : io(io_),
          options(std::move(options_)),
          reconnector(io_.get_executor(), options.backoff, [this](std::uint64_t gen) { attempt(gen); }),
          join_timer(io_) {}

    asio::io_context& io;
    ClientOptions options;
    // Runs attempt(gen) when a (re)join is due. Callbacks of an attempt's
    // transport and session carry its generation: once the attempt failed or
    // the client stopped, reconnector.current(gen) is false and they do nothing.
    Reconnector reconnector;
    asio::steady_timer join_timer;
    ClientState state = ClientState::stopped;
    bool running = false;
    std::shared_ptr<Transport> transport;
    std::shared_ptr<Session> session;
    std::vector<Provided> provided;
    std::vector<Subscribed> subscribed;
    std::function<void(ClientState)> state_handler;
    std::uint64_t dropped = 0;
    std::size_t restoring = 0;

    void set_state(ClientState s) {
        if (s == state) return;
        state = s;
        // The service logs each state at info with its realm; this is for programs without one.
        spdlog::debug("event=router_state state={} endpoint={}", to_string(s), options.endpoint.to_string());
        if (state_handler) {
            try {
                state_handler(s);
            } catch (const std::exception& e) {
                spdlog::error("event=handler_threw handler=state error=\"{}\"", e.what());
            }
        }
    }

    void attempt(std::uint64_t gen) {
        if (!running) return;
        set_state(ClientState::connecting);
        TransportOptions topts;
        topts.max_message_size = options.max_message_size;
        topts.send_queue_bytes = options.send_queue_bytes;
        topts.connect_timeout = options.connect_timeout;
        topts.tls = options.tls;
        transport = make_transport(io, options.endpoint, topts);
        std::weak_ptr<Impl> weak = shared_from_this();
        transport->connect([weak, gen](std::error_code ec) {
            auto self = weak.lock();
            if (self && self->reconnector.current(gen)) self->on_connected(gen, ec);
        });
    }

    void on_connected(std::uint64_t gen, std::error_code ec) {
        if (ec) return retry(gen, "connect", ec, {});
        SessionOptions sopts{options.realm, options.authid, options.authmethod, options.secret,
                             options.max_result_size};
        session = std::make_shared<Session>(io, transport, std::move(sopts));
        std::weak_ptr<Impl> weak = shared_from_this();
        join_timer.expires_after(options.join_timeout);
        join_timer.async_wait([weak, gen](boost::system::error_code tec) {
            auto self = weak.lock();
            if (tec || !self || !self->reconnector.current(gen) || !self->session || self->session->is_joined())
                return;
            self->session->abort(Errc::connect_timeout);
            self->retry(gen, "join", Errc::connect_timeout, {});
        });
        session->join(
            [weak, gen](std::error_code jec, std::string reason) {
                auto self = weak.lock();
                if (!self || !self->reconnector.current(gen)) return;
                self->join_timer.cancel();
                if (jec) return self->retry(gen, "join", jec, reason);
                self->on_joined(gen);
            },
            [weak, gen](std::error_code lec) {
                auto self = weak.lock();
                if (self && self->reconnector.current(gen)) self->on_lost(gen, lec);
            });
    }

    void on_joined(std::uint64_t gen) {
        reconnector.on_success(gen);
        restoring = provided.size() + subscribed.size();
        if (restoring == 0) return set_state(ClientState::joined);
        std::weak_ptr<Impl> weak = shared_from_this();
        auto one_done = [weak, gen](const std::string& what, std::exception_ptr error) {
            auto self = weak.lock();
            if (!self || !self->reconnector.current(gen)) return;
            if (error) log_refusal(what, error);
            if (--self->restoring == 0 && self->session && self->session->is_joined()) {
                self->set_state(ClientState::joined);
            }
        };
        for (const auto& p : provided) {
            session->register_procedure(p.uri, p.options, p.procedure,
                                        [weak, gen, one_done, p](std::exception_ptr e) {
                                            if (e && is_already_registered(e)) {
                                                if (auto self = weak.lock()) self->register_later(p, gen, 1);
                                            }
                                            one_done(p.uri, e);
                                        });
        }
        for (const auto& s : subscribed) {
            session->subscribe(s.topic, s.handler,
                               [one_done, topic = s.topic](std::exception_ptr e) { one_done(topic, e); });
        }
    }

    static bool is_already_registered(std::exception_ptr error) {
        try {
            std::rethrow_exception(error);
        } catch (const CallError& e) {
            return e.uri() == "wamp.error.procedure_already_exists";
        } catch (...) {
            return false;
        }
    }

    // After a quick reconnect the router may still hold our previous session
    // (it has not noticed the loss yet), and a "single" registration of ours
    // then collides with itself. Retry until the router drops the old one.
    void register_later(Provided p, std::uint64_t gen, int attempt) {
        constexpr int max_attempts = 30;
        if (attempt > max_attempts) {
            spdlog::error("event=register_gave_up uri={} attempts={}", p.uri, max_attempts);
            return;
        }
        auto timer = std::make_shared<asio::steady_timer>(io, std::chrono::seconds(2));
        std::weak_ptr<Impl> weak = shared_from_this();
        timer->async_wait([weak, gen, attempt, timer, p = std::move(p)](boost::system::error_code ec) {
            auto self = weak.lock();
            if (ec || !self || !self->reconnector.current(gen) || !self->joined()) return;
            if (!std::any_of(self->provided.begin(), self->provided.end(),
                             [&](const Provided& q) { return q.uri == p.uri; }))
                return;  // withdrawn meanwhile
            spdlog::info("event=register_retry uri={} attempt={}", p.uri, attempt + 1);
            self->session->register_procedure(p.uri, p.options, p.procedure, [weak, gen, attempt, p](std::exception_ptr e) {
                if (!e) return spdlog::info("event=registered uri={}", p.uri);
                if (auto s = weak.lock(); s && is_already_registered(e)) s->register_later(p, gen, attempt + 1);
            });
        });
    }

    static void log_refusal(const std::string& what, std::exception_ptr error) {
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            spdlog::error("event=register_refused uri={} error=\"{}\"", what, e.what());
        }
    }

    void on_lost(std::uint64_t gen, std::error_code ec) {
        spdlog::warn("event=router_session_lost endpoint={} error=\"{}\"", options.endpoint.to_string(), ec.message());
        drop_connection();
        set_state(ClientState::lost);
        schedule_retry(gen);
    }

    void retry(std::uint64_t gen, const char* what, std::error_code ec, const std::string& reason) {
        spdlog::warn("event=router_attempt_failed step=\"{}\" endpoint={} error=\"{}\" reason=\"{}\"", what,
                     options.endpoint.to_string(), ec.message(), reason);
        drop_connection();
        schedule_retry(gen);
    }

    void drop_connection() {
        join_timer.cancel();
        // Keep the objects alive until the current handler has returned.
        asio::post(io, [s = std::move(session), t = std::move(transport)] {
            if (s) s->abort(Errc::connection_lost);
            if (t) t->close();
        });
        session.reset();
        transport.reset();
    }

    // Ends attempt `gen` (its late callbacks are ignored from here on) and
    // lets the reconnector schedule the next one.
    void schedule_retry(std::uint64_t gen) {
        if (!running) return;
        if (auto delay = reconnector.on_failure(gen)) {
            spdlog::info("event=router_reconnect endpoint={} delay_ms={}", options.endpoint.to_string(), delay->count());
            return;
        }
        if (!reconnector.exhausted()) return;
        spdlog::error("event=router_gave_up endpoint={} failed_attempts={}", options.endpoint.to_string(),
                      reconnector.failures());
        running = false;
        set_state(ClientState::stopped);
    }

    bool joined() const { return session && session->is_joined(); }
};

Client::Client(asio::io_context& io, ClientOptions options)
    : impl_(std::make_shared<Impl>(io, std::move(options))) {}

Client::~Client() {
    impl_->running = false;
    impl_->state_handler = nullptr;
    impl_->reconnector.cancel();
    impl_->join_timer.cancel();
    if (impl_->session) impl_->session->abort(Errc::stopped);
    if (impl_->transport) impl_->transport->close();
}

void Client::provide(std::string uri, Procedure procedure, RegisterOptions options) {
    impl_->provided.push_back({uri, procedure, options});
    if (impl_->joined()) {
        impl_->session->register_procedure(uri, options, procedure, [uri](std::exception_ptr e) {
            if (e) Impl::log_refusal(uri, e);
        });
    }
}

void Client::withdraw(const std::string& uri) {
    auto& provided = impl_->provided;
    const auto before = provided.size();
    std::erase_if(provided, [&](const Impl::Provided& p) { return p.uri == uri; });
    if (provided.size() != before && impl_->session) impl_->session->unregister_procedure(uri);
}

const std::string& Client::authid() const { return impl_->options.authid; }

bool Client::provides(const std::string& uri) const {
    for (const auto& p : impl_->provided)
        if (p.uri == uri) return true;
    return false;
}

void Client::subscribe(std::string topic, EventHandler handler) {
    impl_->subscribed.push_back({topic, handler});
    if (impl_->joined()) {
        impl_->session->subscribe(topic, handler, [topic](std::exception_ptr e) {
            if (e) Impl::log_refusal(topic, e);
        });
    }
}

void Client::publish(std::string topic, Array args, Object kwargs) {
    publish(std::move(topic), std::move(args), std::move(kwargs), PublishOptions{}, nullptr);
}

void Client::publish(std::string topic, Array args, Object kwargs, PublishOptions options, DoneHandler done) {
    if (!options.acknowledge) {
        if (!impl_->joined()) {
            ++impl_->dropped;
        } else if (auto ec = impl_->session->publish(topic, args, kwargs, options)) {
            ++impl_->dropped;
            spdlog::warn("event=publication_dropped topic={} error=\"{}\"", topic, ec.message());
        }
        if (done) asio::post(impl_->io, [done = std::move(done)] { done(nullptr); });
        return;
    }
    if (!impl_->joined()) {
        asio::post(impl_->io, [done = std::move(done)] {
            done(std::make_exception_ptr(CallError(error_uri::unavailable, {std::string("not joined to the router")})));
        });
        return;
    }
    impl_->session->publish_acknowledged(topic, args, kwargs, options, std::move(done));
}

CallId Client::call(std::string uri, Array args, Object kwargs, CallHandler handler) {
    return call(std::move(uri), std::move(args), std::move(kwargs), CallOptions{}, std::move(handler));
}

bool Client::cancel(const CallId& call, const std::string& mode) {
    if (call.request == 0 || !impl_->joined() || call.session != impl_->reconnector.generation()) return false;
    return impl_->session->cancel(call.request, mode);
}

CallId Client::call(std::string uri, Array args, Object kwargs, CallOptions options, CallHandler handler) {
    if (!impl_->joined()) {
        asio::post(impl_->io, [handler = std::move(handler)] {
            try {
                handler(std::make_exception_ptr(CallError(error_uri::unavailable, {std::string("not joined to the router")})),
                        {}, {});
            } catch (const std::exception& e) {
                spdlog::error("event=handler_threw handler=call error=\"{}\"", e.what());
            }
        });
        return {};
    }
    return {impl_->reconnector.generation(), impl_->session->call(uri, args, kwargs, options, std::move(handler))};
}

void Client::on_state(std::function<void(ClientState)> handler) { impl_->state_handler = std::move(handler); }

void Client::start() {
    if (impl_->running) return;
    impl_->running = true;
    impl_->reconnector.start();  // the first attempt, now
}

void Client::stop(std::function<void()> done) {
    auto impl = impl_;
    impl->running = false;
    impl->reconnector.cancel();  // every callback of the current attempt is stale from here on
    impl->join_timer.cancel();
    auto finish = [impl, done = std::move(done)] {
        impl->session.reset();
        if (impl->transport) impl->transport->close();
        impl->transport.reset();
        impl->set_state(ClientState::stopped);
        try {
            if (done) done();
        } catch (const std::exception& e) {
            spdlog::error("event=handler_threw handler=stop error=\"{}\"", e.what());
        }
    };
    if (impl->session) {
        impl->session->leave(std::move(finish));  // posts finish
    } else {
        if (impl->transport) impl->transport->close();
        asio::post(impl->io, std::move(finish));
    }
}

ClientState Client::state() const { return impl_->state; }
std::size_t Client::provided_count() const { return impl_->provided.size(); }
std::size_t Client::registered_count() const {
    return impl_->session && impl_->session->is_joined() ? impl_->session->registered_count() : 0;
}
std::uint64_t Client::dropped_publications() const { return impl_->dropped; }
std::size_t Client::max_send_size() const { return impl_->transport ? impl_->transport->max_send_size() : 0; }

}  // namespace pgwamp::wamp
