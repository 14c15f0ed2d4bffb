#pragma once
// Wires the parts together on one io_context: config -> pool -> procedures and
// topics -> WAMP client; and shuts down in order on SIGINT/SIGTERM.

#include "config/config.hpp"

namespace pgwamp::service {

// What config/ cannot know: the URIs pgwamp registers itself (now.v1-v4).
// Throws config::ConfigError when a declared procedure would collide.
void check_service_config(const config::Config& config);

// Runs until SIGINT/SIGTERM; returns the process exit status (0 on a clean
// shutdown). A database or router that is down at start is not fatal: the
// pool and the client keep reconnecting, calls fail with
// error_uri::unavailable meanwhile.
int run(config::Config config);

}  // namespace pgwamp::service
