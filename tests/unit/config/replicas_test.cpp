// database.replicas and database.replica_routing (standbys that serve reads),
// and a procedure's "read_only": parsing, defaults, every refusal, the
// password a standby inherits, and what describe_config shows.

#include <fstream>

#include "config/describe.hpp"
#include "test_paths.hpp"
#include "test_support.hpp"

namespace pgwamp::config::test {
namespace {

nlohmann::json with_replicas(nlohmann::json replicas) {
    return with_database({{"replicas", std::move(replicas)}});
}

nlohmann::json standby(const std::string& host) { return {{"conninfo", "host=" + host + " dbname=app"}}; }

// ------------------------------------------------------------ replicas

TEST(Replicas, NoneByDefault) {
    const auto c = parse(minimal_doc());
    EXPECT_TRUE(c.database.replicas.empty());
    EXPECT_EQ(c.database.replica_routing.max_wait, Milliseconds(500));
    EXPECT_EQ(c.database.replica_routing.max_lag, Milliseconds(1000));
    EXPECT_EQ(c.database.replica_routing.poll_interval, Milliseconds(100));
}

TEST(Replicas, AllKeys) {
    const auto c = parse(with_replicas({{{"name", "east-1_b"},
                                         {"conninfo", "host=s1,s2 dbname=app target_session_attrs=standby"},
                                         {"password_env", "STANDBY_PASSWORD"},
                                         {"pool", {{"min", 0}, {"max", 3}, {"queue", 20}, {"idle_timeout_ms", 0}}}}}));
    ASSERT_EQ(c.database.replicas.size(), 1u);
    const ReplicaConfig& r = c.database.replicas[0];
    EXPECT_EQ(r.name, "east-1_b");
    EXPECT_EQ(r.conninfo, "host=s1,s2 dbname=app target_session_attrs=standby");
    ASSERT_TRUE(r.password_source);
    EXPECT_EQ(r.password_source->kind, SecretSource::Kind::env);
    EXPECT_EQ(r.password_source->env_name, "STANDBY_PASSWORD");
    EXPECT_EQ(r.password_source->key_path, "database.replicas[0].password_env");
    EXPECT_FALSE(r.password);  // read by resolve_secrets/load_config only
    EXPECT_EQ(r.pool.min, 0u);
    EXPECT_EQ(r.pool.max, 3u);
    EXPECT_EQ(r.pool.queue, 20u);
    EXPECT_EQ(r.pool.idle_timeout, Milliseconds(0));
}

TEST(Replicas, DefaultsNamesByPositionAndPool) {
    const auto c = parse(with_replicas({standby("s1"), {{"name", "b"}, {"conninfo", "host=s2"}}, standby("s3")}));
    ASSERT_EQ(c.database.replicas.size(), 3u);
    EXPECT_EQ(c.database.replicas[0].name, "replica1");
    EXPECT_EQ(c.database.replicas[1].name, "b");
    EXPECT_EQ(c.database.replicas[2].name, "replica3");  // by position, named ones counted
    const PoolConfig defaults;
    EXPECT_EQ(c.database.replicas[0].pool.min, defaults.min);
    EXPECT_EQ(c.database.replicas[0].pool.max, defaults.max);
    EXPECT_EQ(c.database.replicas[0].pool.queue, defaults.queue);
    EXPECT_EQ(c.database.replicas[0].pool.idle_timeout, defaults.idle_timeout);
    EXPECT_FALSE(c.database.replicas[0].password_source);
    // The routing defaults apply when replicas are given without it.
    EXPECT_EQ(c.database.replica_routing.max_wait, Milliseconds(500));
    EXPECT_EQ(c.database.replica_routing.max_lag, Milliseconds(1000));
    EXPECT_EQ(c.database.replica_routing.poll_interval, Milliseconds(100));
}

TEST(Replicas, SixteenAtMost) {
    nlohmann::json sixteen = nlohmann::json::array();
    for (int i = 0; i < 16; ++i) sixteen.push_back(standby("s" + std::to_string(i)));
    EXPECT_EQ(parse(with_replicas(sixteen)).database.replicas.size(), 16u);
    EXPECT_EQ(parse(with_replicas(sixteen)).database.replicas[15].name, "replica16");
    sixteen.push_back(standby("s16"));
    expect_error(with_replicas(sixteen), "database.replicas", "at most 16 standbys, found 17");
}

TEST(Replicas, ShapeErrors) {
    expect_error(with_replicas(nlohmann::json::array()), "database.replicas", "at least one standby");
    expect_error(with_replicas(standby("s1")), "database.replicas", "expected an array, found an object");
    expect_error(with_replicas({"host=s1"}), "database.replicas[0]", "expected an object, found a string");
    expect_error(with_replicas({{{"name", "a"}}}), "database.replicas[0].conninfo", "required key is missing");
    expect_error(with_replicas({{{"conninfo", " "}}}), "database.replicas[0].conninfo", "non-empty string");
    expect_error(with_replicas({{{"conninfo", 5}}}), "database.replicas[0].conninfo", "expected a string");
}

TEST(Replicas, UnknownKey) {
    expect_error(with_replicas({{{"conninfo", "host=s1"}, {"passwd_env", "X"}}}), "database.replicas[0].passwd_env",
                 "unknown key (did you mean \"password_env\"?)");
    expect_error(with_replicas({{{"conninfo", "host=s1"}, {"weight", 2}}}), "database.replicas[0].weight",
                 "unknown key; known keys: name, conninfo, password_env, password_file, pool");
    expect_error(with_replicas({{{"conninfo", "host=s1"}, {"pool", {{"maximum", 2}}}}}),
                 "database.replicas[0].pool.maximum", "unknown key");
}

TEST(Replicas, PasswordInConninfoIsRefusedAndNotEchoed) {
    expect_error(with_replicas({standby("s1"), {{"conninfo", std::string("host=s2 password=") + sentinel}}}),
                 "database.replicas[1].conninfo", "may not contain a password; use password_env or password_file");
    expect_error(with_replicas({{{"conninfo", std::string("postgresql://app:") + sentinel + "@s1/app"}}}),
                 "database.replicas[0].conninfo", "user:password@");
    expect_error(with_replicas({{{"conninfo", std::string("postgresql://s1/app?password=") + sentinel}}}),
                 "database.replicas[0].conninfo", "password parameter");
    expect_error(with_replicas({{{"conninfo", "host='s1"}}}), "database.replicas[0].conninfo",
                 "unterminated quoted value");
}

TEST(Replicas, PasswordSources) {
    expect_error(with_replicas({{{"conninfo", "host=s1"}, {"password_env", "A"}, {"password_file", "b"}}}),
                 "database.replicas[0].password_file", "not both");
    expect_error(with_replicas({{{"conninfo", "host=s1"}, {"password_env", sentinel}}}),
                 "database.replicas[0].password_env", "the name of an environment variable");
    const auto c = parse_config_text(with_replicas({{{"conninfo", "host=s1"}, {"password_file", "secrets/s1"}}}).dump(),
                                     "/etc/pgwamp/pgwamp.json");
    ASSERT_TRUE(c.database.replicas[0].password_source);
    EXPECT_EQ(c.database.replicas[0].password_source->file, "/etc/pgwamp/secrets/s1");
}

TEST(Replicas, Names) {
    for (const char* bad : {"", "Replica", "a.b", "a b", "é"})
        expect_error(with_replicas({{{"name", bad}, {"conninfo", "host=s1"}}}), "database.replicas[0].name",
                     "1 to 63 lower-case letters, digits, '_' or '-'");
    expect_error(with_replicas({{{"name", std::string(64, 'a')}, {"conninfo", "host=s1"}}}),
                 "database.replicas[0].name", "1 to 63");
    expect_error(with_replicas({{{"name", 1}, {"conninfo", "host=s1"}}}), "database.replicas[0].name",
                 "expected a string");
    EXPECT_EQ(parse(with_replicas({{{"name", std::string(63, 'a')}, {"conninfo", "host=s1"}}}))
                  .database.replicas[0].name.size(),
              63u);
}

TEST(Replicas, DuplicateNames) {
    expect_error(with_replicas({{{"name", "a"}, {"conninfo", "host=s1"}}, {{"name", "a"}, {"conninfo", "host=s2"}}}),
                 "database.replicas[1].name", "duplicate standby name \"a\": database.replicas[0] has it too");
    // A name given that is another's default...
    expect_error(with_replicas({standby("s1"), {{"name", "replica1"}, {"conninfo", "host=s2"}}}),
                 "database.replicas[1].name", "database.replicas[0] (its default name, by position) has it too");
    // ... and a default that another took.
    expect_error(with_replicas({{{"name", "replica2"}, {"conninfo", "host=s1"}}, standby("s2")}),
                 "database.replicas[1]", "its default name \"replica2\" is taken by database.replicas[0]");
}

// ------------------------------------------------------ replica_routing

TEST(ReplicaRouting, AllKeys) {
    const auto c = parse(with_database(
        {{"replicas", nlohmann::json::array({standby("s1")})},
         {"replica_routing", {{"max_wait_ms", 0}, {"max_lag_ms", 3'600'000}, {"poll_interval_ms", 10}}}}));
    EXPECT_EQ(c.database.replica_routing.max_wait, Milliseconds(0));  // never waits
    EXPECT_EQ(c.database.replica_routing.max_lag, Milliseconds(3'600'000));
    EXPECT_EQ(c.database.replica_routing.poll_interval, Milliseconds(10));
    const auto d = parse(with_database(
        {{"replicas", nlohmann::json::array({standby("s1")})},
         {"replica_routing", {{"max_wait_ms", 60'000}, {"max_lag_ms", 1}, {"poll_interval_ms", 10'000}}}}));
    EXPECT_EQ(d.database.replica_routing.max_wait, Milliseconds(60'000));
    EXPECT_EQ(d.database.replica_routing.max_lag, Milliseconds(1));
    EXPECT_EQ(d.database.replica_routing.poll_interval, Milliseconds(10'000));
}

TEST(ReplicaRouting, PartialKeepsTheOtherDefaults) {
    const auto c = parse(with_database({{"replicas", nlohmann::json::array({standby("s1")})}, {"replica_routing", {{"max_lag_ms", 5000}}}}));
    EXPECT_EQ(c.database.replica_routing.max_wait, Milliseconds(500));
    EXPECT_EQ(c.database.replica_routing.max_lag, Milliseconds(5000));
    EXPECT_EQ(c.database.replica_routing.poll_interval, Milliseconds(100));
    EXPECT_NO_THROW(parse(with_database({{"replicas", nlohmann::json::array({standby("s1")})}, {"replica_routing", nlohmann::json::object()}})));
}

TEST(ReplicaRouting, RefusedWithoutReplicas) {
    expect_error(with_database({{"replica_routing", {{"max_wait_ms", 100}}}}), "database.replica_routing",
                 "only used with \"replicas\"");
    expect_error(with_database({{"conninfo", "host=p"}, {"replica_routing", nlohmann::json::object()}}),
                 "database.replica_routing", "list the standbys under database.replicas, or leave it out");
}

TEST(ReplicaRouting, Bounds) {
    auto routing = [](nlohmann::json r) {
        return with_database({{"replicas", nlohmann::json::array({standby("s1")})}, {"replica_routing", std::move(r)}});
    };
    expect_error(routing({{"max_wait_ms", 60'001}}), "database.replica_routing.max_wait_ms",
                 "an integer from 0 to 60000");
    expect_error(routing({{"max_wait_ms", -1}}), "database.replica_routing.max_wait_ms", "an integer from 0 to 60000");
    expect_error(routing({{"max_lag_ms", 0}}), "database.replica_routing.max_lag_ms", "an integer from 1 to 3600000");
    expect_error(routing({{"max_lag_ms", 3'600'001}}), "database.replica_routing.max_lag_ms",
                 "an integer from 1 to 3600000");
    expect_error(routing({{"poll_interval_ms", 9}}), "database.replica_routing.poll_interval_ms",
                 "an integer from 10 to 10000");
    expect_error(routing({{"poll_interval_ms", 10'001}}), "database.replica_routing.poll_interval_ms",
                 "an integer from 10 to 10000");
    expect_error(routing({{"max_wait_ms", 1.5}}), "database.replica_routing.max_wait_ms", "found the number 1.5");
    expect_error(routing({{"max_lag_m", 100}}), "database.replica_routing.max_lag_m",
                 "unknown key (did you mean \"max_lag_ms\"?)");
    expect_error(routing({{"lag", 100}}), "database.replica_routing.lag",
                 "unknown key; known keys: max_wait_ms, max_lag_ms, poll_interval_ms");
    expect_error(routing(nlohmann::json::array()), "database.replica_routing", "expected an object");
}

// ------------------------------------------------------------ secrets

TEST(ReplicaSecrets, InheritsThePrimarysPassword) {
    TempDir dir;
    ScopedEnv password("PGWAMP_TEST_DB_PASSWORD", sentinel);
    auto doc = with_database({{"conninfo", "host=p dbname=app"},
                              {"password_env", "PGWAMP_TEST_DB_PASSWORD"},
                              {"replicas", {standby("s1"), {{"conninfo", "postgresql://app@s2/app"}}}}});
    const Config c = load_config(dir.write("pgwamp.json", doc.dump()));
    ASSERT_EQ(c.database.replicas.size(), 2u);
    for (const auto& r : c.database.replicas) {
        ASSERT_TRUE(r.password) << r.name;
        EXPECT_EQ(r.password->reveal(), sentinel);
    }
    EXPECT_EQ(c.database.replicas[0].conninfo, "host=s1 dbname=app");  // the stored conninfo stays clean
    EXPECT_EQ(c.database.replicas[0].effective_conninfo().reveal(),
              std::string("host=s1 dbname=app password='") + sentinel + "'");
    EXPECT_EQ(c.database.replicas[1].effective_conninfo().reveal(),
              std::string("postgresql://app@s2/app?password=") + sentinel);
}

TEST(ReplicaSecrets, OwnSourceWins) {
    TempDir dir;
    dir.write("s2_password", "file-pw\n");
    ScopedEnv primary("PGWAMP_TEST_DB_PASSWORD", "primary-pw");
    ScopedEnv own("PGWAMP_TEST_STANDBY_PASSWORD", "standby-pw");
    auto doc = with_database({{"password_env", "PGWAMP_TEST_DB_PASSWORD"},
                              {"replicas",
                               {{{"conninfo", "host=s1"}, {"password_env", "PGWAMP_TEST_STANDBY_PASSWORD"}},
                                {{"conninfo", "host=s2"}, {"password_file", "s2_password"}},
                                standby("s3")}}});
    const Config c = load_config(dir.write("pgwamp.json", doc.dump()));
    EXPECT_EQ(c.database.password->reveal(), "primary-pw");
    EXPECT_EQ(c.database.replicas[0].password->reveal(), "standby-pw");
    EXPECT_EQ(c.database.replicas[1].password->reveal(), "file-pw");
    EXPECT_EQ(c.database.replicas[2].password->reveal(), "primary-pw");
    EXPECT_EQ(c.database.replicas[1].effective_conninfo().reveal(), "host=s2 password='file-pw'");
}

TEST(ReplicaSecrets, NoPasswordAnywhereLeavesConninfoAsIs) {
    TempDir dir;
    const Config c = load_config(dir.write("pgwamp.json", with_replicas(nlohmann::json::array({standby("s1")})).dump()));
    EXPECT_FALSE(c.database.replicas[0].password);
    EXPECT_EQ(c.database.replicas[0].effective_conninfo().reveal(), "host=s1 dbname=app");
}

TEST(ReplicaSecrets, StandbyWithPasswordWhenThePrimaryHasNone) {
    TempDir dir;
    ScopedEnv own("PGWAMP_TEST_STANDBY_PASSWORD", "standby-pw");
    auto doc = with_replicas({{{"conninfo", "host=s1"}, {"password_env", "PGWAMP_TEST_STANDBY_PASSWORD"}}});
    const Config c = load_config(dir.write("pgwamp.json", doc.dump()));
    EXPECT_FALSE(c.database.password);
    EXPECT_EQ(c.database.replicas[0].effective_conninfo().reveal(), "host=s1 password='standby-pw'");
}

TEST(ReplicaSecrets, MissingVariableNamesTheReplicaKeyNotAValue) {
    TempDir dir;
    ScopedEnv unset("PGWAMP_TEST_STANDBY_PASSWORD", nullptr);
    auto doc = with_replicas({standby("s1"), {{"conninfo", "host=s2"}, {"password_env", "PGWAMP_TEST_STANDBY_PASSWORD"}}});
    try {
        load_config(dir.write("pgwamp.json", doc.dump()));
        ADD_FAILURE() << "expected a ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_EQ(e.key_path(), "database.replicas[1].password_env") << e.what();
        EXPECT_TRUE(contains(e.what(), "PGWAMP_TEST_STANDBY_PASSWORD")) << e.what();
    }
}

// ----------------------------------------------------------- read_only

const std::string uri = "com.example.p";

nlohmann::json with_procedure(nlohmann::json procedure) {
    auto doc = minimal_doc();
    doc["procedures"] = {{uri, std::move(procedure)}};
    return doc;
}

TEST(ReadOnly, DefaultFalse) {
    EXPECT_FALSE(parse(with_procedure({{"sql", "SELECT 1"}})).procedures.at(uri).read_only);
    EXPECT_FALSE(parse(with_procedure({{"sql", "SELECT 1"}, {"read_only", false}})).procedures.at(uri).read_only);
}

TEST(ReadOnly, EveryMode) {
    EXPECT_TRUE(parse(with_procedure({{"sql", "SELECT 1"}, {"read_only", true}})).procedures.at(uri).read_only);
    EXPECT_TRUE(parse(with_procedure({{"mode", "operation"}, {"sql", "SELECT pg_sleep(0)"}, {"read_only", true}}))
                    .procedures.at(uri)
                    .read_only);
    EXPECT_TRUE(parse(with_procedure({{"mode", "interaction"},
                                      {"sql", {"SELECT 1", "SELECT 2"}},
                                      {"read_only", true},
                                      {"pool", "main"}}))
                    .procedures.at(uri)
                    .read_only);
}

TEST(ReadOnly, NotABoolean) {
    expect_error(with_procedure({{"sql", "SELECT 1"}, {"read_only", "yes"}}), "procedures[\"com.example.p\"].read_only",
                 "expected true or false, found a string");
    expect_error(with_procedure({{"sql", "SELECT 1"}, {"readonly", true}}), "procedures[\"com.example.p\"].readonly",
                 "unknown key (did you mean \"read_only\"?)");
}

TEST(ReadOnly, RefusedOnTheLoginPool) {
    expect_error(with_procedure({{"sql", "SELECT app_signup($1, $2)"}, {"args", {"n", "p"}}, {"pool", "login"},
                                 {"read_only", true}}),
                 "procedures[\"com.example.p\"].read_only", "a procedure on the login pool");
    // false is fine there (it is the default).
    EXPECT_TRUE(parse(with_procedure({{"sql", "SELECT 1"}, {"pool", "login"}, {"read_only", false}}))
                    .procedures.at(uri)
                    .login_pool);
}

// The demo marks the procedures whose SQL only reads, and no other.
TEST(ReadOnly, DemoConfigMarksOnlyReads) {
    std::ifstream in(std::filesystem::path(PGWAMP_SOURCE_DIR) / "config" / "pgwamp.json");
    const Config c = parse_config_text(std::string(std::istreambuf_iterator<char>(in), {}), "pgwamp.json");
    for (const char* p : {"com.example.notes.list", "com.example.notes.count", "com.example.numbers"})
        EXPECT_TRUE(c.procedures.at(p).read_only) << p;
    for (const char* p : {"com.example.notes.add", "com.example.notes.add_pair", "com.example.signup"})
        EXPECT_FALSE(c.procedures.at(p).read_only) << p;
    EXPECT_TRUE(c.database.replicas.empty());  // scripts/run adds standbys when asked
}

// ------------------------------------------------------------ describe

TEST(ReplicaDescribe, ShowsReplicasRoutingAndReadOnlyButNoPassword) {
    TempDir dir;
    dir.write("s2_password", sentinel);
    ScopedEnv primary("PGWAMP_TEST_DB_PASSWORD", sentinel);
    auto doc = with_database({{"conninfo", "host=p dbname=app"},
                              {"password_env", "PGWAMP_TEST_DB_PASSWORD"},
                              {"replicas",
                               {standby("s1"),
                                {{"name", "east"}, {"conninfo", "host=s2"}, {"password_file", "s2_password"},
                                 {"pool", {{"max", 2}}}}}},
                              {"replica_routing", {{"max_wait_ms", 250}}}});
    doc["procedures"]["com.example.notes.list"]["read_only"] = true;
    const Config c = load_config(dir.write("pgwamp.json", doc.dump()));
    ASSERT_EQ(c.database.replicas[1].password->reveal(), sentinel);

    const nlohmann::json described = describe_config(c);
    const std::string text = described.dump();
    EXPECT_FALSE(contains(text, sentinel)) << text;
    const auto& db = described["database"];
    ASSERT_EQ(db["replicas"].size(), 2u) << text;
    EXPECT_EQ(db["replicas"][0]["name"], "replica1");
    EXPECT_EQ(db["replicas"][0]["conninfo"], "host=s1 dbname=app");
    EXPECT_FALSE(db["replicas"][0].contains("password_env"));  // inherits: nothing of its own to show
    EXPECT_EQ(db["replicas"][0]["pool"]["max"], 10);
    EXPECT_EQ(db["replicas"][1]["name"], "east");
    EXPECT_EQ(db["replicas"][1]["password_file"], (dir.path() / "s2_password").string());
    EXPECT_EQ(db["replicas"][1]["pool"]["max"], 2);
    EXPECT_EQ(db["replica_routing"],
              (nlohmann::json{{"max_wait_ms", 250}, {"max_lag_ms", 1000}, {"poll_interval_ms", 100}}));
    EXPECT_EQ(described["procedures"]["com.example.notes.list"]["read_only"], true);

    // The description parses back to the same configuration.
    const Config again = parse_config_text(text, dir.path() / "described.json");
    EXPECT_EQ(describe_config(again), described);
}

TEST(ReplicaDescribe, NoReplicasNoRouting) {
    const auto described = describe_config(parse(minimal_doc()));
    EXPECT_FALSE(described["database"].contains("replicas"));
    EXPECT_FALSE(described["database"].contains("replica_routing"));  // it would not parse back without replicas
    EXPECT_EQ(described["procedures"]["com.example.notes.list"]["read_only"], false);
}

}  // namespace
}  // namespace pgwamp::config::test
