#include "service/ticket_authenticator.hpp"

#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include "pg/error.hpp"
#include "pg/sqlstate.hpp"
#include "service/error_mapping.hpp"
#include "service/reserved_names.hpp"

namespace pgwamp::service {
namespace {

constexpr const char* refused = "wrong name or password";

// The SQL may raise for a bad password (invalid_password, class 28): a refusal, not a fault.
bool is_refusal(const std::exception_ptr& error) {
    return db::sqlstate_in_class(db::sqlstate_of(error), db::sqlstate::invalid_authorization_specification);
}

bool is_login_queue_full(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const db::Error& e) {
        return e.code() == db::Errc::overloaded;
    } catch (...) {
    }
    return false;
}

const char* to_string(LoginThrottle::Verdict v) {
    return v == LoginThrottle::Verdict::name_locked ? "name_locked" : "peer_limited";
}

// Answers a refusal after the address's delay; at once when max_delayed
// answers already wait (each holds a timer and the router's call).
void refuse(TicketAuthenticator& auth, const std::shared_ptr<CallContext>& context, const std::string& peer,
            std::exception_ptr error) {
    const auto wait = auth.refusal_delay.refused(peer, RefusalDelay::Clock::now());
    if (wait.count() <= 0 || *auth.delayed >= auth.max_delayed) return context->fail(error);
    ++*auth.delayed;
    auto timer = std::make_shared<boost::asio::steady_timer>(auth.executor, wait);
    timer->async_wait([timer, context, error, delayed = auth.delayed](const boost::system::error_code&) {
        --*delayed;
        context->fail(error);
    });
}

}  // namespace

void serve_ticket_authenticator(TicketAuthenticator& auth, std::shared_ptr<CallContext> context) {
    const Array& args = context->call().args();
    const Value* ticket = args.size() == 3 && args[2].is<Object>() ? find_field(args[2].as<Object>(), "ticket") : nullptr;
    if (!ticket || !ticket->is<std::string>() || !args[1].is<std::string>())
        return context->fail(std::make_exception_ptr(InvalidArgument("expected (realm, authid, details with a ticket)")));
    const std::string authid = args[1].as<std::string>();
    const Object& details = args[2].as<Object>();
    const std::string peer = authenticating_peer(details);
    // Refused before any database work: whatever the SQL says, nobody signs in as the service.
    if (is_reserved_name(authid, auth.service_authid)) {
        spdlog::warn("event=sign_in_refused reason=reserved_name authid_length={}", authid.size());
        return refuse(auth, context, peer, std::make_exception_ptr(NotAuthorized(refused)));
    }
    auth.session_peers.remember(authenticating_session(details), peer);
    const auto now = LoginThrottle::Clock::now();
    const auto decision = auth.throttle.admit(authid, peer, now);
    if (decision.verdict != LoginThrottle::Verdict::allowed) {
        const auto seconds = (decision.retry_after.count() + 999) / 1000;
        auto& refusals = decision.verdict == LoginThrottle::Verdict::name_locked ? auth.name_locked : auth.peer_limited;
        if (auto count = refusals.refused(now))
            spdlog::warn("event=sign_in_throttled reason={} refused={} retry_after_ms={}", to_string(decision.verdict),
                         *count, decision.retry_after.count());
        return refuse(auth, context, peer, std::make_exception_ptr(TooManyAttempts(
            "too many sign-in attempts; try again in " + std::to_string(seconds) + " s", decision.retry_after.count())));
    }
    auth.pool.async_query(
        auth.config.sql, {authid, *ticket}, context->statement_options(),
        [context, authid, peer, &auth](std::exception_ptr error, db::Result result) {
            // The login queue full (a flood) is refused like a wrong password, and waits as long.
            if (error && is_login_queue_full(error)) return refuse(auth, context, peer, error);
            if (error && !is_refusal(error)) return context->fail(error);
            const Value* role = nullptr;
            const Value* granted = nullptr;
            if (!error && !result.rows.empty()) {
                for (std::size_t i = 0; i < result.columns.size(); ++i) {
                    if (result.columns[i].name == "role") role = &result.rows[0][i];
                    if (result.columns[i].name == "authid") granted = &result.rows[0][i];
                }
            }
            const bool admitted = role && role->is<std::string>();
            auth.throttle.record(authid, admitted, LoginThrottle::Clock::now());
            if (!admitted) {
                spdlog::info("event=sign_in_refused authid_length={}", authid.size());
                return refuse(auth, context, peer, std::make_exception_ptr(NotAuthorized(refused)));
            }
            const bool renamed = granted && granted->is<std::string>();
            if (renamed && is_reserved_name(granted->as<std::string>(), auth.service_authid)) {
                spdlog::warn("event=sign_in_refused reason=reserved_name_granted");
                return refuse(auth, context, peer, std::make_exception_ptr(NotAuthorized(refused)));
            }
            Object principal{{"role", *role}};
            if (renamed) principal.emplace_back("authid", *granted);
            context->reply(std::move(principal));
        });
}

}  // namespace pgwamp::service
