#pragma once
// Helpers for the config tests: a minimal valid document to break one key at
// a time, and an assertion that an error names the key path and leaks nothing.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "config/config.hpp"

namespace pgwamp::config::test {

// Values planted in tests where a secret might leak; no message may contain them.
inline constexpr const char* sentinel = "S3cr3t-Sentinel-9f27";

inline nlohmann::json minimal_doc() {
    return nlohmann::json::parse(R"({
        "router": {"url": "rs://127.0.0.1:8081", "realm": "realm1"},
        "procedures": {
            "com.example.notes.list": {
                "sql": "SELECT id, body FROM notes ORDER BY id DESC LIMIT $1",
                "args": [{"name": "limit", "type": "int", "default": 20}]
            }
        },
        "notifications": {"notes": {"topic": "com.example.notes.on_insert"}}
    })");
}

// The minimal document with this "database" section.
inline nlohmann::json with_database(nlohmann::json database) {
    auto doc = minimal_doc();
    doc["database"] = std::move(database);
    return doc;
}

inline Config parse(const nlohmann::json& doc) { return parse_config_text(doc.dump(), "pgwamp.json"); }

// The ConfigError that parsing `text` throws; a test failure when none is thrown.
inline std::optional<ConfigError> error_of_text(const std::string& text) {
    try {
        parse_config_text(text, "pgwamp.json");
    } catch (const ConfigError& e) {
        return e;
    }
    ADD_FAILURE() << "expected a ConfigError for:\n" << text;
    return std::nullopt;
}

inline bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

// Parsing `doc` fails at `key_path`, the message is "pgwamp.json: <key_path>: ..."
// and mentions `expected`, and no secret-like value shows up.
inline void expect_error(const nlohmann::json& doc, const std::string& key_path, const std::string& expected) {
    const auto e = error_of_text(doc.dump());
    if (!e) return;
    EXPECT_EQ(e->key_path(), key_path) << e->what();
    EXPECT_EQ(std::string(e->what()).rfind("pgwamp.json: " + key_path + ": ", 0), 0u) << e->what();
    EXPECT_TRUE(contains(e->what(), expected)) << "message: " << e->what() << "\nexpected to mention: " << expected;
    EXPECT_FALSE(contains(e->what(), sentinel)) << e->what();
}

// A temporary directory, removed with everything in it when the test ends.
class TempDir {
public:
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "pgwamp-config-XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path write(const std::string& name, const std::string& content) const {
        const auto file = path_ / name;
        std::filesystem::create_directories(file.parent_path());
        std::ofstream(file, std::ios::binary) << content;
        return file;
    }

private:
    std::filesystem::path path_;
};

// Sets an environment variable for the scope of a test, restoring it after.
class ScopedEnv {
public:
    ScopedEnv(std::string name, const char* value) : name_(std::move(name)) {
        if (const char* old = std::getenv(name_.c_str())) old_ = old;
        if (value) setenv(name_.c_str(), value, 1);
        else unsetenv(name_.c_str());
    }
    ~ScopedEnv() {
        if (old_) setenv(name_.c_str(), old_->c_str(), 1);
        else unsetenv(name_.c_str());
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    std::string name_;
    std::optional<std::string> old_;
};

}  // namespace pgwamp::config::test
