#include "config/secret.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <system_error>

#include "config/config_error.hpp"

namespace pgwamp::config {

namespace {

// A secret is a short token; anything bigger is a wrong path (a log, a dump).
constexpr std::uintmax_t max_secret_file_size = 64 * 1024;

Secret checked(std::string value, const SecretSource& source, const std::string& file) {
    if (value.empty()) throw ConfigError(file, source.key_path, source.describe() + " is empty");
    if (value.find('\0') != std::string::npos)
        throw ConfigError(file, source.key_path, source.describe() + " contains a NUL byte");
    return Secret(std::move(value));
}

}  // namespace

std::string SecretSource::describe() const {
    return kind == Kind::env ? "environment variable " + env_name : "file " + file.string();
}

Secret read_secret(const SecretSource& source, const std::filesystem::path& config_file) {
    const std::string file_name = config_file.string();
    if (source.kind == SecretSource::Kind::env) {
        const char* value = std::getenv(source.env_name.c_str());
        if (value == nullptr) throw ConfigError(file_name, source.key_path, source.describe() + " is not set");
        return checked(value, source, file_name);
    }

    std::error_code ec;
    const auto status = std::filesystem::status(source.file, ec);
    if (ec || !std::filesystem::exists(status))
        throw ConfigError(file_name, source.key_path, "cannot read " + source.describe() + ": it does not exist");
    if (!std::filesystem::is_regular_file(status))
        throw ConfigError(file_name, source.key_path, "cannot read " + source.describe() + ": not a regular file");
    const auto size = std::filesystem::file_size(source.file, ec);
    if (ec || size > max_secret_file_size)
        throw ConfigError(file_name, source.key_path,
                          "cannot read " + source.describe() + ": larger than 64 KiB, not a secret");
    std::ifstream in(source.file, std::ios::binary);
    if (!in)
        throw ConfigError(file_name, source.key_path,
                          "cannot read " + source.describe() + ": " + std::strerror(errno));
    std::string value((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad())
        throw ConfigError(file_name, source.key_path, "cannot read " + source.describe() + ": read error");
    // `echo secret > file` leaves one newline that is not part of the secret.
    if (value.ends_with("\r\n")) value.resize(value.size() - 2);
    else if (value.ends_with('\n')) value.pop_back();
    return checked(std::move(value), source, file_name);
}

}  // namespace pgwamp::config
