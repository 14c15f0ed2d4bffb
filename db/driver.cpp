#include "db/driver.hpp"

#include <utility>

#include "pg/sqlstate.hpp"

namespace pgwamp::db {
std::exception_ptr statement_error(Diagnostics d, const Request& r, bool connection_bad) {
    if (d.sqlstate == sqlstate::query_canceled && r.cancel_attempts > 0) {  // we asked for it
        return std::make_exception_ptr(Error(make_error_code(r.cancel_reason),
                                             r.cancel_reason == Errc::timeout ? "statement timed out"
                                                                              : "statement canceled",
                                             std::move(d)));
    }
    if (connection_bad || sqlstate_ends_connection(d.sqlstate) || d.sqlstate.empty()) {
        std::string what = "connection lost: " + d.message;
        return std::make_exception_ptr(Error(make_error_code(Errc::connection_lost), std::move(what), std::move(d)));
    }
    std::string what = d.message;
    return std::make_exception_ptr(Error(make_error_code(Errc::sql_error), std::move(what), std::move(d)));
}

}  // namespace pgwamp::db
