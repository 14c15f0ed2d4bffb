#include "wamp/incoming_message.hpp"

#include <cstdint>
#include <optional>
#include <string>

#include "wamp/session_detail.hpp"
#include "wamp/value_msgpack.hpp"

namespace pgwamp::wamp {
namespace {

using session_detail::ProtocolError;

struct ListHeader {
    std::uint32_t count;
    std::size_t length;  // octets, before the first element
};

// The header of the MessagePack array `bytes` start with (fixarray, array 16
// or array 32), read by hand: msgpack-c unpacks an array only together with
// its elements.
std::optional<ListHeader> list_header(std::string_view bytes) {
    if (bytes.empty()) return std::nullopt;
    const auto octet = [&](std::size_t i) {
        return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i]));
    };
    if ((octet(0) & 0xf0) == 0x90) return ListHeader{octet(0) & 0x0f, 1};
    const std::size_t width = octet(0) == 0xdc ? 2 : octet(0) == 0xdd ? 4 : 0;
    if (width == 0 || bytes.size() <= width) return std::nullopt;
    std::uint32_t count = 0;
    for (std::size_t i = 1; i <= width; ++i) count = count << 8 | octet(i);
    return ListHeader{count, 1 + width};
}

}  // namespace

IncomingMessage read_message(std::string_view bytes) {
    const auto header = list_header(bytes);
    if (!header) throw ProtocolError("message is not a list");
    std::size_t offset = header->length;
    // Every field takes an octet at least: a longer list is garbage, and
    // would have us allocate for fields that are not there.
    if (header->count > bytes.size() - offset) throw ProtocolError("message lists more fields than it has octets");

    IncomingMessage m;
    m.fields.ptr = static_cast<msgpack::object*>(
        m.zone.allocate_align(header->count * sizeof(msgpack::object), alignof(msgpack::object)));
    // Unpacked on its own, a field no longer has the message's list around it
    // counting towards the nesting limit: one level less keeps it where it was.
    const auto whole = unpack_limits(bytes.size());
    const msgpack::unpack_limit limits(whole.array(), whole.map(), whole.str(), whole.bin(), whole.ext(),
                                       whole.depth() - 1);
    for (; m.fields.size < header->count; ++m.fields.size) {
        try {
            m.fields.ptr[m.fields.size] =
                msgpack::unpack(m.zone, bytes.data(), bytes.size(), offset, nullptr, nullptr, limits);
        } catch (const msgpack::depth_size_overflow&) {
            m.unreadable = "nested deeper than " + std::to_string(max_depth) + " levels";
            break;
        } catch (const msgpack::unpack_error& e) {
            m.unreadable = std::string("not valid MessagePack (") + e.what() + ")";
            break;
        }
    }
    if (m.fields.size == 0 || m.fields.ptr[0].type != msgpack::type::POSITIVE_INTEGER) {
        throw ProtocolError("message is not a list starting with a message code");
    }
    return m;
}

}  // namespace pgwamp::wamp
