#include "service/call_context.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "common/error_uris.hpp"
#include "pg/error.hpp"
#include "pg/sqlstate.hpp"
#include "service/caller_access.hpp"
#include "service/error_mapping.hpp"
#include "service/read_routing.hpp"
#include "wamp/error.hpp"

namespace pgwamp::service {
namespace {

// Errors that say the standby could not serve the read, not that the read
// was wrong: the primary can. 40001 on a standby is a conflict with
// recovery (the standby replayed a change the query's snapshot needed).
bool standby_unavailable(std::exception_ptr error) {
    try {
        std::rethrow_exception(error);
    } catch (const db::Error& e) {
        if (e.code().category() != db::error_category()) return false;
        switch (static_cast<db::Errc>(e.code().value())) {
            case db::Errc::unavailable:
            case db::Errc::overloaded:
            case db::Errc::connection_lost:
            case db::Errc::closed:
            case db::Errc::connect_failed: return true;
            case db::Errc::sql_error: return e.diagnostics().sqlstate == db::sqlstate::t_r_serialization_failure;
            default: return false;
        }
    } catch (...) {
        return false;
    }
}

}  // namespace

std::chrono::milliseconds effective_timeout(std::chrono::milliseconds procedure, std::chrono::milliseconds caller) {
    if (caller.count() <= 0) return procedure;
    if (procedure.count() <= 0) return caller;
    return std::min(procedure, caller);
}

CallContext::CallContext(wamp::Invocation call, CallTracker& tracker, std::chrono::milliseconds timeout)
    : call_(std::move(call)), tracker_(tracker), timeout_(effective_timeout(timeout, call_.caller_timeout())) {
    tracker_.begin();
    // A caller that cancels or times out at the router sends INTERRUPT: stop
    // the SQL rather than let it run to completion for nobody.
    call_.on_interrupt([cancel = cancel_] { cancel->cancel(); });
}

CallContext::~CallContext() { tracker_.end(); }

void CallContext::use_read_routing(ReadRouting& routing, bool read_only) {
    routing_ = &routing;
    read_only_ = read_only;
    if (!read_only) commit_position_ = routing.position_sink();
}

void CallContext::read(std::optional<db::WalPosition> requested, std::function<void(db::Pool&)> run) {
    read_only_ = true;
    commit_position_.reset();
    routing_->route_read(call_.caller_session(), requested,
                         [this, keep = shared_from_this(), run = std::move(run)](db::Pool& pool, const std::string* standby) {
                             on_standby_ = standby != nullptr;
                             run(pool);
                         });
}

bool CallContext::read_again_on_primary(std::exception_ptr error, std::function<void(db::Pool&)> run) {
    if (!on_standby_ || !routing_ || interrupted() || !standby_unavailable(error)) return false;
    spdlog::debug("event=read_on_primary_after_standby_failed request={}", call_.request_id());
    routing_->to_primary([this, keep = shared_from_this(), run = std::move(run)](db::Pool& pool, const std::string*) {
        on_standby_ = false;
        run(pool);
    });
    return true;
}

void CallContext::file_writes() {
    if (commit_position_ && routing_) routing_->wrote(call_.caller_session(), *commit_position_);
}

void CallContext::reply(Value result) {
    file_writes();
    call_.reply({std::move(result)});
}

void CallContext::fail(std::exception_ptr error) {
    file_writes();
    auto mapped = to_wamp_error(error, sql_error_text_);
    const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started_);
    spdlog::debug("event=call_failed request={} error={} elapsed_us={}", call_.request_id(), mapped.uri,
                  elapsed.count());
    call_.error(std::move(mapped.uri), std::move(mapped.args), std::move(mapped.kwargs));
}

std::shared_ptr<CallContext> begin_call(wamp::Invocation call, CallTracker& tracker,
                                        std::chrono::milliseconds timeout, const CallerAccess* access) {
    if (tracker.draining) {
        call.error(error_uri::unavailable, {std::string("pgwamp is shutting down")});
        return nullptr;
    }
    std::shared_ptr<const db::LocalSettings> settings;
    if (access) {
        try {
            settings = access->authorize(call);
        } catch (const NotAuthorized& e) {
            spdlog::debug("event=call_refused request={} authrole={} why=\"{}\"", call.request_id(),
                          call.caller_authrole(), e.what());
            call.error(wamp::uri::not_authorized, {std::string(e.what())});
            return nullptr;
        }
    }
    auto context = std::make_shared<CallContext>(std::move(call), tracker, timeout);
    context->run_as(std::move(settings));
    return context;
}

}  // namespace pgwamp::service
