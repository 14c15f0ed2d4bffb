#pragma once
// WAMP RawSocket framing, without I/O (the transport does the socket work).
//
// Handshake, both directions four octets:
//   client -> router: 0x7F | LLLL SSSS | 0x00 | 0x00
//   router -> client: 0x7F | LLLL SSSS | 0x00 | 0x00   (accepted)
//                     0x7F | EEEE 0000 | 0x00 | 0x00   (refused, EEEE = reason)
// LLLL: the sender will accept messages up to 2^(9+LLLL) octets.
// SSSS: serializer, 1 = JSON, 2 = MessagePack.
//
// Every frame after the handshake:
//   RRRRR TTT | length (24 bits, big endian) | payload
// TTT: 0 = WAMP message, 1 = PING, 2 = PONG. RRRRR must be zero.

#include <array>
#include <cstdint>
#include <system_error>

namespace pgwamp::wamp::rawsocket {

inline constexpr std::uint8_t magic = 0x7F;
inline constexpr std::uint8_t serializer_json = 1;
inline constexpr std::uint8_t serializer_msgpack = 2;
inline constexpr std::uint32_t min_max_length = 1u << 9;    // 512 octets, LLLL = 0
inline constexpr std::uint32_t max_max_length = 1u << 24;   // 16 MiB, LLLL = 15
// A 24-bit length field cannot say 2^24, so the largest frame payload is one less.
inline constexpr std::uint32_t max_frame_length = (1u << 24) - 1;

using Bytes4 = std::array<std::uint8_t, 4>;

// The LLLL exponent announcing at least `max_length` octets (clamped to 0..15).
std::uint8_t length_exponent(std::uint32_t max_length);
// The octet count an exponent stands for, capped at max_frame_length.
std::uint32_t length_from_exponent(std::uint8_t exponent);

Bytes4 make_handshake(std::uint32_t max_receive_length, std::uint8_t serializer = serializer_msgpack);

struct HandshakeReply {
    std::error_code error;            // handshake_failed when refused or malformed
    std::uint8_t refusal_reason = 0;  // EEEE when the router refused
    std::uint32_t max_send_length = 0;  // what the router accepts from us
};
HandshakeReply parse_handshake_reply(const Bytes4& reply, std::uint8_t serializer = serializer_msgpack);
// Human text for EEEE, for logs.
const char* refusal_text(std::uint8_t reason);

enum class FrameType : std::uint8_t { message = 0, ping = 1, pong = 2 };

struct FrameHeader {
    FrameType type = FrameType::message;
    std::uint32_t length = 0;
};

Bytes4 encode_header(FrameType type, std::uint32_t length);

// Decodes a header and checks it before a single payload octet is read: the
// length must not exceed what we announced (max_receive_length), reserved bits
// must be zero and the type known. The length prefix is untrusted input.
std::error_code decode_header(const Bytes4& bytes, std::uint32_t max_receive_length, FrameHeader& out);

}  // namespace pgwamp::wamp::rawsocket
