#pragma once
// Readable gtest output for Value (found by ADL), plus a helper that
// checks an expression throws db::Error with Errc::bad_value.

#include <gtest/gtest.h>

#include <cstdio>
#include <ostream>
#include <string>

#include "common/value.hpp"
#include "pg/error.hpp"

namespace pgwamp {

inline void PrintTo(const Value& v, std::ostream* os) {
    struct P {
        std::ostream* os;
        void operator()(Null) const { *os << "null"; }
        void operator()(bool b) const { *os << (b ? "true" : "false"); }
        void operator()(std::int64_t i) const { *os << i << "i"; }
        void operator()(double d) const { *os << d << "d"; }
        void operator()(const std::string& s) const { *os << '"' << s << '"'; }
        void operator()(const Bytes& b) const {
            *os << "bytes[";
            for (auto c : b) {
                char buf[4];
                std::snprintf(buf, sizeof buf, "%02x", c);
                *os << buf;
            }
            *os << "]";
        }
        void operator()(const Array& a) const {
            *os << '[';
            for (std::size_t i = 0; i < a.size(); ++i) {
                if (i) *os << ", ";
                PrintTo(a[i], os);
            }
            *os << ']';
        }
        void operator()(const Object& o) const {
            *os << '{';
            for (std::size_t i = 0; i < o.size(); ++i) {
                if (i) *os << ", ";
                *os << '"' << o[i].first << "\": ";
                PrintTo(o[i].second, os);
            }
            *os << '}';
        }
    };
    std::visit(P{os}, v.data);
}

}  // namespace pgwamp

// Runs `expr`, expects a db::Error with Errc::bad_value, returns its message
// ("" and a test failure otherwise) so callers can check what it says.
#define PGWAMP_BAD_VALUE(expr)                                                          \
    ([&]() -> std::string {                                                             \
        try {                                                                           \
            (void)(expr);                                                               \
        } catch (const ::pgwamp::db::Error& e) {                                        \
            EXPECT_EQ(e.code(), ::pgwamp::db::make_error_code(::pgwamp::db::Errc::bad_value)) \
                << e.what();                                                            \
            return e.what();                                                            \
        } catch (const std::exception& e) {                                             \
            ADD_FAILURE() << "threw a non-db::Error: " << e.what();                     \
            return {};                                                                  \
        }                                                                               \
        ADD_FAILURE() << "did not throw: " #expr;                                       \
        return {};                                                                      \
    }())
