// wamp::decode(): a MessagePack payload from the router to a Value.
// A Value or a ValueError are the only answers; a value we decoded must also
// survive encode -> decode unchanged (compared as bytes, so NaN equals itself).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "wamp/value_msgpack.hpp"

using namespace pgwamp::wamp;
using pgwamp::Value;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string once;
    try {
        once = encode(decode(std::string_view(reinterpret_cast<const char*>(data), size)));
    } catch (const ValueError&) {
        return 0;
    }
    if (encode(decode(once)) != once) std::abort();
    return 0;
}
