#include "service/reserved_names.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace pgwamp::service {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

constexpr std::array<std::string_view, 10> operator_names = {"admin",   "administrator", "root",    "system",
                                                             "service", "anonymous",     "trusted", "crossbar",
                                                             "router",  "postgres"};

}  // namespace

bool is_reserved_name(std::string_view authid, std::string_view service_authid) {
    const std::string name = lower(authid);
    if (!service_authid.empty() && name == lower(service_authid)) return true;
    if (name.starts_with("pgwamp")) return true;
    return std::find(operator_names.begin(), operator_names.end(), name) != operator_names.end();
}

}  // namespace pgwamp::service
