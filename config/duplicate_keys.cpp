#include "config/duplicate_keys.hpp"

#include <set>
#include <vector>

#include "config/config_error.hpp"
#include "config/node.hpp"

namespace pgwamp::config::detail {

namespace {

// A config is five levels deep. Every open container keeps its key path, so
// nesting costs memory quadratic in depth: 200 kB of '[' took over 2 GB.
constexpr std::size_t max_depth = 64;

struct Frame {
    bool is_object = false;
    std::string path;
    std::set<std::string> keys;
    std::string last_key;
    std::size_t next_index = 0;
};

// Same rendering as Node: plain names as .name, URIs and channels as ["..."].
std::string child_path(const Frame& parent, const std::vector<Frame>& stack) {
    if (!parent.is_object) return parent.path + "[" + std::to_string(parent.next_index) + "]";
    const nlohmann::json dummy;
    const Source no_source;
    const Node node(dummy, no_source, parent.path);
    const bool keyed_map = stack.size() == 2 && (parent.path == "procedures" || parent.path == "notifications");
    return keyed_map ? node.child_path_entry(parent.last_key) : node.child_path_field(parent.last_key);
}

// nlohmann's syntax messages may quote what was last read ("last read:
// '...'"), which could be part of a value; keep only the position and kind.
std::string without_last_read(std::string message) {
    if (const auto tag = message.find("] "); message.starts_with("[json.exception") && tag != std::string::npos)
        message.erase(0, tag + 2);
    const auto pos = message.find("; last read: '");
    if (pos != std::string::npos) {
        const auto expected = message.find("; expected", pos);
        message.erase(pos, expected == std::string::npos ? std::string::npos : expected - pos);
    }
    return message;
}

}  // namespace

nlohmann::json parse_json_strict(std::string_view text, const std::string& file) {
    std::vector<Frame> stack;
    auto callback = [&](int /*depth*/, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
        using Event = nlohmann::json::parse_event_t;
        switch (event) {
            case Event::object_start:
            case Event::array_start: {
                if (stack.size() >= max_depth)
                    throw ConfigError(file, stack.back().path, "nested more than 64 levels deep");
                Frame frame;
                frame.is_object = event == Event::object_start;
                if (!stack.empty()) {
                    frame.path = child_path(stack.back(), stack);
                    if (!stack.back().is_object) ++stack.back().next_index;
                }
                stack.push_back(std::move(frame));
                break;
            }
            case Event::object_end:
            case Event::array_end:
                if (!stack.empty()) stack.pop_back();
                break;
            case Event::key: {
                Frame& top = stack.back();
                top.last_key = parsed.get<std::string>();
                if (!top.keys.insert(top.last_key).second)
                    throw ConfigError(file, child_path(top, stack), "duplicate key");
                break;
            }
            case Event::value:
                if (!stack.empty() && !stack.back().is_object) ++stack.back().next_index;
                break;
        }
        return true;
    };
    try {
        return nlohmann::json::parse(text.begin(), text.end(), callback, /*allow_exceptions=*/true,
                                     /*ignore_comments=*/true);
    } catch (const nlohmann::json::exception& e) {
        // parse_error for syntax; out_of_range for a number too big for a double (1e400).
        throw ConfigError(file, "(top level)", without_last_read(e.what()));
    }
}

}  // namespace pgwamp::config::detail
