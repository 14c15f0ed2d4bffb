#include "config/conninfo.hpp"

#include <cctype>
#include <cstdio>

namespace pgwamp::config {

namespace {

bool is_uri(std::string_view s) {
    return s.starts_with("postgresql://") || s.starts_with("postgres://");
}

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::optional<std::string> uri_problem(std::string_view s) {
    std::string_view rest = s.substr(s.find("://") + 3);
    const auto at = rest.find('@');
    const auto end_of_authority = rest.find_first_of("/?");
    if (at != std::string_view::npos && (end_of_authority == std::string_view::npos || at < end_of_authority)) {
        if (rest.substr(0, at).find(':') != std::string_view::npos)
            return "conninfo may not contain a password (user:password@); use password_env or password_file";
    }
    const auto query = rest.find('?');
    if (query != std::string_view::npos) {
        std::string_view params = rest.substr(query + 1);
        while (!params.empty()) {
            const auto amp = params.find('&');
            const std::string_view param = params.substr(0, amp);
            if (param.substr(0, param.find('=')) == "password")
                return "conninfo may not contain a password parameter; use password_env or password_file";
            params = amp == std::string_view::npos ? std::string_view{} : params.substr(amp + 1);
        }
    }
    return std::nullopt;
}

// key = value pairs; values are bare words or '...' with \' and \\ escapes.
std::optional<std::string> keyword_problem(std::string_view s) {
    std::size_t i = 0;
    while (true) {
        while (i < s.size() && is_space(s[i])) ++i;
        if (i >= s.size()) return std::nullopt;  // >=: a trailing backslash steps past the end
        const std::size_t key_start = i;
        while (i < s.size() && !is_space(s[i]) && s[i] != '=') ++i;
        const std::string_view key = s.substr(key_start, i - key_start);
        while (i < s.size() && is_space(s[i])) ++i;
        if (i == s.size() || s[i] != '=' || key.empty())
            return "conninfo is not a valid libpq connection string (expected key=value pairs)";
        ++i;
        while (i < s.size() && is_space(s[i])) ++i;
        if (i < s.size() && s[i] == '\'') {
            ++i;
            while (i < s.size() && s[i] != '\'') i += s[i] == '\\' ? 2 : 1;
            if (i >= s.size()) return "conninfo has an unterminated quoted value";
            ++i;
        } else {
            while (i < s.size() && !is_space(s[i])) i += s[i] == '\\' ? 2 : 1;
        }
        if (key == "password")
            return "conninfo may not contain a password; use password_env or password_file";
    }
}

}  // namespace

std::optional<std::string> conninfo_problem(std::string_view conninfo) {
    return is_uri(conninfo) ? uri_problem(conninfo) : keyword_problem(conninfo);
}

std::string conninfo_with_password(std::string_view conninfo, std::string_view password) {
    std::string out(conninfo);
    if (is_uri(conninfo)) {
        const auto fragment = out.find('#');
        if (fragment != std::string::npos) out.erase(fragment);
        out += out.find('?') == std::string::npos ? '?' : '&';
        out += "password=";
        for (const char c : password) {
            if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '~') {
                out += c;
            } else {
                char hex[4];
                std::snprintf(hex, sizeof hex, "%%%02X", static_cast<unsigned char>(c));
                out += hex;
            }
        }
        return out;
    }
    if (!out.empty()) out += ' ';
    out += "password='";
    for (const char c : password) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    out += '\'';
    return out;
}

}  // namespace pgwamp::config
