#pragma once
// Structured log lines: "2026-11-21T07:00:00.123+0000 level=info event=... key=value".
// One line per event so they can be grepped and parsed; secrets never reach here
// (config::Secret formats as <redacted>).

#include "config/config.hpp"

namespace pgwamp::service {

void setup_logging(config::LogLevel level);

}  // namespace pgwamp::service
