// read_message (wamp/incoming_message.hpp), the Session's decoder of router
// messages, checked against msgpack-c unpacking the whole message with the
// same limits, which is what the Session did before it read field by field.
// Its list header is read by hand, so:
// - it throws nothing but ProtocolError;
// - where the whole message unpacks as a list starting with a code, it reads
//   every field, and each is the whole list's element, octet for octet;
// - where it reads every field, the whole message unpacks too (it lets
//   nothing through that unpack_limits() refused).
//
// Input: one message, as the transport hands it over.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <msgpack.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "wamp/incoming_message.hpp"
#include "wamp/session_detail.hpp"
#include "wamp/value_msgpack.hpp"

using namespace pgwamp::wamp;

namespace {

std::string packed(const msgpack::object& o) {
    msgpack::sbuffer buf;
    msgpack::pack(buf, o);
    return std::string(buf.data(), buf.size());
}

// The message unpacked whole, when it is a list starting with a code.
std::optional<msgpack::object_handle> unpack_whole(std::string_view bytes) {
    try {
        auto handle = msgpack::unpack(bytes.data(), bytes.size(), nullptr, nullptr, unpack_limits(bytes.size()));
        const auto& o = handle.get();
        if (o.type != msgpack::type::ARRAY || o.via.array.size == 0 ||
            o.via.array.ptr[0].type != msgpack::type::POSITIVE_INTEGER)
            return std::nullopt;
        return handle;
    } catch (const msgpack::unpack_error&) {
        return std::nullopt;
    }
}

void check(bool ok) {
    if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const auto whole = unpack_whole(bytes);
    std::optional<IncomingMessage> read;
    try {
        read = read_message(bytes);
    } catch (const session_detail::ProtocolError&) {
    }
    if (whole) {
        const auto& list = whole->get().via.array;
        check(read && read->unreadable.empty() && read->fields.size == list.size);
        for (std::uint32_t i = 0; i < list.size; ++i) check(packed(read->fields.ptr[i]) == packed(list.ptr[i]));
    } else if (read) {
        check(!read->unreadable.empty());
    }
    if (read) check(read->fields.size >= 1 && read->fields.ptr[0].type == msgpack::type::POSITIVE_INTEGER);
    return 0;
}
