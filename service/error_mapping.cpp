#include "service/error_mapping.hpp"

#include <spdlog/spdlog.h>

#include "db/error.hpp"

namespace pgwamp::service {
namespace {

db::Object diagnostics_kwargs(const db::Error& e) {
    const auto& d = e.diagnostics();
    db::Object kwargs{{"sqlstate", d.sqlstate}, {"message", d.message.empty() ? std::string(e.what()) : d.message}};
    if (!d.detail.empty()) kwargs.emplace_back("detail", d.detail);
    if (!d.hint.empty()) kwargs.emplace_back("hint", d.hint);
    return kwargs;
}

std::string uri_for(db::Errc code) {
    switch (code) {
        case db::Errc::sql_error: return "pgwamp.error.sql";
        case db::Errc::unavailable:
        case db::Errc::closed:
        case db::Errc::connect_failed: return "pgwamp.error.unavailable";
        case db::Errc::connection_lost: return "pgwamp.error.connection_lost";
        case db::Errc::overloaded: return "pgwamp.error.overloaded";
        case db::Errc::timeout: return "pgwamp.error.timeout";
        case db::Errc::canceled: return "pgwamp.error.canceled";
        case db::Errc::rollback_failed: return "pgwamp.error.rollback_failed";
        case db::Errc::bad_value: return "wamp.error.invalid_argument";
        case db::Errc::interaction_failed: break;
    }
    return "pgwamp.error.internal";
}

WampError from_db_error(const db::Error& e) {
    if (e.code().category() != db::error_category()) {
        spdlog::error("event=internal_error what=\"{}\"", e.what());
        return {"pgwamp.error.internal", {std::string("internal error")}, {}};
    }
    const auto code = static_cast<db::Errc>(e.code().value());
    WampError out{uri_for(code), {std::string(e.what())}, {}};
    if (code == db::Errc::sql_error) {
        out.kwargs = diagnostics_kwargs(e);
        out.args = {e.diagnostics().message.empty() ? std::string(e.what()) : e.diagnostics().message};
    } else if (code == db::Errc::rollback_failed && e.original()) {
        out.kwargs = {{"original", db::Value(diagnostics_kwargs(*e.original()))},
                      {"rollback", db::Value(diagnostics_kwargs(e))}};
    } else if (out.uri == "pgwamp.error.internal") {
        spdlog::error("event=internal_error what=\"{}\"", e.what());
        out.args = {std::string("internal error")};
    }
    return out;
}

}  // namespace

WampError to_wamp_error(std::exception_ptr error) {
    try {
        std::rethrow_exception(error);
    } catch (const db::Error& e) {
        return from_db_error(e);
    } catch (const InvalidArgument& e) {
        return {"wamp.error.invalid_argument", {std::string(e.what())}, {}};
    } catch (const ResultRejected& e) {
        return {"pgwamp.error.result_rejected", {std::string(e.what())}, {}};
    } catch (const std::exception& e) {
        // Our bug or a library's: the caller gets a generic message, the
        // details go to our log only (they may name internals).
        spdlog::error("event=internal_error what=\"{}\"", e.what());
    } catch (...) {
        spdlog::error("event=internal_error what=\"non-standard exception\"");
    }
    return {"pgwamp.error.internal", {std::string("internal error")}, {}};
}

}  // namespace pgwamp::service
