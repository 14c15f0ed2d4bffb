// RawSocket framing as the transport reads it: the router's 4-octet handshake
// reply, then frame headers, each followed by its payload (skipped here).
// Input: [max_receive exponent][reply: 4][header: 4][payload]...
// Checks that an accepted header is within bounds and encodes back to itself,
// and that an accepted reply announces a length the spec allows.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "wamp/rawsocket_framing.hpp"

using namespace pgwamp::wamp::rawsocket;

namespace {

Bytes4 take4(const std::uint8_t*& data, std::size_t& size) {
    Bytes4 out{};
    std::memcpy(out.data(), data, out.size());
    data += out.size();
    size -= out.size();
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 5) return 0;
    const std::uint32_t max_receive = length_from_exponent(data[0]);
    ++data;
    --size;
    if (length_from_exponent(length_exponent(max_receive)) != max_receive) std::abort();

    const auto reply = parse_handshake_reply(take4(data, size));
    if (!reply.error && (reply.max_send_length < min_max_length || reply.max_send_length > max_frame_length))
        std::abort();
    if (reply.error && refusal_text(reply.refusal_reason) == nullptr) std::abort();

    while (size >= 4) {
        const Bytes4 bytes = take4(data, size);
        FrameHeader header;
        if (decode_header(bytes, max_receive, header)) return 0;  // the transport closes here
        if (header.length > max_receive || encode_header(header.type, header.length) != bytes) std::abort();
        const std::size_t skip = header.length < size ? header.length : size;
        data += skip;
        size -= skip;
    }
    return 0;
}
