// The pgwamp executable's command line: --check, --version, --help, and how
// a broken configuration is reported (exit 1, naming the key). No servers.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>
#include "test_paths.hpp"

namespace pgwamp::test::service {
namespace {

namespace fs = std::filesystem;

const std::string pgwamp_binary = std::string(PGWAMP_BINARY_DIR) + "/service/pgwamp";
const std::string shipped_config = std::string(PGWAMP_SOURCE_DIR) + "/config/pgwamp.json";

struct Run {
    int status = -1;  // exit status, or -1 if it did not exit normally
    std::string output;  // stdout and stderr together
};

// `env` is a prefix like "PGWAMP_TICKET=x " or "" (a fixed test value, never a real secret).
Run run_pgwamp(const std::string& env, const std::string& arguments) {
    const std::string command = "env -u PGWAMP_TICKET " + env + pgwamp_binary + " " + arguments + " 2>&1";
    Run run;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe) return run;
    std::array<char, 4096> buffer{};
    while (const auto n = std::fread(buffer.data(), 1, buffer.size(), pipe)) run.output.append(buffer.data(), n);
    const int status = ::pclose(pipe);
    run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
}

class TempDir {
public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "pgwamp-cli-XXXXXX").string();
        if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    std::string write(const std::string& name, const std::string& text) const {
        const auto path = (fs::path(path_) / name).string();
        std::ofstream(path) << text;
        return path;
    }

private:
    std::string path_;
};

nlohmann::json shipped() {
    std::ifstream in(shipped_config);
    return nlohmann::json::parse(in);
}

TEST(ServiceCli, CheckAcceptsTheShippedConfig) {
    const auto run = run_pgwamp("PGWAMP_TICKET=test-only-ticket ", "--check --config " + shipped_config);
    EXPECT_EQ(run.status, 0) << run.output;
    EXPECT_NE(run.output.find("ok"), std::string::npos) << run.output;
    EXPECT_EQ(run.output.find("test-only-ticket"), std::string::npos) << "the secret was printed";
}

TEST(ServiceCli, CheckWithoutTheTicketFailsNamingTheVariable) {
    const auto run = run_pgwamp("", "--check --config " + shipped_config);
    EXPECT_EQ(run.status, 1) << run.output;
    EXPECT_NE(run.output.find("PGWAMP_TICKET"), std::string::npos) << run.output;
}

TEST(ServiceCli, CheckRefusesATlsFileItCannotLoad) {
    TempDir dir;
    auto config = shipped();
    config["router"]["url"] = "rss://127.0.0.1:8081";
    config["router"]["tls"] = {{"ca_file", dir.write("ca.pem", "not a certificate")}};
    const auto path = dir.write("tls.json", config.dump(2));
    const auto run = run_pgwamp("PGWAMP_TICKET=test-only-ticket ", "--check --config " + path);
    EXPECT_EQ(run.status, 1) << run.output;
    EXPECT_NE(run.output.find("router.tls"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("ca.pem"), std::string::npos) << run.output;
}

TEST(ServiceCli, CheckRefusesABrokenConfigNamingTheKey) {
    TempDir dir;
    auto config = shipped();
    config["procedures"]["com.example.notes.list"]["mode"] = "querry";
    const auto path = dir.write("broken.json", config.dump(2));
    const auto run = run_pgwamp("PGWAMP_TICKET=test-only-ticket ", "--check --config " + path);
    EXPECT_EQ(run.status, 1) << run.output;
    EXPECT_NE(run.output.find(R"(procedures["com.example.notes.list"].mode)"), std::string::npos) << run.output;

    auto unknown = shipped();
    unknown["router"]["autmethod"] = "ticket";
    const auto unknown_path = dir.write("unknown.json", unknown.dump(2));
    const auto unknown_run = run_pgwamp("PGWAMP_TICKET=test-only-ticket ", "--check --config " + unknown_path);
    EXPECT_EQ(unknown_run.status, 1) << unknown_run.output;
    EXPECT_NE(unknown_run.output.find("router.autmethod"), std::string::npos) << unknown_run.output;

    // SQL that binds an argument the declaration does not have.
    auto placeholders = shipped();
    placeholders["procedures"]["com.example.notes.add"]["sql"] = "INSERT INTO notes (body) VALUES ($2)";
    const auto placeholders_path = dir.write("placeholders.json", placeholders.dump(2));
    const auto placeholders_run =
        run_pgwamp("PGWAMP_TICKET=test-only-ticket ", "--check --config " + placeholders_path);
    EXPECT_EQ(placeholders_run.status, 1) << placeholders_run.output;
    EXPECT_NE(placeholders_run.output.find("com.example.notes.add"), std::string::npos) << placeholders_run.output;

    const auto not_json = dir.write("not.json", "{\"router\": ");
    const auto not_json_run = run_pgwamp("PGWAMP_TICKET=test-only-ticket ", "--check --config " + not_json);
    EXPECT_EQ(not_json_run.status, 1) << not_json_run.output;

    const auto missing_run = run_pgwamp("PGWAMP_TICKET=test-only-ticket ", "--check --config " + dir.write("x", "") +
                                                                             ".does-not-exist");
    EXPECT_EQ(missing_run.status, 1) << missing_run.output;
}

TEST(ServiceCli, VersionAndHelpExitZero) {
    const auto version = run_pgwamp("", "--version");
    EXPECT_EQ(version.status, 0) << version.output;
    EXPECT_EQ(version.output.rfind("pgwamp ", 0), 0u) << version.output;
    const auto help = run_pgwamp("", "--help");
    EXPECT_EQ(help.status, 0) << help.output;
    EXPECT_NE(help.output.find("--check"), std::string::npos) << help.output;
    const auto bad = run_pgwamp("", "--frobnicate");
    EXPECT_EQ(bad.status, 2) << bad.output;
}

}  // namespace
}  // namespace pgwamp::test::service
