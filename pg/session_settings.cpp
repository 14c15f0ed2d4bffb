#include "pg/session_settings.hpp"

#include <cstring>
#include <string_view>

namespace pgwamp::db {

std::string startup_options(const std::string& conninfo) {
    std::string combined = required_session_options;
    char* err = nullptr;
    if (PQconninfoOption* parsed = PQconninfoParse(conninfo.c_str(), &err)) {
        for (PQconninfoOption* o = parsed; o->keyword; ++o)
            if (std::strcmp(o->keyword, "options") == 0 && o->val && *o->val) combined += std::string(" ") + o->val;
        PQconninfoFree(parsed);
    }
    if (err) PQfreemem(err);  // a malformed conninfo fails in PQconnectStartParams with a clear message
    return combined;
}

std::string check_session_settings(const PGconn* conn) {
    if (conn == nullptr) return "no connection";
    const char* date_style = PQparameterStatus(conn, "DateStyle");
    const char* interval_style = PQparameterStatus(conn, "IntervalStyle");
    std::string_view ds = date_style ? date_style : "";
    std::string_view is = interval_style ? interval_style : "";
    std::string problems;
    if (ds.substr(0, 3) != "ISO") {
        problems = "DateStyle is '" + std::string(ds) + "', not ISO";
    }
    if (is != "iso_8601") {
        if (!problems.empty()) problems += "; ";
        problems += "IntervalStyle is '" + std::string(is) + "', not iso_8601";
    }
    if (!problems.empty()) {
        problems += " (connect with options='" + std::string(required_session_options) +
                    "'; temporal values pass through unconverted)";
    }
    return problems;
}

}  // namespace pgwamp::db
