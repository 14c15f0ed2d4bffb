#pragma once
// Errors in layers (see STYLE.md): an error_code for what happened (ours or
// the network's), the server's own words kept apart, and the few conditions a
// caller acts on. Async operations complete with std::exception_ptr holding a
// db::Error, so co_await throws it and callbacks can inspect it.

#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>

namespace pgwamp::db {

enum class Errc {
    sql_error = 1,     // the server rejected the statement; see Diagnostics
    unavailable,       // no connection to the database can be had right now
    overloaded,        // the pool's wait queue is full
    timeout,           // the statement or interaction ran past its deadline
    canceled,          // the caller (or close()) canceled it
    connection_lost,   // the connection died while the statement was in flight
    rollback_failed,   // ROLLBACK failed after an error; see Error::original
    closed,            // the connection or pool was closed
    connect_failed,    // a connection attempt failed or timed out
    bad_value,         // a parameter could not be adapted or a value not cast
    interaction_failed // the interaction itself threw something that is not a db::Error
};

const std::error_category& error_category();
std::error_code make_error_code(Errc e);

// What PostgreSQL said. Untrusted text: log it, return it, never parse it.
struct Diagnostics {
    std::string sqlstate;  // five characters (pg/sqlstate.hpp); empty when not from the server
    std::string message;
    std::string detail;
    std::string hint;
};

class Error : public std::runtime_error {
public:
    Error(std::error_code code, std::string what, Diagnostics diagnostics = {},
          std::shared_ptr<const Error> original = nullptr);

    std::error_code code() const noexcept { return code_; }
    const Diagnostics& diagnostics() const noexcept { return diagnostics_; }
    // For rollback_failed: the error that made us roll back in the first place.
    const std::shared_ptr<const Error>& original() const noexcept { return original_; }
    // For interaction_failed: what the body threw, as thrown, so a caller
    // that knows the type (service/'s ResultRejected) can still tell.
    const std::exception_ptr& cause() const noexcept { return cause_; }
    void set_cause(std::exception_ptr cause) { cause_ = std::move(cause); }

private:
    std::error_code code_;
    Diagnostics diagnostics_;
    std::shared_ptr<const Error> original_;
    std::exception_ptr cause_;
};

// Convenience for completion handlers: exception_ptr from a db::Error.
std::exception_ptr make_error(Errc code, std::string what, Diagnostics diagnostics = {});

// The server's SQLSTATE of a db::Error; empty for anything else (or null).
std::string sqlstate_of(const std::exception_ptr& e);

}  // namespace pgwamp::db

template <>
struct std::is_error_code_enum<pgwamp::db::Errc> : std::true_type {};
