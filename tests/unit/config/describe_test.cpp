// describe_config: the effective config as JSON, secrets never included,
// and it parses back to the same configuration.

#include <fstream>
#include <iterator>

#include "config/describe.hpp"
#include "test_support.hpp"
#include "test_paths.hpp"

namespace pgwamp::config::test {
namespace {

TEST(Describe, RoundTripsAndHidesSecrets) {
    TempDir dir;
    dir.write("ticket", sentinel);
    ScopedEnv password("PGWAMP_TEST_DB_PASSWORD", sentinel);
    std::ifstream in(std::filesystem::path(PGWAMP_SOURCE_DIR) / "config" / "pgwamp.json");
    auto doc = nlohmann::json::parse(in);
    doc["router"].erase("secret_env");
    doc["router"]["secret_file"] = "ticket";
    doc["database"]["conninfo"] = "host=127.0.0.1 dbname=app";
    doc["database"]["password_env"] = "PGWAMP_TEST_DB_PASSWORD";
    doc["procedures"]["com.example.notes.delete"] = {{"mode", "operation"}, {"sql", "DELETE FROM notes WHERE id = $1"},
                                                     {"args", {"id"}}, {"timeout_ms", 100}};
    const Config loaded = load_config(dir.write("pgwamp.json", doc.dump()));
    ASSERT_EQ(loaded.router.secret.reveal(), sentinel);

    const nlohmann::json described = describe_config(loaded);
    const std::string text = described.dump();
    EXPECT_FALSE(contains(text, sentinel)) << text;
    EXPECT_EQ(described["router"]["secret_file"], (dir.path() / "ticket").string());
    EXPECT_EQ(described["database"]["password_env"], "PGWAMP_TEST_DB_PASSWORD");
    EXPECT_EQ(described["procedures"]["com.example.notes.list"]["args"][0]["default"], 20);
    EXPECT_EQ(described["procedures"]["com.example.notes.count"]["single"], "value");
    EXPECT_EQ(described["procedures"]["com.example.notes.add_pair"]["sql"][1]["args"][0], "second");
    EXPECT_FALSE(described["procedures"]["com.example.notes.delete"].contains("rows"));
    EXPECT_EQ(described["service"]["register_invoke"], "roundrobin");
    EXPECT_EQ(described["service"]["notify_publishers"], "one");
    EXPECT_EQ(described["service"]["notify_leader_retry_ms"], 1000);

    // The description is itself a valid config that means the same thing.
    const Config again = parse_config_text(text, dir.path() / "described.json");
    EXPECT_EQ(describe_config(again), described);
}

TEST(Describe, DisabledNotifyProcedureIsNull) {
    auto doc = minimal_doc();
    doc["service"] = {{"notify_procedure", nullptr}};
    const auto described = describe_config(parse(doc));
    EXPECT_TRUE(described["service"]["notify_procedure"].is_null());
    EXPECT_FALSE(parse_config_text(described.dump(), "x.json").service.notify_procedure);
}

TEST(Describe, UnixSocket) {
    auto doc = minimal_doc();
    doc["router"].erase("url");
    doc["router"]["socket"] = "/run/router.sock";
    const auto described = describe_config(parse(doc));
    EXPECT_EQ(described["router"]["socket"], "/run/router.sock");
    EXPECT_FALSE(described["router"].contains("url"));
}

}  // namespace
}  // namespace pgwamp::config::test
