#pragma once
// What a test reads from the std::exception_ptr a db:: operation completed
// with: its text and its code.

#include <exception>
#include <optional>
#include <string>

#include "pg/error.hpp"

namespace pgwamp::test {

// what() of the exception; "success" for none.
inline std::string what_of(const std::exception_ptr& e) {
    try {
        if (e) std::rethrow_exception(e);
    } catch (const std::exception& x) {
        return x.what();
    } catch (...) {
        return "not a std::exception";
    }
    return "success";
}

// The db::Errc of the error; nullopt for none; interaction_failed for
// anything that is not a db::Error (never expected by a test).
inline std::optional<db::Errc> errc_of(const std::exception_ptr& e) {
    if (!e) return std::nullopt;
    try {
        std::rethrow_exception(e);
    } catch (const db::Error& x) {
        if (x.code().category() == db::error_category()) return static_cast<db::Errc>(x.code().value());
    } catch (...) {
    }
    return db::Errc::interaction_failed;
}

}  // namespace pgwamp::test
