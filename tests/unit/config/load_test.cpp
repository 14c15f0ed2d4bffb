// Loading from disk: the shipped default config, secrets from the environment
// and from files (relative to the config's directory), and file-level errors.

#include <iterator>

#include <fmt/format.h>

#include "test_support.hpp"
#include "test_paths.hpp"

namespace pgwamp::config::test {
namespace {

const std::filesystem::path default_config = std::filesystem::path(PGWAMP_SOURCE_DIR) / "config" / "pgwamp.json";

TEST(DefaultConfig, LoadsWithTicketFromEnvironment) {
    ScopedEnv ticket("PGWAMP_TICKET", sentinel);
    const Config c = load_config(default_config);

    EXPECT_EQ(c.source, default_config);
    EXPECT_EQ(c.router.transport.kind, TransportKind::rawsocket);
    EXPECT_EQ(c.router.transport.host, "127.0.0.1");
    EXPECT_EQ(c.router.transport.port, 8081);
    EXPECT_EQ(c.router.realm, "realm1");
    EXPECT_EQ(c.router.authid, "pgwamp");
    EXPECT_EQ(c.router.authmethod, AuthMethod::ticket);
    EXPECT_EQ(c.router.secret.reveal(), sentinel);
    EXPECT_FALSE(c.database.conninfo.has_value());  // PG* environment variables apply
    EXPECT_FALSE(c.database.password.has_value());

    ASSERT_EQ(c.procedures.size(), 6u);
    EXPECT_TRUE(c.procedures.at("com.example.notes.list").as_caller);
    EXPECT_EQ(c.procedures.at("com.example.notes.add").roles, std::vector<std::string>{"user"});
    EXPECT_EQ(c.identity.database_roles.at("anonymous"), "pgwamp_anon");
    ASSERT_TRUE(c.identity.authenticator.has_value());
    EXPECT_EQ(c.identity.authenticator->roles, std::vector<std::string>{"trusted"});
    EXPECT_TRUE(c.changes->tables.at("public.notes").audience.restricted());
    const auto& list = c.procedures.at("com.example.notes.list");
    EXPECT_EQ(list.mode, Mode::query);
    EXPECT_EQ(list.rows, RowFormat::maps);
    ASSERT_EQ(list.args.size(), 1u);
    EXPECT_EQ(list.args[0].name, "limit");
    EXPECT_EQ(list.args[0].type, ArgType::integer);
    EXPECT_EQ(list.args[0].default_value, nlohmann::json(20));
    EXPECT_FALSE(list.args[0].required);

    const auto& add = c.procedures.at("com.example.notes.add");
    EXPECT_EQ(add.single, Single::row);
    EXPECT_TRUE(add.args.at(0).required);

    const auto& pair = c.procedures.at("com.example.notes.add_pair");
    EXPECT_EQ(pair.mode, Mode::interaction);
    ASSERT_EQ(pair.statements.size(), 2u);
    EXPECT_EQ(pair.statements[0].params, std::vector<std::size_t>{0});
    EXPECT_EQ(pair.statements[1].params, std::vector<std::size_t>{1});

    EXPECT_EQ(c.procedures.at("com.example.notes.count").single, Single::value);
    const auto& numbers = c.procedures.at("com.example.numbers");
    EXPECT_EQ(numbers.args.at(0).min, 0.0);
    EXPECT_EQ(numbers.args.at(0).max, 10'000'000.0);

    ASSERT_TRUE(c.changes);
    EXPECT_EQ(c.changes->tables.at("public.notes").topic, "com.example.notes.on_change");

    ASSERT_EQ(c.notifications.size(), 2u);
    EXPECT_EQ(c.notifications.at("notes").topic, "com.example.notes.on_insert");
    EXPECT_EQ(c.notifications.at("notes").payload, PayloadFormat::json);
    EXPECT_EQ(c.notifications.at("demo").topic, "com.example.demo");
    EXPECT_EQ(c.service.notify_procedure, "com.example.notify");
    EXPECT_EQ(c.service.register_invoke, InvokePolicy::roundrobin);
}

TEST(DefaultConfig, MissingTicketVariableNamesTheVariable) {
    ScopedEnv ticket("PGWAMP_TICKET", nullptr);
    try {
        load_config(default_config);
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_EQ(e.key_path(), "router.secret_env");
        EXPECT_TRUE(contains(e.what(), "environment variable PGWAMP_TICKET is not set")) << e.what();
    }
}

TEST(Secrets, EmptyEnvironmentVariableIsAnError) {
    ScopedEnv ticket("PGWAMP_TICKET", "");
    try {
        load_config(default_config);
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_TRUE(contains(e.what(), "PGWAMP_TICKET is empty")) << e.what();
    }
}

nlohmann::json ticket_doc(const std::string& secret_key, const std::string& secret_value) {
    auto doc = minimal_doc();
    doc["router"]["authmethod"] = "ticket";
    doc["router"]["authid"] = "pgwamp";
    doc["router"][secret_key] = secret_value;
    return doc;
}

TEST(Secrets, RelativeSecretFileResolvesAgainstTheConfigDirectory) {
    TempDir dir;
    dir.write("secrets/ticket", std::string(sentinel) + "\n");  // trailing newline is dropped
    const auto file = dir.write("etc/pgwamp.json", ticket_doc("secret_file", "../secrets/ticket").dump());
    const Config c = load_config(file);
    EXPECT_EQ(c.router.secret_source->file, dir.path() / "etc" / "../secrets/ticket");
    EXPECT_EQ(c.router.secret.reveal(), sentinel);
}

TEST(Secrets, AbsoluteSecretFileAndCrlf) {
    TempDir dir;
    const auto secret = dir.write("ticket", std::string(sentinel) + "\r\n");
    const auto file = dir.write("conf/pgwamp.json", ticket_doc("secret_file", secret.string()).dump());
    EXPECT_EQ(load_config(file).router.secret.reveal(), sentinel);
}

TEST(Secrets, MissingSecretFileNamesThePath) {
    TempDir dir;
    const auto file = dir.write("pgwamp.json", ticket_doc("secret_file", "nope/ticket").dump());
    try {
        load_config(file);
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_EQ(e.key_path(), "router.secret_file");
        EXPECT_TRUE(contains(e.what(), (dir.path() / "nope/ticket").string())) << e.what();
        EXPECT_TRUE(contains(e.what(), "does not exist")) << e.what();
    }
}

TEST(Secrets, SecretFileThatIsADirectoryOrEmptyOrHasNul) {
    TempDir dir;
    std::filesystem::create_directories(dir.path() / "adir");
    dir.write("empty", "\n");
    dir.write("nul", std::string(sentinel) + std::string(1, '\0') + "x");
    const std::pair<const char*, const char*> cases[] = {
        {"adir", "not a regular file"}, {"empty", "is empty"}, {"nul", "NUL byte"}};
    for (const auto& [name, reason] : cases) {
        const auto file = dir.write("pgwamp.json", ticket_doc("secret_file", name).dump());
        try {
            load_config(file);
            ADD_FAILURE() << "expected a ConfigError for " << name;
        } catch (const ConfigError& e) {
            EXPECT_TRUE(contains(e.what(), reason)) << e.what();
            EXPECT_FALSE(contains(e.what(), sentinel)) << e.what();
        }
    }
}

TEST(Secrets, DatabasePasswordFromEnvGoesIntoConninfoOnly) {
    TempDir dir;
    ScopedEnv password("PGWAMP_TEST_DB_PASSWORD", "pa'ss\\word");
    auto doc = minimal_doc();
    doc["database"] = {{"conninfo", "host=127.0.0.1 dbname=app"}, {"password_env", "PGWAMP_TEST_DB_PASSWORD"}};
    const Config c = load_config(dir.write("pgwamp.json", doc.dump()));
    ASSERT_TRUE(c.database.password.has_value());
    EXPECT_EQ(c.database.password->reveal(), "pa'ss\\word");
    EXPECT_EQ(c.database.conninfo, "host=127.0.0.1 dbname=app");  // the stored conninfo stays clean
    EXPECT_EQ(c.database.effective_conninfo().reveal(), "host=127.0.0.1 dbname=app password='pa\\'ss\\\\word'");
}

TEST(Secrets, DatabasePasswordFromFileWithUriConninfo) {
    TempDir dir;
    dir.write("pw", "a b&c\n");
    auto doc = minimal_doc();
    doc["database"] = {{"conninfo", "postgresql://app@db.local/app?sslmode=disable"}, {"password_file", "pw"}};
    const Config c = load_config(dir.write("pgwamp.json", doc.dump()));
    EXPECT_EQ(c.database.effective_conninfo().reveal(),
              "postgresql://app@db.local/app?sslmode=disable&password=a%20b%26c");
}

TEST(Secrets, PasswordWithoutConninfoIsAKeywordPair) {
    TempDir dir;
    ScopedEnv password("PGWAMP_TEST_DB_PASSWORD", "pw");
    auto doc = minimal_doc();
    doc["database"] = {{"password_env", "PGWAMP_TEST_DB_PASSWORD"}};
    EXPECT_EQ(load_config(dir.write("pgwamp.json", doc.dump())).database.effective_conninfo().reveal(),
              "password='pw'");
}

TEST(Secrets, SecretNeverPrints) {
    const Secret s(sentinel);
    std::ostringstream out;
    out << s;
    EXPECT_EQ(out.str(), "<redacted>");
    EXPECT_EQ(fmt::format("ticket={}", s), "ticket=<redacted>");
    EXPECT_EQ(fmt::format("{:>12}", s), "  <redacted>");
    EXPECT_EQ(s.reveal(), sentinel);
}

TEST(LoadFile, MissingFile) {
    TempDir dir;
    try {
        load_config(dir.path() / "absent.json");
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_EQ(e.file(), (dir.path() / "absent.json").string());
        EXPECT_TRUE(contains(e.what(), "does not exist")) << e.what();
    }
}

TEST(LoadFile, DirectoryAndDeviceAreRefusedWithoutReading) {
    TempDir dir;
    for (const std::filesystem::path& p : {dir.path(), std::filesystem::path("/dev/zero")}) {
        try {
            load_config(p);
            ADD_FAILURE() << "expected a ConfigError for " << p;
        } catch (const ConfigError& e) {
            EXPECT_TRUE(contains(e.what(), "not a regular file")) << e.what();
        }
    }
}

TEST(LoadFile, SyntaxErrorGivesLineAndColumnButNoContent) {
    TempDir dir;
    const auto file = dir.write("pgwamp.json", std::string("{\n  \"router\": ") + sentinel + "\n}");
    try {
        load_config(file);
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_TRUE(contains(e.what(), "line 2")) << e.what();
        EXPECT_FALSE(contains(e.what(), sentinel)) << e.what();
        EXPECT_FALSE(contains(e.what(), "S3cr")) << e.what();
    }
}

TEST(LoadFile, EmptyFile) {
    TempDir dir;
    const auto e = [&] {
        try {
            load_config(dir.write("pgwamp.json", ""));
        } catch (const ConfigError& err) {
            return std::string(err.what());
        }
        return std::string();
    }();
    EXPECT_TRUE(contains(e, "parse error")) << e;
}

TEST(LoadFile, CommentsAreAllowed) {
    const auto c = parse_config_text(R"({
        // the router
        "router": {"url": "ws://localhost:8080/ws", /* inline */ "realm": "realm1"}
    })", "x.json");
    EXPECT_EQ(c.router.transport.kind, TransportKind::websocket);
    EXPECT_EQ(c.router.transport.path, "/ws");
}

}  // namespace
}  // namespace pgwamp::config::test

