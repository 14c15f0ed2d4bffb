#pragma once
// The effective configuration, defaults filled in, as JSON in the file's own
// shape: for a startup log line or a "print config" option. It parses back
// to the same configuration. Secrets appear only as where they come from
// ("secret_env": "PGWAMP_TICKET"), never as values; relative paths appear
// resolved against the config's directory.

#include <nlohmann/json.hpp>

#include "config/config.hpp"

namespace pgwamp::config {

nlohmann::json describe_config(const Config& config);

}  // namespace pgwamp::config
