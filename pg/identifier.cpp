#include "pg/identifier.hpp"

#include "pg/error.hpp"

namespace pgwamp::db {

std::string quote_identifier(const std::string& name) {
    if (name.empty()) throw Error(make_error_code(Errc::bad_value), "channel name is empty");
    if (name.find('\0') != std::string::npos)
        throw Error(make_error_code(Errc::bad_value), "channel name contains a NUL byte");
    std::string out = "\"";
    for (char ch : name) {
        if (ch == '"') out += '"';
        out += ch;
    }
    return out + "\"";
}

}  // namespace pgwamp::db
