#include "config/describe.hpp"

namespace pgwamp::config {

namespace {

using nlohmann::json;

json describe_backoff(const BackoffConfig& b) {
    return {{"initial_delay_ms", b.initial_delay.count()}, {"max_delay_ms", b.max_delay.count()},
            {"factor", b.factor}, {"jitter", b.jitter}, {"max_attempts", b.max_attempts}};
}

void describe_secret(json& out, const std::optional<SecretSource>& source, const char* env_key,
                     const char* file_key) {
    if (!source) return;
    if (source->kind == SecretSource::Kind::env) out[env_key] = source->env_name;
    else out[file_key] = source->file.string();
}

json describe_router(const RouterConfig& r) {
    json out = {{"realm", r.realm}, {"authmethod", to_string(r.authmethod)},
                {"connect_timeout_ms", r.connect_timeout.count()}, {"reconnect", describe_backoff(r.reconnect)}};
    if (r.transport.is_unix()) out["socket"] = r.transport.socket.string();
    else out["url"] = r.transport.url;
    if (!r.authid.empty()) out["authid"] = r.authid;
    describe_secret(out, r.secret_source, "secret_env", "secret_file");
    if (r.transport.tls) {
        json tls = {{"verify_peer", r.tls.verify_peer}};
        if (!r.tls.ca_file.empty()) tls["ca_file"] = r.tls.ca_file.string();
        if (!r.tls.cert_file.empty()) tls["cert_file"] = r.tls.cert_file.string();
        if (!r.tls.key_file.empty()) tls["key_file"] = r.tls.key_file.string();
        if (!r.tls.server_name.empty()) tls["server_name"] = r.tls.server_name;
        out["tls"] = tls;
    }
    return out;
}

json describe_pool(const PoolConfig& p) {
    return {{"min", p.min}, {"max", p.max}, {"queue", p.queue}, {"idle_timeout_ms", p.idle_timeout.count()}};
}

json describe_replica(const ReplicaConfig& r) {
    // conninfo is validated at load to hold no password, so it is safe to
    // show; the password itself is only named by its source.
    json out = {{"name", r.name}, {"conninfo", r.conninfo}, {"pool", describe_pool(r.pool)}};
    describe_secret(out, r.password_source, "password_env", "password_file");
    return out;
}

json describe_database(const DatabaseConfig& d) {
    json out = {{"pool", describe_pool(d.pool)},
                {"statement_timeout_ms", d.statement_timeout.count()},
                {"connect_timeout_ms", d.connect_timeout.count()},
                {"reconnect", describe_backoff(d.reconnect)}};
    // Validated at load to hold no password, so it is safe to show.
    if (d.conninfo) out["conninfo"] = *d.conninfo;
    describe_secret(out, d.password_source, "password_env", "password_file");
    if (!d.replicas.empty()) {  // replica_routing is only allowed with replicas
        json replicas = json::array();
        for (const auto& r : d.replicas) replicas.push_back(describe_replica(r));
        out["replicas"] = replicas;
        out["replica_routing"] = {{"max_wait_ms", d.replica_routing.max_wait.count()},
                                  {"max_lag_ms", d.replica_routing.max_lag.count()},
                                  {"poll_interval_ms", d.replica_routing.poll_interval.count()}};
    }
    return out;
}

json describe_arg(const ArgConfig& a) {
    json out = {{"name", a.name}, {"type", to_string(a.type)}, {"required", a.required}};
    if (a.default_value) out["default"] = *a.default_value;
    if (a.min) out["min"] = *a.min;
    if (a.max) out["max"] = *a.max;
    return out;
}

json describe_procedure(const ProcedureConfig& p) {
    json args = json::array();
    for (const auto& a : p.args) args.push_back(describe_arg(a));
    json out = {{"mode", to_string(p.mode)}, {"args", args}};
    if (p.mode == Mode::interaction) {
        json statements = json::array();
        for (const auto& st : p.statements) {
            json names = json::array();
            for (const auto index : st.params) names.push_back(p.args.at(index).name);
            statements.push_back({{"sql", st.sql}, {"args", names}});
        }
        out["sql"] = statements;
    } else {
        out["sql"] = p.statements.at(0).sql;
    }
    if (p.mode != Mode::operation) {
        out["rows"] = to_string(p.rows);
        out["single"] = p.single == Single::none ? json(false) : json(to_string(p.single));
        if (p.single == Single::none) out["max_rows"] = p.max_rows;  // single implies one row
        if (p.mode == Mode::query && p.single == Single::none) out["stream_max_rows"] = p.stream_max_rows;
    }
    if (p.timeout) out["timeout_ms"] = p.timeout->count();
    out["read_only"] = p.read_only;
    return out;
}

json describe_changes(const ChangesConfig& c) {
    json tables = json::object();
    for (const auto& [name, t] : c.tables) {
        json operations = json::array();
        for (const auto& [word, on] : {std::pair{"insert", t.insert}, std::pair{"update", t.update},
                                       std::pair{"delete", t.remove}, std::pair{"truncate", t.truncate}})
            if (on) operations.push_back(word);
        tables[name] = {{"topic", t.topic}, {"operations", operations}};
        if (t.columns) tables[name]["columns"] = *t.columns;
    }
    auto uri = [](const std::optional<std::string>& u) { return u ? json(*u) : json(); };
    return {{"publication", c.publication}, {"slot", c.slot}, {"history", c.history},
            {"max_unacknowledged", c.max_unacknowledged}, {"lag_log_interval_ms", c.lag_log_interval.count()},
            {"replay_procedure", uri(c.replay_procedure)}, {"status_procedure", uri(c.status_procedure)},
            {"tables", tables}};
}

}  // namespace

nlohmann::json describe_config(const Config& c) {
    json procedures = json::object();
    for (const auto& [uri, p] : c.procedures) procedures[uri] = describe_procedure(p);
    json notifications = json::object();
    for (const auto& [channel, n] : c.notifications)
        notifications[channel] = {{"topic", n.topic}, {"payload", to_string(n.payload)}};
    json service = {{"log_level", to_string(c.service.log_level)},
                    {"shutdown_grace_ms", c.service.shutdown_grace.count()},
                    {"register_invoke", to_string(c.service.register_invoke)},
                    {"notify_procedure", c.service.notify_procedure ? json(*c.service.notify_procedure) : json()},
                    {"notify_publishers", to_string(c.service.notify_publishers)},
                    {"notify_leader_retry_ms", c.service.notify_leader_retry.count()},
                    {"health_procedure", c.service.health_procedure ? json(*c.service.health_procedure) : json()}};
    if (c.service.notify_roles) service["notify_roles"] = *c.service.notify_roles;
    if (c.service.admin) {
        service["admin"] = {{"listen", c.service.admin->listen},
                            {"max_connections", c.service.admin->max_connections},
                            {"request_timeout_ms", c.service.admin->request_timeout.count()}};
    }
    json out = {{"router", describe_router(c.router)}, {"database", describe_database(c.database)},
                {"procedures", procedures}, {"notifications", notifications}, {"service", service}};
    if (c.changes) out["changes"] = describe_changes(*c.changes);
    return out;
}

}  // namespace pgwamp::config
