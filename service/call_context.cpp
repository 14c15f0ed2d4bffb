#include "service/call_context.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "common/error_uris.hpp"
#include "service/caller_access.hpp"
#include "service/error_mapping.hpp"
#include "wamp/error.hpp"

namespace pgwamp::service {

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

void CallContext::reply(Value result) { call_.reply({std::move(result)}); }

void CallContext::fail(std::exception_ptr error) {
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
