// config::parse_config_text(): a JSON text to a Config or a ConfigError, from
// memory (load_config() only adds reading the file and its secrets).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/config.hpp"
#include "config/config_error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        (void)pgwamp::config::parse_config_text(std::string_view(reinterpret_cast<const char*>(data), size),
                                                "/fuzz/pgwamp.json");
    } catch (const pgwamp::config::ConfigError&) {
    }
    return 0;
}
