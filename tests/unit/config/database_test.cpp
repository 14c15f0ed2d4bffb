// database: conninfo (never a password in it), password source, pool, timeouts.

#include "config/conninfo.hpp"
#include "test_support.hpp"

namespace pgwamp::config::test {
namespace {

TEST(Database, AllKeys) {
    const auto c = parse(with_database({{"conninfo", "host=/run/postgresql dbname=app"},
                                        {"password_env", "APP_DB_PASSWORD"},
                                        {"pool", {{"min", 2}, {"max", 8}, {"queue", 50}, {"idle_timeout_ms", 0}}},
                                        {"statement_timeout_ms", 1500},
                                        {"connect_timeout_ms", 3000},
                                        {"reconnect", {{"initial_delay_ms", 250}}}}));
    EXPECT_EQ(c.database.conninfo, "host=/run/postgresql dbname=app");
    ASSERT_TRUE(c.database.password_source);
    EXPECT_EQ(c.database.password_source->env_name, "APP_DB_PASSWORD");
    EXPECT_EQ(c.database.password_source->key_path, "database.password_env");
    EXPECT_FALSE(c.database.password);  // read by resolve_secrets/load_config only
    EXPECT_EQ(c.database.pool.min, 2u);
    EXPECT_EQ(c.database.pool.max, 8u);
    EXPECT_EQ(c.database.pool.queue, 50u);
    EXPECT_EQ(c.database.pool.idle_timeout, Milliseconds(0));  // never
    EXPECT_EQ(c.database.statement_timeout, Milliseconds(1500));
    EXPECT_EQ(c.database.connect_timeout, Milliseconds(3000));
    EXPECT_EQ(c.database.reconnect.initial_delay, Milliseconds(250));
}

TEST(Database, NoConninfoMeansLibpqEnvironment) {
    const auto c = parse(with_database(nlohmann::json::object()));
    EXPECT_FALSE(c.database.conninfo);
    EXPECT_EQ(c.database.effective_conninfo().reveal(), "");
}

TEST(Database, PasswordInKeywordConninfoIsRefusedAndNotEchoed) {
    expect_error(with_database({{"conninfo", std::string("host=h password=") + sentinel}}), "database.conninfo",
                 "may not contain a password; use password_env or password_file");
    expect_error(with_database({{"conninfo", std::string("password = '") + sentinel + " x' host=h"}}),
                 "database.conninfo", "may not contain a password");
}

TEST(Database, PasswordInUriConninfoIsRefusedAndNotEchoed) {
    expect_error(with_database({{"conninfo", std::string("postgresql://app:") + sentinel + "@h/db"}}),
                 "database.conninfo", "user:password@");
    expect_error(with_database({{"conninfo", std::string("postgres://h/db?sslmode=require&password=") + sentinel}}),
                 "database.conninfo", "password parameter");
}

TEST(Database, PasswordLikeTextInsideAQuotedValueIsFine) {
    // "password=" inside a quoted option value is not the password keyword.
    EXPECT_FALSE(conninfo_problem("host=h options='-c search_path=password=x'"));
    EXPECT_FALSE(conninfo_problem("postgresql://app@h/db?application_name=password"));
    EXPECT_FALSE(conninfo_problem("host=h passfile=/etc/pgpass"));
}

TEST(Database, MalformedConninfo) {
    expect_error(with_database({{"conninfo", "host"}}), "database.conninfo", "expected key=value pairs");
    expect_error(with_database({{"conninfo", "host='x"}}), "database.conninfo", "unterminated quoted value");
}

TEST(Database, TrailingBackslashDoesNotRunPastTheEnd) {
    EXPECT_FALSE(conninfo_problem("host=a\\"));
    EXPECT_FALSE(conninfo_problem("host=a\\ "));
    EXPECT_TRUE(conninfo_problem("host='a\\"));
}

TEST(Database, BothPasswordSources) {
    expect_error(with_database({{"password_env", "A"}, {"password_file", "b"}}), "database.password_file",
                 "not both");
}

TEST(Database, PoolRules) {
    expect_error(with_database({{"pool", {{"min", 5}, {"max", 2}}}}), "database.pool.min", "at most max (2)");
    expect_error(with_database({{"pool", {{"max", 0}}}}), "database.pool.max", "from 1 to 1000");
    expect_error(with_database({{"pool", {{"queue", -1}}}}), "database.pool.queue", "from 0 to 1000000");
    expect_error(with_database({{"pool", {{"maximum", 3}}}}), "database.pool.maximum", "unknown key");
    expect_error(with_database({{"pool", {{"idle_timeout_ms", -5}}}}), "database.pool.idle_timeout_ms", "from 0 to");
    // min defaults to 1 but follows a smaller max? max is at least 1, so min=1 always fits.
    EXPECT_EQ(parse(with_database({{"pool", {{"max", 1}}}})).database.pool.min, 1u);
}

TEST(Database, Timeouts) {
    expect_error(with_database({{"statement_timeout_ms", 1.5}}), "database.statement_timeout_ms", "an integer");
    expect_error(with_database({{"connect_timeout_ms", 0}}), "database.connect_timeout_ms", "from 1 to");
    EXPECT_EQ(parse(with_database({{"statement_timeout_ms", 0}})).database.statement_timeout, Milliseconds(0));
}

TEST(Conninfo, WithPasswordQuotesAndEncodes) {
    EXPECT_EQ(conninfo_with_password("", "x"), "password='x'");
    EXPECT_EQ(conninfo_with_password("dbname=a", "it's"), "dbname=a password='it\\'s'");
    EXPECT_EQ(conninfo_with_password("postgresql://u@h/d", "p@ss/w?rd"), "postgresql://u@h/d?password=p%40ss%2Fw%3Frd");
    EXPECT_EQ(conninfo_with_password("postgres://u@h/d?x=1", "p"), "postgres://u@h/d?x=1&password=p");
}

}  // namespace
}  // namespace pgwamp::config::test
