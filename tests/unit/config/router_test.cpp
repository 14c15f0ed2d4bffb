// router: transport URL, realm, authentication and its secret source, backoff.

#include "config/transport_url.hpp"
#include "test_support.hpp"

namespace pgwamp::config::test {
namespace {

TransportConfig transport(const std::string& url) {
    auto parsed = parse_transport_url(url);
    if (auto* reason = std::get_if<std::string>(&parsed)) {
        ADD_FAILURE() << url << ": " << *reason;
        return {};
    }
    return std::get<TransportConfig>(parsed);
}

std::string problem(const std::string& url) {
    auto parsed = parse_transport_url(url);
    if (auto* reason = std::get_if<std::string>(&parsed)) return *reason;
    ADD_FAILURE() << url << " was accepted";
    return {};
}

TEST(TransportUrl, RawSocketForms) {
    auto t = transport("rs://127.0.0.1:8081");
    EXPECT_EQ(t.kind, TransportKind::rawsocket);
    EXPECT_EQ(t.host, "127.0.0.1");
    EXPECT_EQ(t.port, 8081);
    EXPECT_FALSE(t.is_unix());
    t = transport("tcp://router.local:9000/");
    EXPECT_EQ(t.host, "router.local");
    EXPECT_EQ(t.port, 9000);
    t = transport("rs://[::1]:8081");
    EXPECT_EQ(t.host, "::1");
    EXPECT_EQ(t.port, 8081);
}

TEST(TransportUrl, WebSocketForms) {
    auto t = transport("ws://127.0.0.1:8080/ws");
    EXPECT_EQ(t.kind, TransportKind::websocket);
    EXPECT_EQ(t.port, 8080);
    EXPECT_EQ(t.path, "/ws");
    t = transport("ws://localhost");
    EXPECT_EQ(t.port, 80);
    EXPECT_EQ(t.path, "/");
}

TEST(TransportUrl, TlsForms) {
    auto t = transport("rss://router.example.org:8082");
    EXPECT_EQ(t.kind, TransportKind::rawsocket);
    EXPECT_TRUE(t.tls);
    EXPECT_EQ(t.port, 8082);
    EXPECT_TRUE(contains(problem("rss://h"), "needs a port"));
    t = transport("wss://router.example.org/ws");
    EXPECT_EQ(t.kind, TransportKind::websocket);
    EXPECT_TRUE(t.tls);
    EXPECT_EQ(t.port, 443);
    EXPECT_EQ(t.path, "/ws");
    EXPECT_FALSE(transport("rs://h:1").tls);
    EXPECT_FALSE(transport("ws://h/ws").tls);
}

TEST(TransportUrl, Rejections) {
    EXPECT_TRUE(contains(problem("127.0.0.1:8081"), "expected a URL like"));
    EXPECT_TRUE(contains(problem("http://h:1"), "unsupported scheme"));
    EXPECT_TRUE(contains(problem("rs://h"), "needs a port"));
    EXPECT_TRUE(contains(problem("rs://h:0"), "1 to 65535"));
    EXPECT_TRUE(contains(problem("rs://h:70000"), "1 to 65535"));
    EXPECT_TRUE(contains(problem("rs://h:80x"), "1 to 65535"));
    EXPECT_TRUE(contains(problem("rs://:80"), "no host"));
    EXPECT_TRUE(contains(problem("rs://h:1/path"), "no path"));
    EXPECT_TRUE(contains(problem("rs://[::1:80"), "unterminated"));
    EXPECT_TRUE(contains(problem("ws://h o:1/"), "invalid host"));
}

TEST(Router, UrlWithCredentialsIsRefusedWithoutEchoingThem) {
    auto doc = minimal_doc();
    doc["router"]["url"] = std::string("ws://user:") + sentinel + "@h:8080/ws";
    expect_error(doc, "router.url", "credentials do not belong in the URL");
}

TEST(Router, UrlOrSocketRequiredButNotBoth) {
    auto doc = minimal_doc();
    doc["router"].erase("url");
    expect_error(doc, "router.url", "required");
    doc["router"]["url"] = "rs://h:1";
    doc["router"]["socket"] = "/run/crossbar.sock";
    expect_error(doc, "router.socket", "either \"url\" or \"socket\", not both");
}

TEST(Router, RelativeUnixSocketResolvesAgainstConfigDirectory) {
    auto doc = minimal_doc();
    doc["router"].erase("url");
    doc["router"]["socket"] = "run/router.sock";
    const Config c = parse_config_text(doc.dump(), "/etc/pgwamp/pgwamp.json");
    EXPECT_TRUE(c.router.transport.is_unix());
    EXPECT_EQ(c.router.transport.kind, TransportKind::rawsocket);
    EXPECT_EQ(c.router.transport.socket, std::filesystem::path("/etc/pgwamp/run/router.sock"));
}

TEST(Router, TlsDefaultsVerifyAgainstTheSystemStore) {
    auto doc = minimal_doc();
    doc["router"]["url"] = "rss://router.example.org:8082";
    const Config c = parse(doc);
    EXPECT_TRUE(c.router.transport.tls);
    EXPECT_TRUE(c.router.tls.verify_peer);
    EXPECT_TRUE(c.router.tls.ca_file.empty());
    EXPECT_TRUE(c.router.tls.server_name.empty());
}

TEST(Router, TlsPathsResolveAgainstConfigDirectory) {
    auto doc = minimal_doc();
    doc["router"]["url"] = "wss://router.example.org/ws";
    doc["router"]["tls"] = {{"ca_file", "tls/ca.crt"},
                            {"cert_file", "tls/client.crt"},
                            {"key_file", "/secure/client.key"},
                            {"server_name", "crossbar.internal"}};
    const Config c = parse_config_text(doc.dump(), "/etc/pgwamp/pgwamp.json");
    EXPECT_EQ(c.router.tls.ca_file, std::filesystem::path("/etc/pgwamp/tls/ca.crt"));
    EXPECT_EQ(c.router.tls.cert_file, std::filesystem::path("/etc/pgwamp/tls/client.crt"));
    EXPECT_EQ(c.router.tls.key_file, std::filesystem::path("/secure/client.key"));
    EXPECT_EQ(c.router.tls.server_name, "crossbar.internal");
    EXPECT_TRUE(c.router.tls.verify_peer);
}

TEST(Router, TlsRules) {
    auto doc = minimal_doc();
    doc["router"]["tls"] = {{"ca_file", "ca.crt"}};
    expect_error(doc, "router.tls", "applies to an rss:// or wss:// url only");
    doc["router"]["url"] = "rss://h:8082";
    doc["router"]["tls"] = {{"cert_file", "client.crt"}};
    expect_error(doc, "router.tls.cert_file", "needs its \"key_file\"");
    doc["router"]["tls"] = {{"key_file", "client.key"}};
    expect_error(doc, "router.tls.key_file", "needs its \"cert_file\"");
    doc["router"]["tls"] = {{"server_name", "not a name"}};
    expect_error(doc, "router.tls.server_name", "a host name or IP address");
    doc["router"]["tls"] = {{"ca_fle", "ca.crt"}};
    expect_error(doc, "router.tls.ca_fle", "unknown key");
    doc["router"]["tls"] = {{"verify_peer", false}};
    EXPECT_FALSE(parse(doc).router.tls.verify_peer);
}

TEST(Router, RealmRules) {
    auto doc = minimal_doc();
    doc["router"]["realm"] = "";
    expect_error(doc, "router.realm", "non-empty");
    for (const char* bad : {"realm 1", "1realm", "ab", "réalm", "realm#1", "realm/1"}) {
        doc["router"]["realm"] = bad;
        expect_error(doc, "router.realm", "a realm name as Crossbar accepts it");
    }
    for (const char* good : {"realm1", "com.example.app", "a-b_c@d.e"}) {
        doc["router"]["realm"] = good;
        EXPECT_EQ(parse(doc).router.realm, good);
    }
    doc["router"].erase("realm");
    expect_error(doc, "router.realm", "required key is missing");
}

TEST(Router, AuthMethodMustBeKnown) {
    auto doc = minimal_doc();
    doc["router"]["authmethod"] = "tiket";
    expect_error(doc, "router.authmethod",
                 "expected one of \"anonymous\", \"ticket\", \"wampcra\", found \"tiket\" (did you mean \"ticket\"?)");
}

TEST(Router, TicketNeedsAuthidAndSecret) {
    auto doc = minimal_doc();
    doc["router"]["authmethod"] = "ticket";
    expect_error(doc, "router.authid", "required with authmethod \"ticket\"");
    doc["router"]["authid"] = "pgwamp";
    expect_error(doc, "router.secret_env", "needs \"secret_env\" or \"secret_file\"");
    doc["router"]["secret_env"] = "PGWAMP_TICKET";
    const Config c = parse(doc);
    ASSERT_TRUE(c.router.secret_source);
    EXPECT_EQ(c.router.secret_source->kind, SecretSource::Kind::env);
    EXPECT_EQ(c.router.secret_source->env_name, "PGWAMP_TICKET");
    EXPECT_TRUE(c.router.secret.empty());  // parse_config reads no secrets
}

TEST(Router, WampCraWithSecretFile) {
    auto doc = minimal_doc();
    doc["router"]["authmethod"] = "wampcra";
    doc["router"]["authid"] = "pgwamp";
    doc["router"]["secret_file"] = "secret.txt";
    const Config c = parse_config_text(doc.dump(), "conf/pgwamp.json");
    EXPECT_EQ(c.router.authmethod, AuthMethod::wampcra);
    EXPECT_EQ(c.router.secret_source->file, std::filesystem::path("conf/secret.txt"));
}

TEST(Router, SecretWithAnonymousIsAnError) {
    auto doc = minimal_doc();
    doc["router"]["secret_env"] = "PGWAMP_TICKET";
    expect_error(doc, "router.secret_env", "only used with authmethod \"ticket\" or \"wampcra\"");
}

TEST(Router, BothSecretSourcesIsAnError) {
    auto doc = minimal_doc();
    doc["router"]["authmethod"] = "ticket";
    doc["router"]["authid"] = "x";
    doc["router"]["secret_env"] = "PGWAMP_TICKET";
    doc["router"]["secret_file"] = "t";
    expect_error(doc, "router.secret_file", "either \"secret_env\" or \"secret_file\", not both");
}

TEST(Router, SecretEnvLooksLikeASecretValue) {
    // Someone pasted the ticket itself where the variable name belongs: refuse
    // and do not repeat it.
    auto doc = minimal_doc();
    doc["router"]["authmethod"] = "ticket";
    doc["router"]["authid"] = "x";
    doc["router"]["secret_env"] = sentinel;
    expect_error(doc, "router.secret_env", "name of an environment variable");
}

TEST(Router, Backoff) {
    auto doc = minimal_doc();
    doc["router"]["reconnect"] = {{"initial_delay_ms", 100}, {"max_delay_ms", 2000}, {"factor", 1.5},
                                  {"jitter", 0.2}, {"max_attempts", 7}};
    const auto b = parse(doc).router.reconnect;
    EXPECT_EQ(b.initial_delay, Milliseconds(100));
    EXPECT_EQ(b.max_delay, Milliseconds(2000));
    EXPECT_DOUBLE_EQ(b.factor, 1.5);
    EXPECT_DOUBLE_EQ(b.jitter, 0.2);
    EXPECT_EQ(b.max_attempts, 7u);

    doc["router"]["reconnect"] = {{"initial_delay_ms", 5000}, {"max_delay_ms", 1000}};
    expect_error(doc, "router.reconnect.max_delay_ms", "at least initial_delay_ms");
    doc["router"]["reconnect"] = {{"jitter", 1.5}};
    expect_error(doc, "router.reconnect.jitter", "a number from 0.0 to 1.0");
    doc["router"]["reconnect"] = {{"factor", 0.5}};
    expect_error(doc, "router.reconnect.factor", "a number from 1.0 to 10.0");
}

}  // namespace
}  // namespace pgwamp::config::test
