// Bad input of every shape gets a ConfigError, never another exception, a
// crash or a hang: every value in the default config is replaced in turn by
// values of every JSON type, and the default config's text is cut short at
// every byte. Under the sanitizers every fourth case (the config fuzz
// target covers those bytes there; the GCC pass runs every case).

#include <fstream>
#include <iterator>

#include "test_support.hpp"
#include "test_paths.hpp"
#include "tests/support/under_asan.hpp"

namespace pgwamp::config::test {
namespace {

#if defined(PGWAMP_TEST_UNDER_ASAN)
constexpr std::size_t stride = 4;
#else
constexpr std::size_t stride = 1;
#endif

nlohmann::json default_doc() {
    std::ifstream in(std::filesystem::path(PGWAMP_SOURCE_DIR) / "config" / "pgwamp.json");
    return nlohmann::json::parse(in);
}

std::string default_text() {
    std::ifstream in(std::filesystem::path(PGWAMP_SOURCE_DIR) / "config" / "pgwamp.json");
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Every JSON pointer in the document, containers included.
void collect(const nlohmann::json& value, const nlohmann::json::json_pointer& at,
             std::vector<nlohmann::json::json_pointer>& out) {
    out.push_back(at);
    if (value.is_object())
        for (const auto& [key, child] : value.items()) collect(child, at / key, out);
    else if (value.is_array())
        for (std::size_t i = 0; i < value.size(); ++i) collect(value[i], at / i, out);
}

// Only ConfigError may escape; anything else is a test failure with the case named.
void parse_expecting_only_config_errors(const std::string& text, const std::string& what, std::size_t& errors) {
    try {
        parse_config_text(text, "pgwamp.json");
    } catch (const ConfigError& e) {
        ++errors;
        EXPECT_EQ(std::string(e.what()).rfind("pgwamp.json: ", 0), 0u) << what << ": " << e.what();
    } catch (const std::exception& e) {
        ADD_FAILURE() << what << ": escaped as " << typeid(e).name() << ": " << e.what();
    }
}

TEST(Robustness, EveryValueReplacedByEveryType) {
    const nlohmann::json original = default_doc();
    std::vector<nlohmann::json::json_pointer> pointers;
    collect(original, nlohmann::json::json_pointer(), pointers);
    const nlohmann::json replacements[] = {nullptr, true, false, 0, -1, 1.5, 1e300, 18446744073709551615ull,
                                           "", "x", "com..x", nlohmann::json::array(), nlohmann::json::object(),
                                           nlohmann::json::array({1, "a"}), {{"k", 1}}};
    std::size_t cases = 0, errors = 0, seen = 0;
    for (const auto& pointer : pointers) {
        if (pointer.empty()) continue;
        for (const auto& replacement : replacements) {
            if (seen++ % stride != 0) continue;
            nlohmann::json doc = original;
            doc[pointer] = replacement;
            ++cases;
            parse_expecting_only_config_errors(doc.dump(), pointer.to_string() + " = " + replacement.dump(), errors);
        }
    }
    EXPECT_GT(cases, 1000u / stride);
    // Most substitutions are wrong; some (e.g. a count of 0) are fine. The
    // point is that the wrong ones are caught, so most must be.
    EXPECT_GT(errors, cases / 2);
}

TEST(Robustness, EveryKeyRemoved) {
    const nlohmann::json original = default_doc();
    std::vector<nlohmann::json::json_pointer> pointers;
    collect(original, nlohmann::json::json_pointer(), pointers);
    std::size_t errors = 0;
    for (const auto& pointer : pointers) {
        if (pointer.empty()) continue;
        nlohmann::json doc = original;
        doc[pointer.parent_pointer()].is_object() ? (void)doc[pointer.parent_pointer()].erase(pointer.back())
                                                  : doc[pointer.parent_pointer()].erase(std::stoul(pointer.back()));
        parse_expecting_only_config_errors(doc.dump(), "without " + pointer.to_string(), errors);
    }
    EXPECT_GT(errors, 0u);
}

TEST(Robustness, TruncatedAtEveryByte) {
    const std::string text = default_text();
    std::size_t errors = 0;
    for (std::size_t n = 0; n < text.size(); n += stride)
        parse_expecting_only_config_errors(text.substr(0, n), "first " + std::to_string(n) + " bytes", errors);
    // Every strict prefix of one JSON object is a syntax error.
    std::size_t last_brace = text.find_last_of('}');
    EXPECT_GE(errors, (last_brace + stride - 1) / stride);
}

TEST(Robustness, HostileStrings) {
    const std::string hostile[] = {std::string(100'000, 'a'), std::string("a\0b", 3), "\xff\xfe", "$", "$$",
                                   "'", "/*", "--", "\"", "${}", std::string(70'000, '$') + "1"};
    std::size_t errors = 0;
    for (const auto& s : hostile) {
        for (const char* key : {"sql", "mode", "rows"}) {
            auto doc = minimal_doc();
            doc["procedures"]["com.example.notes.list"][key] = s;
            std::string text;
            try {
                text = doc.dump();
            } catch (const nlohmann::json::type_error&) {
                continue;  // not UTF-8: cannot even be written as JSON, so cannot be in a config
            }
            parse_expecting_only_config_errors(text, std::string(key) + " = <hostile " + std::to_string(s.size()) + " bytes>",
                                               errors);
        }
    }
    EXPECT_GT(errors, 0u);
}

}  // namespace
}  // namespace pgwamp::config::test

namespace pgwamp::config::test {
namespace {

// Found by the config fuzz target's hostile inputs: every open container
// kept its whole key path, so deep nesting cost memory quadratic in depth
// (200 kB of '[' took over 2 GB before parsing failed).
TEST(Robustness, DeepNestingIsRefusedCheaply) {
    const auto e = error_of_text(R"({"router": )" + std::string(200'000, '[') + std::string(200'000, ']') + "}");
    ASSERT_TRUE(e);
    EXPECT_TRUE(contains(e->what(), "nested more than 64 levels deep")) << e->what();
    EXPECT_EQ(e->key_path().rfind("router[0][0]", 0), 0u) << e->key_path();
    EXPECT_TRUE(error_of_text(std::string(200'000, '{')));
}

// Found by the config fuzz target: nlohmann reports a number beyond double's
// range as out_of_range, not parse_error, and it escaped as that.
TEST(Robustness, NumberOverflowIsAConfigError) {
    const auto e = error_of_text(R"({"router": {"url": "rs://127.0.0.1:8081", "realm": "r", "max": 1e400}})");
    ASSERT_TRUE(e);
    EXPECT_TRUE(contains(e->what(), "number overflow")) << e->what();
}

TEST(Robustness, HugeUnknownKeyIsShownCutShort) {
    auto doc = minimal_doc();
    doc["router"][std::string(5000, 'k')] = 1;
    const auto e = error_of_text(doc.dump());
    ASSERT_TRUE(e);
    EXPECT_LT(std::string(e->what()).size(), 600u) << e->what();
    EXPECT_TRUE(contains(e->key_path(), "...")) << e->key_path();
}

}  // namespace
}  // namespace pgwamp::config::test

namespace pgwamp::config::test {
namespace {

TEST(Robustness, HostileStringsInEveryFreeTextField) {
    const std::string hostile[] = {"", "\\", "'", "a\\", "a='", "=", "x=\\", "postgresql://", "postgres://@",
                                   "postgresql://a:b", "postgresql://?", "postgresql://h/d?&&=", "ws://", "ws://[",
                                   "rs://[]:1", "rs://h:", "tcp://h:1?x", "ws://h:1#", "://", "rs:///",
                                   std::string(300, '.'), "a.b.", "..", "#"};
    const std::pair<const char*, const char*> fields[] = {
        {"/database/conninfo", nullptr}, {"/router/url", nullptr}, {"/router/realm", nullptr},
        {"/router/socket", "/router/url"}, {"/service/notify_procedure", nullptr}};
    std::size_t errors = 0;
    for (const auto& [field, remove] : fields) {
        for (const auto& s : hostile) {
            auto doc = minimal_doc();
            if (remove) doc.erase("router"), doc["router"] = {{"realm", "r"}};
            doc[nlohmann::json::json_pointer(field)] = s;
            parse_expecting_only_config_errors(doc.dump(), std::string(field) + " = " + nlohmann::json(s).dump(),
                                               errors);
        }
    }
    EXPECT_GT(errors, 60u);  // realm, url and most conninfo forms are refused
}

}  // namespace
}  // namespace pgwamp::config::test
