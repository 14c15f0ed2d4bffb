#include "service/logging.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace pgwamp::service {

void setup_logging(config::LogLevel level) {
    // stderr, unbuffered per line: Crossbar's guest worker relays it into its own log.
    auto logger = spdlog::stderr_logger_st("pgwamp");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z level=%l %v");
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
    spdlog::set_level(static_cast<spdlog::level::level_enum>(static_cast<int>(level)));
}

}  // namespace pgwamp::service
