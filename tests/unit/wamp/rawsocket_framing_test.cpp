#include <gtest/gtest.h>

#include "wamp/error.hpp"
#include "wamp/rawsocket_framing.hpp"

using namespace pgwamp::wamp;
using namespace pgwamp::wamp::rawsocket;

TEST(RawSocketFraming, LengthExponentRoundsUpToPowerOfTwo) {
    EXPECT_EQ(length_exponent(0), 0);
    EXPECT_EQ(length_exponent(512), 0);
    EXPECT_EQ(length_exponent(513), 1);
    EXPECT_EQ(length_exponent(1u << 20), 11);
    EXPECT_EQ(length_exponent(1u << 24), 15);
    EXPECT_EQ(length_exponent(0xFFFFFFFF), 15);  // clamped
    EXPECT_EQ(length_from_exponent(0), 512u);
    EXPECT_EQ(length_from_exponent(11), 1u << 20);
    // 2^24 does not fit the 24-bit length field.
    EXPECT_EQ(length_from_exponent(15), max_frame_length);
}

TEST(RawSocketFraming, HandshakeRequestCarriesLengthAndSerializer) {
    auto h = make_handshake(1u << 20);
    EXPECT_EQ(h[0], 0x7F);
    EXPECT_EQ(h[1], (11 << 4) | 2);
    EXPECT_EQ(h[2], 0);
    EXPECT_EQ(h[3], 0);
}

TEST(RawSocketFraming, AcceptedHandshakeGivesRouterLimit) {
    auto r = parse_handshake_reply({0x7F, (8 << 4) | 2, 0, 0});
    EXPECT_FALSE(r.error);
    EXPECT_EQ(r.max_send_length, 1u << 17);
}

TEST(RawSocketFraming, RefusedHandshakeGivesReason) {
    auto r = parse_handshake_reply({0x7F, 1 << 4, 0, 0});
    EXPECT_EQ(r.error, Errc::handshake_failed);
    EXPECT_EQ(r.refusal_reason, 1);
    EXPECT_STREQ(refusal_text(1), "serializer unsupported");
}

TEST(RawSocketFraming, MalformedHandshakeReplies) {
    EXPECT_EQ(parse_handshake_reply({0x00, 0x82, 0, 0}).error, Errc::handshake_failed);  // no magic
    EXPECT_EQ(parse_handshake_reply({0x7F, 0x82, 1, 0}).error, Errc::handshake_failed);  // reserved
    EXPECT_EQ(parse_handshake_reply({0x7F, 0x81, 0, 0}).error, Errc::handshake_failed);  // JSON, not ours
    // HTTP instead of RawSocket: "HTTP"
    EXPECT_EQ(parse_handshake_reply({'H', 'T', 'T', 'P'}).error, Errc::handshake_failed);
}

TEST(RawSocketFraming, HeaderRoundTrip) {
    for (std::uint32_t len : {0u, 1u, 255u, 256u, 65536u, max_frame_length}) {
        auto bytes = encode_header(FrameType::message, len);
        FrameHeader h;
        ASSERT_FALSE(decode_header(bytes, max_frame_length, h)) << len;
        EXPECT_EQ(h.length, len);
        EXPECT_EQ(h.type, FrameType::message);
    }
    FrameHeader h;
    ASSERT_FALSE(decode_header(encode_header(FrameType::ping, 3), 1024, h));
    EXPECT_EQ(h.type, FrameType::ping);
}

TEST(RawSocketFraming, LengthAboveAnnouncedMaximumIsRefusedBeforeReading) {
    FrameHeader h;
    h.length = 42;
    EXPECT_EQ(decode_header(encode_header(FrameType::message, 1025), 1024, h), Errc::message_too_large);
    EXPECT_EQ(h.length, 42u);  // untouched on error
    EXPECT_FALSE(decode_header(encode_header(FrameType::message, 1024), 1024, h));
}

TEST(RawSocketFraming, ReservedBitsAndUnknownTypesAreProtocolViolations) {
    FrameHeader h;
    EXPECT_EQ(decode_header({0x08, 0, 0, 1}, 1024, h), Errc::protocol_violation);
    EXPECT_EQ(decode_header({0x03, 0, 0, 1}, 1024, h), Errc::protocol_violation);
    EXPECT_EQ(decode_header({0x80, 0, 0, 1}, 1024, h), Errc::protocol_violation);
}
