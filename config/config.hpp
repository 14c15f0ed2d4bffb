#pragma once
// The service's configuration as plain data. config/ knows nothing of db/ or
// wamp/: service/ maps these structs onto db::PoolOptions and
// wamp::ClientOptions. docs/config.md is the reference for every key.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/backoff.hpp"
#include "config/config_error.hpp"
#include "config/secret.hpp"

namespace pgwamp::config {

using Milliseconds = std::chrono::milliseconds;

// Delays between reconnection attempts, as txpostgres' simpleBackoffIterator:
// at once, then initial, times `factor` each attempt, capped at `max_delay`,
// each shortened by up to `jitter` (a fraction) so restarted peers do not
// stampede. service/ maps it onto pgwamp::BackoffOptions (common/backoff.hpp).
// The reconnect schedule's own options (common/backoff.hpp): one set of
// fields and defaults for the config, the router client and the pool.
using BackoffConfig = BackoffOptions;

// ---------------------------------------------------------------- router

enum class TransportKind {
    rawsocket,  // "rs://host:port", "tcp://host:port", "rss://host:port" (TLS), or "socket": "/path" (Unix)
    websocket,  // "ws://host:port/path", "wss://host:port/path" (TLS)
};

struct TransportConfig {
    TransportKind kind = TransportKind::rawsocket;
    std::string host;              // empty for a Unix socket; IPv6 without brackets
    std::uint16_t port = 0;        // 0 for a Unix socket
    std::string path;              // WebSocket only: the HTTP path, "/" at least
    std::filesystem::path socket;  // Unix socket path (resolved against the config's directory)
    std::string url;               // as written in the config (never carries credentials)
    bool tls = false;              // rss:// or wss://

