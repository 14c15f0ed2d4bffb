#include "config/wamp_uri.hpp"

#include <algorithm>
#include <cctype>

namespace pgwamp::config {

std::optional<std::string> wamp_uri_problem(std::string_view uri) {
    if (uri.empty()) return "a WAMP URI may not be empty";
    if (uri.size() > 255) return "a WAMP URI may not be longer than 255 characters";
    if (std::any_of(uri.begin(), uri.end(), [](char c) {
            return std::isspace(static_cast<unsigned char>(c)) || c == '#' ||
                   static_cast<unsigned char>(c) < 0x20;
        }))
        return "a WAMP URI may not contain whitespace, control characters or '#'";
    if (uri.front() == '.' || uri.back() == '.' || uri.find("..") != std::string_view::npos)
        return "a WAMP URI is dot-separated words with no empty part (like \"com.example.notes.list\")";
    if (uri.starts_with("wamp.") || uri.starts_with("crossbar."))
        return "URIs starting with \"wamp.\" or \"crossbar.\" are reserved for the router";
    return std::nullopt;
}

}  // namespace pgwamp::config
