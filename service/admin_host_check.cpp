#include "service/admin_host_check.hpp"

#include <algorithm>
#include <cctype>

#include <boost/asio/ip/address.hpp>

namespace pgwamp::service {
namespace {

bool same_name(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
               return std::tolower(x) == std::tolower(y);
           });
}

// "name:port" -> "name"; "[::1]:port" -> "::1".
std::string_view without_port(std::string_view host) {
    if (host.starts_with('[')) {
        const auto close = host.find(']');
        return close == std::string_view::npos ? host : host.substr(1, close - 1);
    }
    const auto colon = host.find(':');
    return colon == std::string_view::npos ? host : host.substr(0, colon);
}

}  // namespace

bool admin_host_allowed(std::string_view host, const std::vector<std::string>& allowed_names) {
    if (host.empty()) return true;
    std::string_view name = without_port(host);
    if (name.ends_with('.')) name.remove_suffix(1);  // "localhost." is localhost
    if (name.empty()) return false;
    boost::system::error_code not_an_address;
    boost::asio::ip::make_address(std::string(name), not_an_address);
    if (!not_an_address) return true;  // addressed by IP: not a rebound name
    if (same_name(name, "localhost")) return true;
    return std::any_of(allowed_names.begin(), allowed_names.end(),
                       [&](const std::string& allowed) { return same_name(name, allowed); });
}

}  // namespace pgwamp::service
