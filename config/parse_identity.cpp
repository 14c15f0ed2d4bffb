// The identity section (WAMP roles -> PostgreSQL roles) and the audience of
// row events (who may receive them).

#include "config/parsers.hpp"
#include "config/sql_placeholders.hpp"
#include "config/wamp_uri.hpp"

namespace pgwamp::config::detail {

namespace {

std::vector<std::string> parse_authenticator_roles(const Node& roles) {
    roles.expect_array();
    std::vector<std::string> out;
    for (std::size_t i = 0; i < roles.json().size(); ++i) out.push_back(roles.element(i).nonempty_string());
    if (out.empty()) roles.fail("name the role the router calls it with (Crossbar: \"trusted\")");
    return out;
}

std::string parse_procedure_uri(const Node& procedure) {
    std::string uri = procedure.string();
    if (auto problem = wamp_uri_problem(uri)) procedure.fail("not a valid procedure URI: " + *problem);
    return uri;
}

}  // namespace

IdentityConfig parse_identity(const Node& node) {
    Fields f(node, {"database_roles", "authenticator", "anonymous_authenticator", "login"});
    IdentityConfig out;
    if (auto roles = f.get("database_roles")) {
        roles->expect_object();
        for (const auto& [wamp_role, value] : roles->json().items()) {
            const Node entry = roles->entry(wamp_role);
            if (wamp_role.empty()) entry.fail("a WAMP role name cannot be empty");
            // Bound as data by set_config('role', ...), but a typo is better caught here.
            out.database_roles.emplace(wamp_role, entry.nonempty_string());
        }
    }
    if (auto n = f.get("authenticator")) {
        Fields a(*n, {"procedure", "sql", "roles"});
        AuthenticatorConfig auth;
        auth.procedure = parse_procedure_uri(a.require("procedure"));
        const Node sql = a.require("sql");
        auth.sql = sql.nonempty_string();
        const PlaceholderScan scan = scan_placeholders(auth.sql);
        if (scan.error) sql.fail(*scan.error);
        if (scan.numbers != std::vector<unsigned>{1, 2})
            sql.fail("binds $1 (the authid) and $2 (the ticket), and nothing else");
        auth.roles = parse_authenticator_roles(a.require("roles"));
        out.authenticator = std::move(auth);
    }
    if (auto n = f.get("anonymous_authenticator")) {
        Fields a(*n, {"procedure", "role", "roles"});
        AnonymousAuthenticatorConfig auth;
        auth.procedure = parse_procedure_uri(a.require("procedure"));
        if (auto role = a.get("role")) auth.role = role->nonempty_string();
        auth.roles = parse_authenticator_roles(a.require("roles"));
        out.anonymous_authenticator = std::move(auth);
    }
    if (auto n = f.get("login")) {
        Fields l(*n, {"pool", "name_failures", "name_lock_ms", "peer_attempts", "peer_window_ms", "signups_per_peer",
                      "signup_window_ms", "refusal_delay_ms", "refusal_delay_max_ms", "max_delayed_refusals"});
        if (auto p = l.get("pool")) out.login.pool = parse_pool(*p, out.login.pool);
        if (auto v = l.get("name_failures")) out.login.name_failures = static_cast<int>(v->integer(1, 1000));
        if (auto v = l.get("name_lock_ms")) out.login.name_lock = v->milliseconds(86'400'000);
        if (auto v = l.get("peer_attempts")) out.login.peer_attempts = static_cast<int>(v->integer(1, 1'000'000));
        if (auto v = l.get("peer_window_ms")) out.login.peer_window = v->milliseconds(86'400'000);
        if (auto v = l.get("signups_per_peer")) out.login.signups_per_peer = static_cast<int>(v->integer(1, 1'000'000));
        if (auto v = l.get("signup_window_ms")) out.login.signup_window = v->milliseconds(7 * 86'400'000LL);
        if (auto v = l.get("refusal_delay_ms")) out.login.refusal_delay = v->milliseconds(60'000);
        if (auto v = l.get("refusal_delay_max_ms")) out.login.refusal_delay_max = v->milliseconds(600'000);
        if (auto v = l.get("max_delayed_refusals"))
            out.login.max_delayed_refusals = static_cast<int>(v->integer(1, 1'000'000));
    }
    return out;
}

EventAudience parse_audience(const Node& node) {
    Fields f(node, {"owner", "public"});
    EventAudience out;
    out.owner = f.require("owner").nonempty_string();
    if (auto n = f.get("public")) out.public_flag = n->nonempty_string();
    return out;
}

}  // namespace pgwamp::config::detail
