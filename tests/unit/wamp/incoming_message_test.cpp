// read_message: a router message field by field, so that a payload nested
// too deeply leaves its envelope (code, request id) readable.

#include <gtest/gtest.h>

#include "wamp/incoming_message.hpp"
#include "wamp/session_detail.hpp"
#include "wamp/value_msgpack.hpp"

using namespace pgwamp;
using namespace pgwamp::wamp;
using session_detail::ProtocolError;

namespace {

// `levels` lists, each holding the next; the innermost is empty.
Value nested(int levels) {
    Value v = Array{};
    for (int i = 1; i < levels; ++i) v = Array{v};
    return v;
}

std::string bytes(std::initializer_list<unsigned char> octets) { return std::string(octets.begin(), octets.end()); }

}  // namespace

TEST(IncomingMessage, ReadsEveryField) {
    const auto m = read_message(encode(Value(Array{68, 5, 7, Object{}, Array{1}, Object{{"k", "v"}}})));
    EXPECT_TRUE(m.unreadable.empty());
    ASSERT_EQ(m.fields.size, 6u);
    EXPECT_EQ(m.fields.ptr[0].via.u64, 68u);
    EXPECT_EQ(to_array(m.fields.ptr[4]), Array{1});
    EXPECT_EQ(to_object(m.fields.ptr[5]), (Object{{"k", "v"}}));
}

TEST(IncomingMessage, ReadsLongListHeaders) {
    for (const auto& header : {bytes({0xdc, 0x00, 0x02}), bytes({0xdd, 0x00, 0x00, 0x00, 0x02})}) {
        const auto m = read_message(header + bytes({0x32, 0x05}));  // [RESULT, 5]
        EXPECT_TRUE(m.unreadable.empty());
        ASSERT_EQ(m.fields.size, 2u);
        EXPECT_EQ(m.fields.ptr[1].via.u64, 5u);
    }
}

TEST(IncomingMessage, FieldsBeforeAnUnreadableOneSurvive) {
    const auto m = read_message(encode(Value(Array{68, 5, 7, Object{}, nested(100), Object{}})));
    EXPECT_EQ(m.unreadable, "nested deeper than 64 levels");
    ASSERT_EQ(m.fields.size, 4u);
    EXPECT_EQ(m.fields.ptr[1].via.u64, 5u);

    const auto cut = read_message(bytes({0x93, 0x32, 0x05, 0x91}));  // [RESULT, 5, [<missing>]]
    EXPECT_EQ(cut.unreadable, "not valid MessagePack (insufficient bytes)");
    EXPECT_EQ(cut.fields.size, 2u);
}

// Unpacking field by field must not let through what unpacking the whole
// message refused, nor refuse what it let through.
TEST(IncomingMessage, TheNestingLimitIsTheWholeMessagesOne) {
    int refused = 0;
    for (int levels = 60; levels <= 80; ++levels) {
        const auto message = encode(Value(Array{68, 5, 7, Object{}, nested(levels)}));
        bool whole = true;
        try {
            msgpack::unpack(message.data(), message.size(), nullptr, nullptr, unpack_limits(message.size()));
        } catch (const msgpack::depth_size_overflow&) {
            whole = false;
            ++refused;
        }
        EXPECT_EQ(read_message(message).unreadable.empty(), whole) << levels << " levels";
    }
    EXPECT_GT(refused, 0) << "the limit must lie inside the range tried";
    EXPECT_LT(refused, 21) << "the limit must lie inside the range tried";
}

TEST(IncomingMessage, NoEnvelopeIsAProtocolError) {
    for (const auto& bad : {
             std::string(), bytes({0xc1}), encode(Value("not a list")), encode(Value(Array{})),
             encode(Value(Array{"code"})), encode(Value(Array{nested(100), 5})),
             bytes({0x93, 0x32}),                            // three fields in one octet
             bytes({0xdc, 0x00}),                            // a header cut short
             bytes({0xdd, 0xff, 0xff, 0xff, 0xff, 0x32}),  // 2^32 - 1 fields: nothing allocated for them
         }) {
        EXPECT_THROW(read_message(bad), ProtocolError) << testing::PrintToString(bad);
    }
}
