#include "pg/error.hpp"

namespace pgwamp::db {
namespace {

class Category final : public std::error_category {
public:
    const char* name() const noexcept override { return "pgwamp.db"; }
    std::string message(int code) const override {
        switch (static_cast<Errc>(code)) {
            case Errc::sql_error: return "the server rejected the statement";
            case Errc::unavailable: return "the database is unavailable";
            case Errc::overloaded: return "the connection pool's wait queue is full";
            case Errc::timeout: return "the statement ran past its deadline";
            case Errc::canceled: return "the statement was canceled";
            case Errc::connection_lost: return "the connection was lost while the statement was in flight";
            case Errc::rollback_failed: return "ROLLBACK failed after an error";
            case Errc::closed: return "the connection or pool was closed";
            case Errc::connect_failed: return "the connection attempt failed";
            case Errc::bad_value: return "a value could not be adapted or cast";
            case Errc::interaction_failed: return "the interaction failed";
        }
        return "unknown pgwamp.db error";
    }
};

}  // namespace

const std::error_category& error_category() {
    static const Category category;
    return category;
}

std::error_code make_error_code(Errc e) { return {static_cast<int>(e), error_category()}; }

Error::Error(std::error_code code, std::string what, Diagnostics diagnostics, std::shared_ptr<const Error> original)
    : std::runtime_error(std::move(what)),
      code_(code),
      diagnostics_(std::move(diagnostics)),
      original_(std::move(original)) {}

std::exception_ptr make_error(Errc code, std::string what, Diagnostics diagnostics) {
    return std::make_exception_ptr(Error(make_error_code(code), std::move(what), std::move(diagnostics)));
}

std::string sqlstate_of(const std::exception_ptr& e) {
    try {
        if (e) std::rethrow_exception(e);
    } catch (const Error& x) {
        return x.diagnostics().sqlstate;
    } catch (...) {
    }
    return {};
}

}  // namespace pgwamp::db
