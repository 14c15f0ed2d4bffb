// pgwamp: joins a WAMP realm, serves PostgreSQL through procedures, and
// republishes NOTIFY as events. See README.md and docs/config.md.

#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "service/application.hpp"
#include "service/drop_slot.hpp"
#include "service/logging.hpp"

#ifndef PGWAMP_VERSION
#define PGWAMP_VERSION "0.0.0"
#endif

namespace {

constexpr std::string_view usage =
    "usage: pgwamp [--config FILE] [--check | --drop-slot] [--version] [--help]\n"
    "\n"
    "  --config FILE  the service's configuration (default: config/pgwamp.json)\n"
    "  --check        validate the configuration, including its secrets, and exit\n"
    "  --drop-slot    drop the changes section's replication slot (when retiring\n"
    "                 pgwamp, so PostgreSQL stops keeping WAL for it) and exit\n"
    "  --version      print the version and exit\n"
    "  --help         print this help and exit\n"
    "\n"
    "Exit status: 0 on success or a clean shutdown (SIGINT/SIGTERM), 1 on a bad\n"
    "configuration, 2 on bad usage, 3 when router.reconnect.max_attempts ran out,\n"
    "4 when --drop-slot could not drop the slot.\n";

struct Options {
    std::string config = "config/pgwamp.json";
    bool check = false;
    bool drop_slot = false;
};

}  // namespace

int main(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::cout << usage;
            return 0;
        }
        if (arg == "--version") {
            std::cout << "pgwamp " << PGWAMP_VERSION << "\n";
            return 0;
        }
        if (arg == "--check") {
            options.check = true;
        } else if (arg == "--drop-slot") {
            options.drop_slot = true;
        } else if (arg == "--config" && i + 1 < argc) {
            options.config = argv[++i];
        } else if (arg.starts_with("--config=")) {
            options.config = std::string(arg.substr(9));
        } else {
            std::cerr << "pgwamp: unknown argument '" << arg << "'\n" << usage;
            return 2;
        }
    }

    pgwamp::config::Config config;
    try {
        config = pgwamp::config::load_config(options.config);
        pgwamp::service::check_service_config(config);
    } catch (const pgwamp::config::ConfigError& e) {
        std::cerr << "pgwamp: " << e.what() << "\n";
        return 1;
    }
    if (options.drop_slot) return pgwamp::service::drop_slot(config);
    if (options.check) {
        std::cout << options.config << ": ok (" << config.procedures.size() << " procedures, "
                  << config.notifications.size() << " notification channels)\n";
        return 0;
    }

    pgwamp::service::setup_logging(config.service.log_level);
    try {
        return pgwamp::service::run(std::move(config));
    } catch (const std::exception& e) {
        std::cerr << "pgwamp: fatal: " << e.what() << "\n";
        return 1;
    }
}