    bool is_unix() const noexcept { return !socket.empty(); }
};

// router.tls: how an rss:// or wss:// router's certificate is checked, and
// our own certificate if the router asks for one. Paths are resolved against
// the config's directory.
struct TlsConfig {
    std::filesystem::path ca_file;  // empty: the system's trusted CAs
    std::filesystem::path cert_file;  // client certificate; set iff key_file is
    std::filesystem::path key_file;
    std::string server_name;  // the name the certificate must carry; empty: the URL's host
    bool verify_peer = true;
};

enum class AuthMethod { anonymous, ticket, wampcra };

struct RouterConfig {
    TransportConfig transport;
    std::string realm;
    std::string authid;  // may be empty only for anonymous
    AuthMethod authmethod = AuthMethod::anonymous;
    std::optional<SecretSource> secret_source;  // set iff authmethod is ticket or wampcra
    Secret secret;  // filled by load_config()/resolve_secrets(); empty after parse_config()
    Milliseconds connect_timeout{10'000};
    BackoffConfig reconnect;
    // The largest message the router's caller-facing transports accept
    // (Crossbar: each websocket path's options.max_message_size). pgwamp
    // cannot see it, so it is told: a result bigger than this is answered
    // with pgwamp.error.result_too_large (naming it) instead of the router's
    // bare payload_size_exceeded, and progressive chunks stay under it. 0: no limit.
    std::size_t caller_max_message_size = 1u << 20;
    TlsConfig tls;  // used iff transport.tls
};

// -------------------------------------------------------------- database

struct PoolConfig {
    std::size_t min = 1;       // connections opened at start and kept open
    std::size_t max = 10;      // never more than this many connections
    std::size_t queue = 1000;  // requests waiting for a connection; beyond: overloaded
    Milliseconds idle_timeout{60'000};  // connections beyond min close after this idle; 0: never
};

// What a caller sees of a PostgreSQL error (pgwamp.error.sql). Messages,
// details and hints may name tables, columns, constraints and values, so by
// default a caller gets the SQLSTATE and its condition name only, and the
// whole text goes to pgwamp's log.
enum class SqlErrorText {
    code,  // {sqlstate, condition}
    full,  // and message, detail, hint: for procedures whose errors are written for users (sign-up)
};

// A streaming standby that may serve reads (database.replicas): procedures
// declared read_only run there when it has replayed what the caller wrote or
// asked for (service/read_routing.hpp).
struct ReplicaConfig {
    std::string name;      // in logs, /metrics, /ready and health; default "replica<N>" (from 1)
    std::string conninfo;  // required; may list several hosts with target_session_attrs=standby
    // Absent: the primary's (database.password_env / password_file).
    std::optional<SecretSource> password_source;
    // Filled by load_config()/resolve_secrets(): from password_source, else
    // a copy of database.password (absent too when the primary has none).
    std::optional<Secret> password;
    PoolConfig pool;
    // conninfo with the password added, as DatabaseConfig::effective_conninfo().
    Secret effective_conninfo() const;
};

// How reads choose between the standbys and the primary.
struct ReplicaRoutingConfig {
    // A read waits at most this long for a standby to replay the position
    // it needs (its caller's last write, or the position it passed), then
    // goes to the primary. 0: never waits.
    Milliseconds max_wait{500};
    // A standby further behind the primary than this takes no reads.
    Milliseconds max_lag{1'000};
    // How often each standby's replay position (and the primary's WAL
    // position) is read; while reads wait, as often as every 10 ms.
    Milliseconds poll_interval{100};
};

struct DatabaseConfig {
    // libpq connection string, key=value or postgresql:// URI; never holds a
    // password (validated). Absent: libpq's PG* environment variables apply.
    std::optional<std::string> conninfo;
    std::optional<SecretSource> password_source;
    std::optional<Secret> password;  // filled by load_config()/resolve_secrets()
    PoolConfig pool;
    Milliseconds statement_timeout{30'000};  // default deadline of a call; 0: none
    SqlErrorText sql_error_text = SqlErrorText::code;  // a procedure's own "sql_error_text" wins
    Milliseconds connect_timeout{10'000};
    BackoffConfig reconnect;
    std::vector<ReplicaConfig> replicas;  // empty: every call runs on the primary
    ReplicaRoutingConfig replica_routing;

    // What to hand to libpq: conninfo with the password added (quoted for
    // key=value, percent-encoded for a URI). A Secret, so it cannot be logged.
    Secret effective_conninfo() const;
};

// ------------------------------------------------------------ procedures

enum class Mode {
    query,        // one statement; its rows are the result
    operation,    // one statement; no rows returned (the call returns null)
    interaction,  // several statements in one transaction; the last one's rows are the result
};

enum class RowFormat {
    maps,    // each row an object {column: value}, columns in SELECT order
    tuples,  // each row an array [value, ...]
};

enum class Single {
    none,   // the result is the list of rows
    row,    // the result is the first row (or null when none); more than one row is an error
    value,  // the result is the first column of the first row (or null); more than one row is an error
};

// Expected JSON type of a call argument. null is always accepted (SQL NULL).
enum class ArgType { any, string, integer, number, boolean, object, array };

struct ArgConfig {
    std::string name;
    ArgType type = ArgType::any;
    std::optional<nlohmann::json> default_value;  // used when the caller leaves it out
    bool required = true;  // false when there is a default or "required": false (then null)
    // Bounds of an "int" or "number" argument, inclusive; absent: none.
    std::optional<double> min;
    std::optional<double> max;
    // Length bounds of a "string" argument in characters (UTF-8 code points), inclusive.
    std::optional<std::size_t> min_length;
    std::optional<std::size_t> max_length;
};

struct StatementConfig {
    std::string sql;
    // $k of this statement binds the procedure's args[params[k-1]].
    std::vector<std::size_t> params;
};

struct ProcedureConfig {
    std::string uri;
    Mode mode = Mode::query;
    std::vector<ArgConfig> args;  // call args: positional in this order, or kwargs by name
    std::vector<StatementConfig> statements;  // exactly one unless mode is interaction
    RowFormat rows = RowFormat::maps;
    Single single = Single::none;
    std::optional<Milliseconds> timeout;  // absent: database.statement_timeout; never 0
    std::size_t max_rows = 10'000;        // more rows than this: the call fails (no truncation)
    // A `query` whose caller asks for progressive results streams its rows
    // in chunks instead (README "Large results"); more rows than this: the
    // stream ends with pgwamp.error.result_rejected.
    std::size_t stream_max_rows = 10'000'000;
    // Who may call it: WAMP roles (the router's caller_authrole); absent: any
    // caller the router lets through. Needs the router to disclose the caller.
    std::optional<std::vector<std::string>> roles;
    // Runs as the caller: SET LOCAL ROLE to identity.database_roles[caller's
    // WAMP role], pgwamp.authid and pgwamp.authrole set for row-level security.
    bool as_caller = false;
    // Its statements use each connection's prepared statements (parsed and
    // planned once per connection); false: sent unnamed every time.
    bool prepare = true;
    // Runs on identity.login's pool ("pool": "login"), as sign-up does: its
    // cost (a bcrypt) stays off the connections the other calls use.
    bool login_pool = false;
    // Only reads: runs in a read-only transaction, on a standby when one has
    // replayed what the caller needs (database.replicas), else on the
    // primary. A write fails with PostgreSQL's own error (25006) either way.
    bool read_only = false;
    std::optional<SqlErrorText> sql_error_text;  // absent: database.sql_error_text
};

// --------------------------------------------------------- notifications

enum class PayloadFormat {
    json,  // parse the payload as JSON; a payload that is not JSON goes out as text, flagged
    text,  // always publish the payload as a string
};

// Who receives an event about a row: everyone, unless `owner` names a column
// (or JSON field) and the row is not public; then only the sessions whose
// authid is the owner's (the router's eligible_authid: one publish, filtered
// by the router). `public_flag` names a boolean that makes the row public.
struct EventAudience {
    std::optional<std::string> owner;
    std::optional<std::string> public_flag;
    bool restricted() const { return owner.has_value(); }
};

struct NotificationConfig {
    std::string channel;  // exact, case-sensitive, as given to pg_notify()
    std::string topic;
    PayloadFormat payload = PayloadFormat::json;
    EventAudience audience;  // JSON fields of the payload
};

// --------------------------------------------------------------- changes

// One published table of the changes section (row changes from logical
// replication). Keyed in the file by "schema.table" ("table" means public).
struct ChangeTableConfig {
    std::string schema = "public";
    std::string table;
    std::string topic;
    // Which operations become events; the others are read and skipped.
    bool insert = true;
    bool update = true;
    bool remove = true;  // "delete"
    bool truncate = true;
    // Columns put in the event's new/old; absent: every column.
    std::optional<std::vector<std::string>> columns;
    EventAudience audience;  // columns of the row

    std::string qualified_name() const { return schema + "." + table; }
};

struct ChangesConfig {
    // Created when missing (names: lower-case SQL identifiers).
    std::string publication = "pgwamp_changes";
    std::string slot = "pgwamp_changes";
    std::size_t history = 1000;  // events kept per topic for replay
    // Events published and not yet acknowledged by the router; past it the
    // stream stops reading (TCP pushes back on the server) until acks come.
    std::size_t max_unacknowledged = 5000;
    Milliseconds lag_log_interval{60'000};  // how often the slot's lag is logged; 0: never
    // Procedures served for the changes; null in the file registers none.
    std::optional<std::string> replay_procedure = std::string("com.example.replay");
    std::optional<std::string> status_procedure = std::string("com.example.changes.status");
    std::map<std::string, ChangeTableConfig> tables;  // by "schema.table"
};

// ------------------------------------------------------------------ live

// A value in a live query's predicate: bound per call, never SQL text.
struct LiveValue {
    enum class Kind { literal, caller_authid, caller_authrole, argument };
    Kind kind = Kind::literal;
    nlohmann::json literal;  // Kind::literal: a string, an integer or a boolean
    std::string argument;    // Kind::argument: the name of one of the query's args
};

enum class LiveOp { eq, ne, lt, le, gt, ge, in };

// The rows a live query follows: comparisons of a column with values,
// combined with AND and OR (no NOT: with AND and OR only, a comparison with
// NULL that is unknown in SQL can be taken as false, exactly).
struct LivePredicate {
    enum class Kind { all, any, compare };  // AND of terms, OR of terms, one comparison
    Kind kind = Kind::all;                  // all with no terms: every row
    std::vector<LivePredicate> terms;
    std::string column;             // compare
    LiveOp op = LiveOp::eq;         // compare
    std::vector<LiveValue> values;  // compare: one, or for `in` a list (or one array argument)
};

// A declared live query (issue: the rows a caller may see, then every change
// to them): service/live_queries.hpp. It always runs as the caller.
struct LiveQueryConfig {
    std::string uri;
    std::string table;  // "schema.table", one of changes.tables
    std::vector<std::string> columns;
    LivePredicate where;
    std::vector<ArgConfig> args;
    std::optional<std::vector<std::string>> roles;
};

struct LiveConfig {
    std::size_t max_calls = 10'000;            // live calls open at once (all queries); beyond: overloaded
    std::size_t max_calls_per_session = 16;    // ... by one caller's session
    std::size_t max_calls_per_address = 64;    // ... by the sessions of one address (as the authenticators heard it)
    std::size_t max_pending_changes = 10'000;  // changes held for one call while its snapshot is read
    std::size_t handles = 100'000;             // resumable handles remembered, oldest forgotten first
    std::size_t chunk_rows = 1000;             // snapshot rows per progressive result, at most
    std::map<std::string, LiveQueryConfig> queries;  // by URI
};

// --------------------------------------------------------------- service

enum class LogLevel { trace, debug, info, warn, error, critical, off };

// WAMP shared-registration policy (Crossbar "invoke"). roundrobin by default,
// so several pgwamp processes can register the same procedures and share calls.
enum class InvokePolicy { single, roundrobin, random, first, last };

// Who publishes a NOTIFY when several pgwamp processes share a database.
enum class NotifyPublishers {
    one,    // the channel's leader only (an advisory lock per channel): one event per NOTIFY
    every,  // every process that has the channel: N processes, N events per NOTIFY
};

// The admin HTTP listener (/live, /ready, /metrics); see docs/config.md.
struct AdminConfig {
    std::string host;         // an IP address literal (no name lookup); loopback in the examples
    std::uint16_t port = 0;
    std::string listen;       // as written, "127.0.0.1:8089" or "[::1]:8089"
    std::size_t max_connections = 16;        // more at once are closed unanswered
    Milliseconds request_timeout{5'000};     // for the whole request: a slow client is cut
    // Host names a request may be addressed to besides localhost and IP
    // literals (service/admin_host_check.hpp): a DNS-rebinding page uses a name.
    std::vector<std::string> allowed_hosts;
};

struct ServiceConfig {
    LogLevel log_level = LogLevel::info;
    Milliseconds shutdown_grace{5'000};
    InvokePolicy register_invoke = InvokePolicy::roundrobin;
    // Procedure that lets callers NOTIFY one of the configured channels;
    // nullopt ("notify_procedure": null) registers none.
    std::optional<std::string> notify_procedure = std::string("com.example.notify");
    // Who may call it (the router's caller_authrole); absent: anyone the router lets through.
    std::optional<std::vector<std::string>> notify_roles;
    NotifyPublishers notify_publishers = NotifyPublishers::one;
    // How often a process that does not lead a channel tries to take it over.
    Milliseconds notify_leader_retry{1'000};
    // Absent: no admin listener.
    std::optional<AdminConfig> admin;
    // The page's health view (pool, calls/s, events/s); null registers none.
    std::optional<std::string> health_procedure = std::string("com.example.health");
};

// -------------------------------------------------------------- identity

// A Crossbar dynamic ticket authenticator served by pgwamp: the router calls
// `procedure` with (realm, authid, details) when someone signs in with a
// ticket (their password); `sql` gets $1 = the authid, $2 = the ticket and
// returns one row with `role` (and optionally `authid`), or no row (or
// raises) for a refusal.
struct AuthenticatorConfig {
    std::string procedure;
    std::string sql;
    std::vector<std::string> roles;  // who may call it: the router's authenticator role
};

// Crossbar's dynamic anonymous authenticator, served by pgwamp: admits
// every visitor with `role` and remembers the address each session came from
// (details.transport.peer), so sign-ups can be limited per address.
struct AnonymousAuthenticatorConfig {
    std::string procedure;
    std::string role = "anonymous";
    std::vector<std::string> roles;  // who may call it: the router's authenticator role
};

// Signing in and up: their own small pool (a bcrypt per sign-in must not
// take the connections calls use) and limits per name and per peer
// (service/login_throttle.hpp), checked before any database work.
struct LoginConfig {
    PoolConfig pool{.min = 1, .max = 1, .queue = 32, .idle_timeout = Milliseconds(60'000)};
    int name_failures = 5;
    Milliseconds name_lock{60'000};
    int peer_attempts = 120;
    Milliseconds peer_window{60'000};
    // Calls of procedures declared "pool": "login" (sign-up) per address
    // (per session when no authenticator saw the caller's address).
    int signups_per_peer = 10;
    Milliseconds signup_window{3'600'000};
    // A refused sign-in is answered after a wait that doubles per refusal of
    // the same address, from refusal_delay to refusal_delay_max
    // (service/refusal_delay.hpp); 0: answered at once. At most
    // max_delayed_refusals answers wait; beyond, they go at once.
    Milliseconds refusal_delay{1000};
    Milliseconds refusal_delay_max{10'000};
    int max_delayed_refusals = 1000;
};

struct IdentityConfig {
    // WAMP role (caller_authrole) -> PostgreSQL role a procedure with
    // as_caller runs as. A WAMP role not listed cannot call such procedures.
    std::map<std::string, std::string> database_roles;
    std::optional<AuthenticatorConfig> authenticator;
    std::optional<AnonymousAuthenticatorConfig> anonymous_authenticator;
    LoginConfig login;
};

// ---------------------------------------------------------------- config

struct Config {
    RouterConfig router;
    DatabaseConfig database;
    std::map<std::string, ProcedureConfig> procedures;         // by URI
    std::map<std::string, NotificationConfig> notifications;   // by channel
    std::optional<ChangesConfig> changes;                       // absent: no row-change events
    std::optional<LiveConfig> live;                             // absent: no live queries; needs changes
    IdentityConfig identity;
    ServiceConfig service;
    std::filesystem::path source;  // the file it came from (as given)
};

// Reads, parses and validates `file`, then reads the secrets it names.
// Throws ConfigError. Rejects duplicate keys anywhere in the document.
Config load_config(const std::filesystem::path& file);

// Validates an already parsed document; relative paths resolve against
// source_name's directory. Reads no secrets (see resolve_secrets). Throws ConfigError.
Config parse_config(const nlohmann::json& doc, const std::filesystem::path& source_name);

// Parses JSON text (comments allowed, duplicate keys rejected) and validates it.
Config parse_config_text(std::string_view text, const std::filesystem::path& source_name);

// Reads router.secret, database.password and each database.replicas[].password
// from the sources the config names (a standby without one gets the primary's).
void resolve_secrets(Config& config);

// The names used in the config file, e.g. to_string(InvokePolicy::roundrobin) == "roundrobin".
std::string_view to_string(TransportKind v) noexcept;
std::string_view to_string(AuthMethod v) noexcept;
std::string_view to_string(Mode v) noexcept;
std::string_view to_string(RowFormat v) noexcept;
std::string_view to_string(Single v) noexcept;
std::string_view to_string(ArgType v) noexcept;
std::string_view to_string(PayloadFormat v) noexcept;
std::string_view to_string(LogLevel v) noexcept;
std::string_view to_string(InvokePolicy v) noexcept;
std::string_view to_string(NotifyPublishers v) noexcept;

// Whether a JSON value is acceptable for an argument of type t (null always is).
bool arg_type_accepts(ArgType t, const nlohmann::json& value) noexcept;

}  // namespace pgwamp::config
