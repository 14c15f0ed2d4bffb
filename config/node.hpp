#pragma once
// Internal to config/: a JSON value together with where it sits in the
// document, so every check can fail with "<file>: <key path>: <reason>".

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.hpp"

namespace pgwamp::config::detail {

struct Source {
    std::string file;            // as the user named it, for messages
    std::filesystem::path dir;   // relative paths in the config resolve against this
};

template <class E>
struct Choice {
    std::string_view name;
    E value;
};

// The closest of `known` to `key` when it is near enough to be a typo.
std::optional<std::string_view> closest_key(std::string_view key,
                                            std::span<const std::string_view> known);

// JSON type of a value in words, for "found ..." ("a string", "null", ...).
std::string describe_type(const nlohmann::json& value);

class Node {
public:
    Node(const nlohmann::json& value, const Source& source, std::string path)
        : value_(&value), source_(&source), path_(std::move(path)) {}

    const nlohmann::json& json() const noexcept { return *value_; }
    const std::string& path() const noexcept { return path_; }
    const Source& source() const noexcept { return *source_; }

    [[noreturn]] void fail(const std::string& reason) const;
    // "expected <what>, found <type of this value>"
    [[noreturn]] void fail_expected(const std::string& what) const;

    std::string child_path_field(std::string_view key) const;
    std::string child_path_entry(std::string_view key) const;

    // Children (the value must exist; see Fields for optional keys).
    Node element(std::size_t index) const;
    Node entry(std::string_view key) const;  // map keyed by URI/channel: path["key"]

    void expect_object() const;
    void expect_array() const;
    std::string string() const;           // any string, empty allowed
    std::string nonempty_string() const;  // not empty, not only whitespace
    bool boolean() const;
    std::int64_t integer(std::int64_t min, std::int64_t max) const;
    double number(double min, double max) const;
    Milliseconds milliseconds(std::int64_t max) const;  // integer in [0, max]

    template <class E>
    E choice(std::span<const Choice<E>> choices) const {
        if (!json().is_string()) fail_expected(choice_list(names_of(choices)));
        const auto& s = json().get_ref<const std::string&>();
        for (const auto& c : choices)
            if (c.name == s) return c.value;
        fail_choice(names_of(choices));
    }

private:
    template <class E>
    static std::vector<std::string_view> names_of(std::span<const Choice<E>> choices) {
        std::vector<std::string_view> names;
        for (const auto& c : choices) names.push_back(c.name);
        return names;
    }
    static std::string choice_list(const std::vector<std::string_view>& names);
    [[noreturn]] void fail_choice(const std::vector<std::string_view>& names) const;

    const nlohmann::json* value_;
    const Source* source_;
    std::string path_;
};

// An object's keys, checked against the keys it may have: an unknown key is
// an error (with "did you mean ...?"), so a typo never silently does nothing.
class Fields {
public:
    Fields(const Node& node, std::initializer_list<std::string_view> known);

    bool has(std::string_view key) const;
    std::optional<Node> get(std::string_view key) const;
    Node require(std::string_view key) const;
    const Node& node() const noexcept { return node_; }

private:
    Node node_;
};

}  // namespace pgwamp::config::detail
