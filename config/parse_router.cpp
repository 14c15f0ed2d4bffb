#include <algorithm>
#include <cctype>
#include <variant>

#include "config/names.hpp"
#include "config/parsers.hpp"
#include "config/transport_url.hpp"

namespace pgwamp::config::detail {

namespace {

constexpr std::int64_t one_hour_ms = 3'600'000;

bool is_env_name(const std::string& s) {
    return !s.empty() && !std::isdigit(static_cast<unsigned char>(s[0])) &&
           std::all_of(s.begin(), s.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

// Crossbar refuses to start a realm whose name does not match
// ^[A-Za-z][A-Za-z0-9_\-@.]{2,254}$ (Autobahn's _URI_PAT_REALM_NAME); say so here
// rather than as a failed join later. (Its Ethereum-address realms are not for us.)
bool is_realm_name(const std::string& s) {
    if (s.size() < 3 || s.size() > 255 || !std::isalpha(static_cast<unsigned char>(s[0]))) return false;
    return std::all_of(s.begin() + 1, s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '@' || c == '.';
    });
}

TransportConfig parse_transport(const Fields& f) {
    const auto url = f.get("url");
    const auto socket = f.get("socket");
    if (url && socket) socket->fail("give either \"url\" or \"socket\", not both");
    if (socket) {
        TransportConfig t;
        t.kind = TransportKind::rawsocket;
        t.socket = resolve_path(socket->source(), socket->nonempty_string());
        t.url = "unix:" + t.socket.string();
        return t;
    }
    if (!url)
        throw ConfigError(f.node().source().file, f.node().child_path_field("url"),
                          "required: the router's \"url\" (or a Unix \"socket\" path)");
    auto parsed = parse_transport_url(url->nonempty_string());
    if (auto* reason = std::get_if<std::string>(&parsed)) url->fail(*reason);
    return std::get<TransportConfig>(std::move(parsed));
}

TlsConfig parse_tls(const Node& node) {
    Fields f(node, {"ca_file", "cert_file", "key_file", "server_name", "verify_peer"});
    TlsConfig tls;
    if (auto n = f.get("ca_file")) tls.ca_file = resolve_path(n->source(), n->nonempty_string());
    const auto cert = f.get("cert_file");
    const auto key = f.get("key_file");
    if (cert && !key) cert->fail("a client certificate needs its \"key_file\"");
    if (key && !cert) key->fail("a client key needs its \"cert_file\"");
    if (cert) tls.cert_file = resolve_path(cert->source(), cert->nonempty_string());
    if (key) tls.key_file = resolve_path(key->source(), key->nonempty_string());
    if (auto n = f.get("server_name")) {
        tls.server_name = n->nonempty_string();
        if (!std::all_of(tls.server_name.begin(), tls.server_name.end(), [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == ':';
            }))
            n->fail("expected a host name or IP address, like \"router.example.org\"");
    }
    if (auto n = f.get("verify_peer")) tls.verify_peer = n->boolean();
    return tls;
}

}  // namespace

std::filesystem::path resolve_path(const Source& source, const std::string& path) {
    const std::filesystem::path p(path);
    return p.is_absolute() || source.dir.empty() ? p : source.dir / p;
}

BackoffConfig parse_backoff(const Node& node) {
    Fields f(node, {"initial_delay_ms", "max_delay_ms", "factor", "jitter", "max_attempts"});
    BackoffConfig b;
    if (auto n = f.get("initial_delay_ms")) b.initial_delay = Milliseconds(n->integer(1, one_hour_ms));
    if (auto n = f.get("max_delay_ms")) {
        b.max_delay = Milliseconds(n->integer(1, one_hour_ms));
        if (b.max_delay < b.initial_delay) n->fail("expected at least initial_delay_ms");
    } else if (b.max_delay < b.initial_delay) {
        b.max_delay = b.initial_delay;
    }
    if (auto n = f.get("factor")) b.factor = n->number(1.0, 10.0);
    if (auto n = f.get("jitter")) b.jitter = n->number(0.0, 1.0);
    if (auto n = f.get("max_attempts")) b.max_attempts = static_cast<std::size_t>(n->integer(0, 1'000'000));
    return b;
}

std::optional<SecretSource> parse_secret_source(const Fields& f, std::string_view env_key,
                                                std::string_view file_key) {
    const auto env = f.get(env_key);
    const auto file = f.get(file_key);
    if (env && file) file->fail("give either \"" + std::string(env_key) + "\" or \"" + std::string(file_key) + "\", not both");
    if (env) {
        SecretSource s;
        s.kind = SecretSource::Kind::env;
        s.env_name = env->string();
        if (!is_env_name(s.env_name))
            env->fail("expected the name of an environment variable (letters, digits, '_'), not the secret itself");
        s.key_path = env->path();
        return s;
    }
    if (file) {
        SecretSource s;
        s.kind = SecretSource::Kind::file;
        s.file = resolve_path(file->source(), file->nonempty_string());
        s.key_path = file->path();
        return s;
    }
    return std::nullopt;
}

RouterConfig parse_router(const Node& node) {
    Fields f(node, {"url", "socket", "realm", "authid", "authmethod", "secret_env", "secret_file",
                    "connect_timeout_ms", "reconnect", "caller_max_message_size", "tls"});
    RouterConfig r;
    r.transport = parse_transport(f);
    if (auto n = f.get("tls")) {
        if (!r.transport.tls) n->fail("\"tls\" applies to an rss:// or wss:// url only");
        r.tls = parse_tls(*n);
    }

    const Node realm = f.require("realm");
    r.realm = realm.nonempty_string();
    if (!is_realm_name(r.realm))
        realm.fail("expected a realm name as Crossbar accepts it: a letter, then 2 to 254 letters, digits "
                   "or _ - @ . (like \"realm1\")");

    if (auto n = f.get("authid")) r.authid = n->nonempty_string();
    if (auto n = f.get("caller_max_message_size"))
        r.caller_max_message_size = static_cast<std::size_t>(n->integer(0, std::int64_t{1} << 32));
    if (auto n = f.get("authmethod")) r.authmethod = n->choice<AuthMethod>(auth_methods);
    r.secret_source = parse_secret_source(f, "secret_env", "secret_file");
    if (r.authmethod == AuthMethod::anonymous) {
        if (r.secret_source)
            throw ConfigError(node.source().file, r.secret_source->key_path,
                              "a secret is only used with authmethod \"ticket\" or \"wampcra\", "
                              "and authmethod is \"anonymous\"");
    } else {
        const std::string method(to_string(r.authmethod));
        if (r.authid.empty())
            throw ConfigError(node.source().file, node.child_path_field("authid"),
                              "required with authmethod \"" + method + "\"");
        if (!r.secret_source)
            throw ConfigError(node.source().file, node.child_path_field("secret_env"),
                              "authmethod \"" + method + "\" needs \"secret_env\" or \"secret_file\"");
    }

    if (auto n = f.get("connect_timeout_ms")) r.connect_timeout = Milliseconds(n->integer(1, one_hour_ms));
    if (auto n = f.get("reconnect")) r.reconnect = parse_backoff(*n);
    return r;
}

}  // namespace pgwamp::config::detail
