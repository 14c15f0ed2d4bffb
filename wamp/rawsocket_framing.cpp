#include "wamp/rawsocket_framing.hpp"

#include "wamp/error.hpp"

namespace pgwamp::wamp::rawsocket {

std::uint8_t length_exponent(std::uint32_t max_length) {
    std::uint8_t e = 0;
    while (e < 15 && (std::uint64_t{1} << (9 + e)) < max_length) ++e;
    return e;
}

std::uint32_t length_from_exponent(std::uint8_t exponent) {
    std::uint64_t n = std::uint64_t{1} << (9 + (exponent & 0x0F));
    return n > max_frame_length ? max_frame_length : static_cast<std::uint32_t>(n);
}

Bytes4 make_handshake(std::uint32_t max_receive_length, std::uint8_t serializer) {
    auto l = length_exponent(max_receive_length);
    return {magic, static_cast<std::uint8_t>((l << 4) | (serializer & 0x0F)), 0, 0};
}

HandshakeReply parse_handshake_reply(const Bytes4& reply, std::uint8_t serializer) {
    HandshakeReply r;
    if (reply[0] != magic || reply[2] != 0 || reply[3] != 0) {
        r.error = Errc::handshake_failed;
        return r;
    }
    std::uint8_t s = reply[1] & 0x0F;
    if (s == 0) {  // refusal: the high nibble says why
        r.error = Errc::handshake_failed;
        r.refusal_reason = reply[1] >> 4;
        return r;
    }
    if (s != serializer) {
        r.error = Errc::handshake_failed;
        return r;
    }
    r.max_send_length = length_from_exponent(reply[1] >> 4);
    return r;
}

const char* refusal_text(std::uint8_t reason) {
    switch (reason) {
        case 0: return "illegal (must not be used)";
        case 1: return "serializer unsupported";
        case 2: return "maximum message length unacceptable";
        case 3: return "use of reserved bits (unsupported feature)";
        case 4: return "maximum connection count reached";
        default: return "unknown reason";
    }
}

Bytes4 encode_header(FrameType type, std::uint32_t length) {
    return {static_cast<std::uint8_t>(type), static_cast<std::uint8_t>(length >> 16),
            static_cast<std::uint8_t>(length >> 8), static_cast<std::uint8_t>(length)};
}

std::error_code decode_header(const Bytes4& bytes, std::uint32_t max_receive_length, FrameHeader& out) {
    if ((bytes[0] & 0xF8) != 0) return Errc::protocol_violation;
    auto type = bytes[0] & 0x07;
    if (type > 2) return Errc::protocol_violation;
    std::uint32_t length = (std::uint32_t{bytes[1]} << 16) | (std::uint32_t{bytes[2]} << 8) | bytes[3];
    if (length > max_receive_length) return Errc::message_too_large;
    out.type = static_cast<FrameType>(type);
    out.length = length;
    return {};
}

}  // namespace pgwamp::wamp::rawsocket
