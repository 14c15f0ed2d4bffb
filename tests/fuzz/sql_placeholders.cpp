// config::scan_placeholders(): the $n placeholders of a configured statement.
// Never throws; what it finds is ascending, distinct and within 1..65535.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "config/sql_placeholders.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto scan = pgwamp::config::scan_placeholders(std::string_view(reinterpret_cast<const char*>(data), size));
    unsigned previous = 0;
    for (unsigned n : scan.numbers) {
        if (n <= previous || n > 65535) std::abort();
        previous = n;
    }
    return 0;
}
