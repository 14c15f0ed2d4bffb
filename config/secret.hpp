#pragma once
// Secrets (the WAMP ticket or WAMP-CRA secret, the database password) are
// held in a type that refuses to print itself: streaming or formatting a
// Secret yields a fixed placeholder, so a stray log line or an error message
// cannot leak it. The only way to the value is the explicit reveal().

#include <filesystem>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace pgwamp::config {

class Secret {
public:
    static constexpr std::string_view redacted = "<redacted>";

    Secret() = default;
    explicit Secret(std::string value) : value_(std::move(value)) {}

    // Named so every use stands out in review: only hand this to libpq or to
    // the WAMP authenticator, never to a logger or an exception message.
    const std::string& reveal() const noexcept { return value_; }
    bool empty() const noexcept { return value_.empty(); }

    friend bool operator==(const Secret&, const Secret&) = default;
    friend std::ostream& operator<<(std::ostream& out, const Secret&) { return out << redacted; }

private:
    std::string value_;
};

// Where a secret comes from, as the config names it. Safe to print.
struct SecretSource {
    enum class Kind { env, file };
    Kind kind = Kind::env;
    std::string env_name;         // Kind::env: the variable's name
    std::filesystem::path file;   // Kind::file: already resolved against the config's directory
    std::string key_path;         // where the config names it, e.g. "router.secret_env"

    // "environment variable PGWAMP_TICKET" or "file /etc/pgwamp/ticket"
    std::string describe() const;
};

// Reads the secret now. Throws ConfigError (naming the source, never the
// value) when the variable is unset or empty, or the file is unreadable,
// not a regular file, too large, or empty. One trailing newline (LF or CRLF)
// is dropped from a file, as `echo secret > file` leaves one.
Secret read_secret(const SecretSource& source, const std::filesystem::path& config_file);

}  // namespace pgwamp::config

template <>
struct fmt::formatter<pgwamp::config::Secret> : fmt::formatter<std::string_view> {
    template <class FormatContext>
    auto format(const pgwamp::config::Secret&, FormatContext& ctx) const {
        return fmt::formatter<std::string_view>::format(pgwamp::config::Secret::redacted, ctx);
    }
};
