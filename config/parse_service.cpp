#include <arpa/inet.h>

#include "config/names.hpp"
#include "config/parsers.hpp"
#include "config/wamp_uri.hpp"

namespace pgwamp::config::detail {

namespace {

// "127.0.0.1:8089" or "[::1]:8089": an address literal, so the listener
// never needs a (blocking) name lookup.
AdminConfig parse_listen(const Node& node) {
    const std::string text = node.nonempty_string();
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) node.fail("expected \"address:port\", e.g. \"127.0.0.1:8089\"");
    std::string host = text.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    unsigned char buffer[16];
    const bool v4 = ::inet_pton(AF_INET, host.c_str(), buffer) == 1;
    const bool v6 = !v4 && ::inet_pton(AF_INET6, host.c_str(), buffer) == 1;
    if (!v4 && !v6) node.fail("the address must be an IP address (\"127.0.0.1\", \"[::1]\"), not a name");
    const std::string port = text.substr(colon + 1);
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(port) < 1 || std::stoi(port) > 65535)
        node.fail("the port must be 1-65535");
    AdminConfig a;
    a.host = host;
    a.port = static_cast<std::uint16_t>(std::stoi(port));
    a.listen = text;
    return a;
}

AdminConfig parse_admin(const Node& node) {
    Fields f(node, {"listen", "max_connections", "request_timeout_ms", "allowed_hosts"});
    AdminConfig a = parse_listen(f.require("listen"));
    if (auto n = f.get("max_connections")) a.max_connections = static_cast<std::size_t>(n->integer(1, 1000));
    if (auto n = f.get("request_timeout_ms")) a.request_timeout = Milliseconds(n->integer(100, 60'000));
    if (auto n = f.get("allowed_hosts")) {
        n->expect_array();
        for (std::size_t i = 0; i < n->json().size(); ++i) a.allowed_hosts.push_back(n->element(i).nonempty_string());
    }
    return a;
}

std::optional<std::string> optional_uri(const Node& n) {
    if (n.json().is_null()) return std::nullopt;  // explicitly: register none
    std::string uri = n.string();
    if (auto problem = wamp_uri_problem(uri)) n.fail("not a valid procedure URI: " + *problem);
    return uri;
}

}  // namespace

ServiceConfig parse_service(const Node& node) {
    Fields f(node, {"log_level", "shutdown_grace_ms", "register_invoke", "notify_procedure", "notify_roles", "notify_publishers",
                    "notify_leader_retry_ms", "admin", "health_procedure"});
    ServiceConfig s;
    if (auto n = f.get("log_level")) s.log_level = n->choice<LogLevel>(log_levels);
    if (auto n = f.get("shutdown_grace_ms")) s.shutdown_grace = n->milliseconds(600'000);
    if (auto n = f.get("register_invoke")) s.register_invoke = n->choice<InvokePolicy>(invoke_policies);
    if (auto n = f.get("notify_procedure")) s.notify_procedure = optional_uri(*n);
    if (auto n = f.get("notify_roles"); n && !n->json().is_null()) s.notify_roles = parse_roles(*n);
    if (auto n = f.get("notify_publishers")) s.notify_publishers = n->choice<NotifyPublishers>(notify_publishers);
    // At least 10 ms: each try is a query on the database, from every follower.
    if (auto n = f.get("notify_leader_retry_ms")) s.notify_leader_retry = Milliseconds(n->integer(10, 600'000));
    if (auto n = f.get("admin"); n && !n->json().is_null()) s.admin = parse_admin(*n);
    if (auto n = f.get("health_procedure")) s.health_procedure = optional_uri(*n);
    return s;
}

}  // namespace pgwamp::config::detail
