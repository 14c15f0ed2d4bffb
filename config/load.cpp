#include <fstream>
#include <iterator>
#include <system_error>

#include "config/config.hpp"
#include "config/conninfo.hpp"
#include "config/duplicate_keys.hpp"
#include "config/parsers.hpp"

namespace pgwamp::config {

namespace {

// A config is a few kilobytes; a bigger file is a wrong path, and reading
// /dev/zero must not hang us.
constexpr std::uintmax_t max_config_size = 4 * 1024 * 1024;

// A procedure run as the caller needs a database role for each WAMP role
// that may call it.
void check_identity(const Config& c, const detail::Node& root) {
    for (const auto& [uri, p] : c.procedures) {
        if (!p.as_caller) continue;
        const std::string where = "procedures[\"" + uri + "\"].as_caller";
        if (c.identity.database_roles.empty())
            throw ConfigError(root.source().file, where,
                              "runs as the caller, but identity.database_roles maps no WAMP role to a database role");
        for (const auto& role : p.roles.value_or(std::vector<std::string>{}))
            if (!c.identity.database_roles.contains(role))
                throw ConfigError(root.source().file, where,
                                  "WAMP role \"" + role + "\" may call it but has no database role in identity.database_roles");
    }
}

// A live query follows a table of the changes section, with that table's
// audience, as the caller: its columns must be in the table's events.
void check_live(const Config& c, const detail::Node& root) {
    if (!c.live) return;
    const std::string& file = root.source().file;
    for (const auto& [uri, q] : c.live->queries) {
        const std::string where = "live.queries[\"" + uri + "\"]";
        if (!c.changes)
            throw ConfigError(file, where + ".table", "a live query follows row changes: configure the changes section");
        const auto table = c.changes->tables.find(q.table);
        if (table == c.changes->tables.end())
            throw ConfigError(file, where + ".table", "\"" + q.table + "\" is not one of changes.tables");
        std::vector<std::string> needed = q.columns;
        detail::predicate_columns(q.where, needed);
        if (const auto& published = table->second.columns)
            for (const auto& column : needed)
                if (std::find(published->begin(), published->end(), column) == published->end())
                    throw ConfigError(file, where, "column \"" + column + "\" is not in changes.tables[\"" + q.table +
                                                       "\"].columns, so its changes never carry it");
        if (c.identity.database_roles.empty())
            throw ConfigError(file, where,
                              "a live query runs as the caller, but identity.database_roles maps no WAMP role to a "
                              "database role");
        for (const auto& role : q.roles.value_or(std::vector<std::string>{}))
            if (!c.identity.database_roles.contains(role))
                throw ConfigError(file, where + ".roles",
                                  "WAMP role \"" + role + "\" may call it but has no database role in identity.database_roles");
        const bool taken = c.procedures.contains(uri) || uri == c.service.notify_procedure ||
                           uri == c.service.health_procedure || uri == c.changes->replay_procedure ||
                           uri == c.changes->status_procedure;
        if (taken) throw ConfigError(file, where, "\"" + uri + "\" is also served by another procedure");
    }
}

void check_cross_references(const Config& c, const detail::Node& root) {
    check_identity(c, root);
    check_live(c, root);
    if (const auto& auth = c.identity.authenticator; auth && c.procedures.contains(auth->procedure))
        throw ConfigError(root.source().file, "identity.authenticator.procedure",
                          "\"" + auth->procedure + "\" is also configured under procedures");
    if (c.service.notify_procedure && c.procedures.contains(*c.service.notify_procedure))
        throw ConfigError(root.source().file, "service.notify_procedure",
                          "\"" + *c.service.notify_procedure + "\" is also configured under procedures");
    if (const auto& health = c.service.health_procedure;
        health && (c.procedures.contains(*health) || health == c.service.notify_procedure))
        throw ConfigError(root.source().file, "service.health_procedure",
                          "\"" + *health + "\" is also served by another procedure");
    if (!c.changes) return;
    for (const auto& [key, uri] : {std::pair{"changes.replay_procedure", c.changes->replay_procedure},
                                   std::pair{"changes.status_procedure", c.changes->status_procedure}}) {
        if (uri && (c.procedures.contains(*uri) || uri == c.service.notify_procedure ||
                    uri == c.service.health_procedure))
            throw ConfigError(root.source().file, key, "\"" + *uri + "\" is also served by another procedure");
    }
}

std::string read_config_file(const std::filesystem::path& file) {
    const std::string name = file.string();
    std::error_code ec;
    const auto status = std::filesystem::status(file, ec);
    if (ec || !std::filesystem::exists(status))
        throw ConfigError(name, "(file)", "cannot read the configuration: it does not exist");
    if (!std::filesystem::is_regular_file(status))
        throw ConfigError(name, "(file)", "cannot read the configuration: not a regular file");
    const auto size = std::filesystem::file_size(file, ec);
    if (ec || size > max_config_size)
        throw ConfigError(name, "(file)", "cannot read the configuration: larger than 4 MiB");
    std::ifstream in(file, std::ios::binary);
    if (!in) throw ConfigError(name, "(file)", "cannot read the configuration: permission denied or I/O error");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw ConfigError(name, "(file)", "cannot read the configuration: read error");
    return text;
}

}  // namespace

Config parse_config(const nlohmann::json& doc, const std::filesystem::path& source_name) {
    const detail::Source source{source_name.string(), source_name.parent_path()};
    const detail::Node root(doc, source, "");
    detail::Fields f(root,
                     {"router", "database", "procedures", "notifications", "changes", "live", "identity", "service"});

    Config c;
    c.source = source_name;
    c.router = detail::parse_router(f.require("router"));
    if (auto n = f.get("database")) c.database = detail::parse_database(*n);
    if (auto n = f.get("procedures")) c.procedures = detail::parse_procedures(*n);
    if (auto n = f.get("notifications")) c.notifications = detail::parse_notifications(*n);
    if (auto n = f.get("service")) c.service = detail::parse_service(*n);
    if (auto n = f.get("changes")) c.changes = detail::parse_changes(*n);
    if (auto n = f.get("live")) c.live = detail::parse_live(*n);
    if (auto n = f.get("identity")) c.identity = detail::parse_identity(*n);
    check_cross_references(c, root);
    return c;
}

Config parse_config_text(std::string_view text, const std::filesystem::path& source_name) {
    return parse_config(detail::parse_json_strict(text, source_name.string()), source_name);
}

void resolve_secrets(Config& config) {
    if (config.router.secret_source)
        config.router.secret = read_secret(*config.router.secret_source, config.source);
    if (config.database.password_source)
        config.database.password = read_secret(*config.database.password_source, config.source);
    // A standby is a copy of the primary, roles and passwords included, so
    // one without a source of its own uses the primary's password.
    for (auto& replica : config.database.replicas)
        replica.password = replica.password_source ? std::optional(read_secret(*replica.password_source, config.source))
                                                   : config.database.password;
}

Config load_config(const std::filesystem::path& file) {
    Config config = parse_config_text(read_config_file(file), file);
    resolve_secrets(config);
    return config;
}

Secret DatabaseConfig::effective_conninfo() const {
    const std::string base = conninfo.value_or("");
    if (!password) return Secret(base);
    return Secret(conninfo_with_password(base, password->reveal()));
}

Secret ReplicaConfig::effective_conninfo() const {
    if (!password) return Secret(conninfo);
    return Secret(conninfo_with_password(conninfo, password->reveal()));
}

}  // namespace pgwamp::config
