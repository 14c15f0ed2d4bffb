#include "service/ticket_authenticator.hpp"

#include <spdlog/spdlog.h>

#include "db/error.hpp"
#include "service/error_mapping.hpp"
#include "service/reserved_names.hpp"

namespace pgwamp::service {
namespace {

constexpr const char* refused = "wrong name or password";

// The SQL may raise for a bad password (invalid_password, 28P01): a refusal, not a fault.
bool is_refusal(const std::exception_ptr& error) { return db::sqlstate_of(error).starts_with("28"); }

}  // namespace

void serve_ticket_authenticator(db::Pool& pool, const config::AuthenticatorConfig& authenticator,
                                const std::string& service_authid, std::shared_ptr<CallContext> context) {
    const Array& args = context->call().args();
    const Value* ticket = args.size() == 3 && args[2].is<Object>() ? find_field(args[2].as<Object>(), "ticket") : nullptr;
    if (!ticket || !ticket->is<std::string>() || !args[1].is<std::string>())
        return context->fail(std::make_exception_ptr(InvalidArgument("expected (realm, authid, details with a ticket)")));
    const std::string authid = args[1].as<std::string>();
    // Refused before any database work: whatever the SQL says, nobody signs in as the service.
    if (is_reserved_name(authid, service_authid)) {
        spdlog::warn("event=sign_in_refused reason=reserved_name authid_length={}", authid.size());
        return context->fail(std::make_exception_ptr(NotAuthorized(refused)));
    }
    pool.async_query(authenticator.sql, {authid, *ticket}, context->statement_options(),
                     [context, authid, service_authid](std::exception_ptr error, db::Result result) {
                         if (error && !is_refusal(error)) return context->fail(error);
                         const Value* role = nullptr;
                         const Value* granted = nullptr;
                         if (!error && !result.rows.empty()) {
                             for (std::size_t i = 0; i < result.columns.size(); ++i) {
                                 if (result.columns[i].name == "role") role = &result.rows[0][i];
                                 if (result.columns[i].name == "authid") granted = &result.rows[0][i];
                             }
                         }
                         if (!role || !role->is<std::string>()) {
                             spdlog::info("event=sign_in_refused authid_length={}", authid.size());
                             return context->fail(std::make_exception_ptr(NotAuthorized(refused)));
                         }
                         const bool renamed = granted && granted->is<std::string>();
                         if (renamed && is_reserved_name(granted->as<std::string>(), service_authid)) {
                             spdlog::warn("event=sign_in_refused reason=reserved_name_granted");
                             return context->fail(std::make_exception_ptr(NotAuthorized(refused)));
                         }
                         Object principal{{"role", *role}};
                         if (renamed) principal.emplace_back("authid", *granted);
                         context->reply(std::move(principal));
                     });
}

}  // namespace pgwamp::service
