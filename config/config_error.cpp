#include "config/config_error.hpp"

#include <utility>

namespace pgwamp::config {

namespace {
std::string compose(const std::string& file, const std::string& key_path,
                    const std::string& reason) {
    std::string message = file.empty() ? std::string("(config)") : file;
    message += ": ";
    message += key_path.empty() ? std::string("(top level)") : key_path;
    message += ": ";
    message += reason;
    return message;
}
}  // namespace

ConfigError::ConfigError(std::string file, std::string key_path, std::string reason)
    : std::runtime_error(compose(file, key_path, reason)),
      file_(std::move(file)),
      key_path_(key_path.empty() ? std::string("(top level)") : std::move(key_path)),
      reason_(std::move(reason)) {}

}  // namespace pgwamp::config