namespace pgwamp::config::test {
namespace {

// Every shipped example parses, so none rots as the schema moves.
TEST(Examples, AllParse) {
    std::size_t seen = 0;
    for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(PGWAMP_SOURCE_DIR) / "config" / "examples")) {
        if (entry.path().extension() != ".json") continue;
        ++seen;
        std::ifstream in(entry.path());
        const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        try {
            const Config c = parse_config_text(text, entry.path());
            EXPECT_FALSE(c.procedures.empty()) << entry.path();
        } catch (const ConfigError& e) {
            ADD_FAILURE() << e.what();
        }
    }
    EXPECT_GE(seen, 2u);
}

TEST(Examples, UnixSocketResolvesAgainstTheExampleDirectory) {
    const auto file = std::filesystem::path(PGWAMP_SOURCE_DIR) / "config" / "examples" / "unix-socket.json";
    std::ifstream in(file);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const Config c = parse_config_text(text, file);
    EXPECT_TRUE(c.router.transport.is_unix());
    EXPECT_EQ(c.router.transport.socket.lexically_normal(),
              (std::filesystem::path(PGWAMP_SOURCE_DIR) / "crossbar/.crossbar/pgwamp-router.sock").lexically_normal());
}

}  // namespace
}  // namespace pgwamp::config::test
