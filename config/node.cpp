#include "config/node.hpp"

#include <algorithm>
#include <cctype>
#include <limits>

namespace pgwamp::config::detail {

namespace {

// Optimal string alignment distance: Levenshtein plus adjacent
// transpositions, so "mdoe" is one edit from "mode". Case-insensitive.
std::size_t edit_distance(std::string_view a, std::string_view b) {
    auto lower = [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); };
    const std::size_t n = a.size(), m = b.size();
    std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
    for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= n; ++i) {
        for (std::size_t j = 1; j <= m; ++j) {
            const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
                lower(a[i - 2]) == lower(b[j - 1]))
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[n][m];
}

// A string value quoted for a message, cut short: only ever used for values
// that are names from a fixed list (modes, types), never for free text.
std::string quote_short(const std::string& s) {
    std::string shown = s.size() > 40 ? s.substr(0, 40) + "..." : s;
    return nlohmann::json(shown).dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
}

bool is_plain_name(std::string_view key) {
    if (key.empty() || std::isdigit(static_cast<unsigned char>(key[0]))) return false;
    return std::all_of(key.begin(), key.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    });
}

}  // namespace

std::optional<std::string_view> closest_key(std::string_view key,
                                            std::span<const std::string_view> known) {
    if (key.size() > 64) return std::nullopt;  // no key of ours is that long; spare the quadratic work
    std::optional<std::string_view> best;
    std::size_t best_distance = std::numeric_limits<std::size_t>::max();
    for (auto candidate : known) {
        const std::size_t distance = edit_distance(key, candidate);
        if (distance < best_distance) {
            best_distance = distance;
            best = candidate;
        }
    }
    // Near enough to be a typo: at most 2 edits, and fewer than a third of the word.
    if (best && best_distance <= 2 && best_distance * 3 <= std::max<std::size_t>(key.size(), 3))
        return best;
    return std::nullopt;
}

std::string describe_type(const nlohmann::json& value) {
    switch (value.type()) {
        case nlohmann::json::value_t::null: return "null";
        case nlohmann::json::value_t::boolean: return value.get<bool>() ? "true" : "false";
        case nlohmann::json::value_t::string: return "a string";
        case nlohmann::json::value_t::number_integer:
        case nlohmann::json::value_t::number_unsigned: return "the integer " + value.dump();
        case nlohmann::json::value_t::number_float: return "the number " + value.dump();
        case nlohmann::json::value_t::object: return "an object";
        case nlohmann::json::value_t::array: return "an array";
        default: return "a value of another kind";
    }
}

void Node::fail(const std::string& reason) const { throw ConfigError(source_->file, path_, reason); }

void Node::fail_expected(const std::string& what) const {
    fail("expected " + what + ", found " + describe_type(json()));
}

std::string Node::child_path_field(std::string_view key) const {
    // Keys that are not plain names (URIs, channels, typos with dots) are
    // shown in brackets so the path stays unambiguous.
    if (!is_plain_name(key) || key.size() > 64) return child_path_entry(key);
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

std::string Node::child_path_entry(std::string_view key) const {
    // A key longer than any URI (255) is shown cut short so the message stays one readable line.
    const std::string shown = key.size() > 260 ? std::string(key.substr(0, 256)) + "..." : std::string(key);
    return path_ + "[" + nlohmann::json(shown).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
           "]";
}

Node Node::element(std::size_t index) const {
    return Node(json().at(index), *source_, path_ + "[" + std::to_string(index) + "]");
}

Node Node::entry(std::string_view key) const {
    return Node(json().at(std::string(key)), *source_, child_path_entry(key));
}

void Node::expect_object() const {
    if (!json().is_object()) fail_expected("an object");
}

void Node::expect_array() const {
    if (!json().is_array()) fail_expected("an array");
}

std::string Node::string() const {
    if (!json().is_string()) fail_expected("a string");
    return json().get<std::string>();
}

std::string Node::nonempty_string() const {
    std::string s = string();
    if (std::all_of(s.begin(), s.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); }))
        fail("expected a non-empty string");
    return s;
}

bool Node::boolean() const {
    if (!json().is_boolean()) fail_expected("true or false");
    return json().get<bool>();
}

std::int64_t Node::integer(std::int64_t min, std::int64_t max) const {
    const std::string range = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
    if (json().is_number_unsigned()) {
        // nlohmann stores every non-negative integer as unsigned.
        const auto u = json().get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(max) || (min > 0 && u < static_cast<std::uint64_t>(min)))
            fail_expected(range);
        return static_cast<std::int64_t>(u);
    }
    if (!json().is_number_integer()) fail_expected(range);
    const auto v = json().get<std::int64_t>();
    if (v < min || v > max) fail_expected(range);
    return v;
}

double Node::number(double min, double max) const {
    const std::string range = "a number from " + nlohmann::json(min).dump() + " to " +
                              nlohmann::json(max).dump();
    if (!json().is_number()) fail_expected(range);
    const double v = json().get<double>();
    if (!(v >= min && v <= max)) fail_expected(range);
    return v;
}

Milliseconds Node::milliseconds(std::int64_t max) const { return Milliseconds(integer(0, max)); }

std::string Node::choice_list(const std::vector<std::string_view>& names) {
    std::string list = names.size() == 1 ? "" : "one of ";
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i) list += ", ";
        list += "\"" + std::string(names[i]) + "\"";
    }
    return list;
}

void Node::fail_choice(const std::vector<std::string_view>& names) const {
    const auto& s = json().get_ref<const std::string&>();
    std::string reason = "expected " + choice_list(names) + ", found " + quote_short(s);
    if (auto near = closest_key(s, names)) reason += " (did you mean \"" + std::string(*near) + "\"?)";
    fail(reason);
}

Fields::Fields(const Node& node, std::initializer_list<std::string_view> known) : node_(node) {
    node_.expect_object();
    const std::vector<std::string_view> names(known);
    for (const auto& [key, value] : node_.json().items()) {
        if (std::find(names.begin(), names.end(), key) != names.end()) continue;
        std::string reason = "unknown key";
        if (auto near = closest_key(key, names)) reason += " (did you mean \"" + std::string(*near) + "\"?)";
        else {
            reason += "; known keys: ";
            for (std::size_t i = 0; i < names.size(); ++i) reason += (i ? ", " : "") + std::string(names[i]);
        }
        throw ConfigError(node_.source().file, node_.child_path_field(key), reason);
    }
}

bool Fields::has(std::string_view key) const { return node_.json().contains(std::string(key)); }

std::optional<Node> Fields::get(std::string_view key) const {
    auto it = node_.json().find(std::string(key));
    if (it == node_.json().end()) return std::nullopt;
    return Node(*it, node_.source(), node_.child_path_field(key));
}

Node Fields::require(std::string_view key) const {
    auto child = get(key);
    if (!child) throw ConfigError(node_.source().file, node_.child_path_field(key), "required key is missing");
    return *child;
}

}  // namespace pgwamp::config::detail
