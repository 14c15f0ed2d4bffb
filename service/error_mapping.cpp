#include "service/error_mapping.hpp"

#include <spdlog/spdlog.h>

#include "common/error_uris.hpp"
#include "pg/error.hpp"
#include "pg/sqlstate.hpp"
#include "wamp/error.hpp"

namespace pgwamp::service {
namespace {

Object diagnostics_kwargs(const db::Error& e, config::SqlErrorText text) {
    const auto& d = e.diagnostics();
    Object kwargs{{"sqlstate", d.sqlstate}, {"condition", std::string(db::sqlstate_condition(d.sqlstate))}};
    if (text == config::SqlErrorText::code) {
        // The caller is told what kind of error; the words (which may name
        // tables, columns and values) are for the operator.
        spdlog::info("event=sql_error sqlstate={} message=\"{}\" detail=\"{}\" hint=\"{}\"", d.sqlstate,
                     d.message.empty() ? std::string(e.what()) : d.message, d.detail, d.hint);
        return kwargs;
    }
    kwargs.emplace_back("message", d.message.empty() ? std::string(e.what()) : d.message);
    if (!d.detail.empty()) kwargs.emplace_back("detail", d.detail);
    if (!d.hint.empty()) kwargs.emplace_back("hint", d.hint);
    return kwargs;
}

std::string code_text(const db::Error& e) {
    const auto& d = e.diagnostics();
    const auto condition = db::sqlstate_condition(d.sqlstate);
    return (condition.empty() ? std::string("SQL error") : std::string(condition)) + " (SQLSTATE " + d.sqlstate + ")";
}

const char* uri_for(db::Errc code) {
    switch (code) {
        case db::Errc::sql_error: return error_uri::sql;
        case db::Errc::unavailable:
        case db::Errc::closed:
        case db::Errc::connect_failed: return error_uri::unavailable;
        case db::Errc::connection_lost: return error_uri::connection_lost;
        case db::Errc::overloaded: return error_uri::overloaded;
        case db::Errc::timeout: return error_uri::timeout;
        case db::Errc::canceled: return error_uri::canceled;
        case db::Errc::rollback_failed: return error_uri::rollback_failed;
        case db::Errc::bad_value: return wamp::uri::invalid_argument;
        case db::Errc::interaction_failed: break;
    }
    return error_uri::internal;
}

WampError from_db_error(const db::Error& e, config::SqlErrorText text) {
    if (e.code().category() != db::error_category()) {
        spdlog::error("event=internal_error what=\"{}\"", e.what());
        return {error_uri::internal, {std::string("internal error")}, {}};
    }
    const auto code = static_cast<db::Errc>(e.code().value());
    // The interaction's body threw something of ours (ResultRejected, ...): map that.
    if (code == db::Errc::interaction_failed && e.cause()) return to_wamp_error(e.cause(), text);
    WampError out{uri_for(code), {std::string(e.what())}, {}};
    if (code == db::Errc::sql_error) {
        out.kwargs = diagnostics_kwargs(e, text);
        out.args = {text == config::SqlErrorText::code ? code_text(e)
                    : e.diagnostics().message.empty()  ? std::string(e.what())
                                                       : e.diagnostics().message};
    } else if (code == db::Errc::rollback_failed && e.original()) {
        out.kwargs = {{"original", Value(diagnostics_kwargs(*e.original(), text))},
                      {"rollback", Value(diagnostics_kwargs(e, text))}};
    } else if (out.uri == error_uri::internal) {
        spdlog::error("event=internal_error what=\"{}\"", e.what());
        out.args = {std::string("internal error")};
    }
    return out;
}

}  // namespace

WampError to_wamp_error(std::exception_ptr error, config::SqlErrorText sql_text) {
    try {
        std::rethrow_exception(error);
    } catch (const db::Error& e) {
        return from_db_error(e, sql_text);
    } catch (const InvalidArgument& e) {
        return {wamp::uri::invalid_argument, {std::string(e.what())}, {}};
    } catch (const NotAuthorized& e) {
        return {wamp::uri::not_authorized, {std::string(e.what())}, {}};
    } catch (const HistoryTruncated& e) {
        return {error_uri::history_truncated, {std::string(e.what())}, {{"oldest", e.oldest}}};
    } catch (const MustRefetch& e) {
        return {error_uri::must_refetch, {std::string(e.what())}, {}};
    } catch (const TooManyAttempts& e) {
        return {error_uri::too_many_attempts, {std::string(e.what())}, {{"retry_after_ms", e.retry_after_ms}}};
    } catch (const ResultRejected& e) {
        return {error_uri::result_rejected, {std::string(e.what())}, {}};
    } catch (const std::exception& e) {
        // Our bug or a library's: the caller gets a generic message, the
        // details go to our log only (they may name internals).
        spdlog::error("event=internal_error what=\"{}\"", e.what());
    } catch (...) {
        spdlog::error("event=internal_error what=\"non-standard exception\"");
    }
    return {error_uri::internal, {std::string("internal error")}, {}};
}

}  // namespace pgwamp::service
