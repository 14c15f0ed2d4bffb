#pragma once
// Internal to config/: one parser per section of the document. Each takes the
// section's Node, checks every key, and throws ConfigError at the first problem.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "config/node.hpp"

namespace pgwamp::config::detail {

BackoffConfig parse_backoff(const Node& node);
// The secret named by `env_key` or `file_key` of an object (at most one of them).
std::optional<SecretSource> parse_secret_source(const Fields& fields, std::string_view env_key,
                                                std::string_view file_key);
// A path from the config: relative ones resolve against the config's directory.
std::filesystem::path resolve_path(const Source& source, const std::string& path);

// {"min", "max", "queue", "idle_timeout_ms"}: database.pool and identity.login.pool.
PoolConfig parse_pool(const Node& node, PoolConfig defaults = {});
RouterConfig parse_router(const Node& node);
DatabaseConfig parse_database(const Node& node);
std::map<std::string, ProcedureConfig> parse_procedures(const Node& node);
std::map<std::string, NotificationConfig> parse_notifications(const Node& node);
ServiceConfig parse_service(const Node& node);
ChangesConfig parse_changes(const Node& node);
IdentityConfig parse_identity(const Node& node);
LiveConfig parse_live(const Node& node);
// The columns a live predicate compares, each once (appended to `out`).
void predicate_columns(const LivePredicate& p, std::vector<std::string>& out);
// A procedure's "args" list (config/parse_procedures.cpp).
std::vector<ArgConfig> parse_args(const Node& node);
// A "roles" list: WAMP roles (the router's caller_authrole), at least one.
std::vector<std::string> parse_roles(const Node& node);
// {"owner": name, "public": name} of an event's row (columns or JSON fields).
EventAudience parse_audience(const Node& node);

}  // namespace pgwamp::config::detail
