// The RawSocket transport against a scripted peer on a loopback socket: the
// peer's bytes are written by hand so we can send what no real router would
// (oversize length prefixes, never reading) and check our side's reaction.

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <chrono>
#include <optional>

#include "wamp/error.hpp"
#include "wamp/rawsocket_framing.hpp"
#include "tests/support/run_until.hpp"
#include "wamp/rawsocket_transport.hpp"

using namespace pgwamp::wamp;
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

struct Peer {
    asio::io_context& io;
    tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
    tcp::socket socket{io};
    std::uint16_t port() const { return acceptor.local_endpoint().port(); }
};

using pgwamp::test::run_until;

struct Fixture : ::testing::Test {
    asio::io_context io;
    Peer peer{io};
    std::shared_ptr<RawSocketTransport> transport;
    std::optional<std::error_code> connected, closed;
    int close_count = 0;
    std::vector<std::string> received;

    // Connects with the peer answering the handshake with `reply`.
    void connect(rawsocket::Bytes4 reply, TransportOptions options = {}) {
        transport = std::make_shared<RawSocketTransport>(io, Endpoint::tcp("127.0.0.1", peer.port()), options);
        transport->set_handlers([this](std::string_view p) { received.emplace_back(p); },
                                [this](std::error_code ec) {
                                    closed = ec;
                                    ++close_count;
                                });
        peer.acceptor.async_accept(peer.socket, [this, reply](boost::system::error_code ec) {
            ASSERT_FALSE(ec);
            auto hello = std::make_shared<rawsocket::Bytes4>();
            asio::async_read(peer.socket, asio::buffer(*hello), [this, hello, reply](boost::system::error_code rec, std::size_t) {
                ASSERT_FALSE(rec);
                EXPECT_EQ((*hello)[0], 0x7F);
                auto r = std::make_shared<rawsocket::Bytes4>(reply);
                asio::async_write(peer.socket, asio::buffer(*r), [r](boost::system::error_code, std::size_t) {});
            });
        });
        bool inline_call = true;
        transport->connect([this, &inline_call](std::error_code ec) {
            EXPECT_FALSE(inline_call) << "connect completed inside connect()";
            connected = ec;
        });
        inline_call = false;
        ASSERT_TRUE(run_until(io, [&] { return connected.has_value(); }));
    }

    void peer_write(std::string bytes) {
        auto b = std::make_shared<std::string>(std::move(bytes));
        asio::async_write(peer.socket, asio::buffer(*b), [b](boost::system::error_code, std::size_t) {});
    }
};

std::string frame(std::uint32_t length, std::string_view payload) {
    auto h = rawsocket::encode_header(rawsocket::FrameType::message, length);
    return std::string(reinterpret_cast<const char*>(h.data()), 4) + std::string(payload);
}

}  // namespace

TEST_F(Fixture, HandshakeNegotiatesLimitsAndMessagesFlow) {
    connect({0x7F, (0 << 4) | 2, 0, 0});  // router accepts 512 octets from us
    ASSERT_FALSE(*connected);
    EXPECT_TRUE(transport->is_open());
    EXPECT_EQ(transport->max_send_size(), 512u);
    peer_write(frame(5, "hello"));
    ASSERT_TRUE(run_until(io, [&] { return !received.empty(); }));
    EXPECT_EQ(received[0], "hello");
}

TEST_F(Fixture, OversizeOutgoingMessageIsRefusedAndConnectionSurvives) {
    connect({0x7F, (0 << 4) | 2, 0, 0});
    EXPECT_EQ(transport->send(std::string(513, 'x')), Errc::message_too_large);
    EXPECT_FALSE(transport->send(std::string(512, 'x')));
    EXPECT_TRUE(transport->is_open());
    // The peer sees exactly the 512-octet frame.
    std::array<char, 516> got{};
    boost::system::error_code ec;
    asio::read(peer.socket, asio::buffer(got), ec);  // blocking on the peer side is fine: transport already wrote
    ASSERT_FALSE(ec);
    EXPECT_EQ(static_cast<unsigned char>(got[2]), 2u);  // 0x000200 = 512
}

TEST_F(Fixture, OversizeIncomingLengthClosesBeforeReadingThePayload) {
    TransportOptions options;
    options.max_message_size = 1024;
    connect({0x7F, (15 << 4) | 2, 0, 0}, options);
    ASSERT_FALSE(*connected);
    peer_write(frame(0xFFFFFF, ""));  // claims 16 MiB, sends nothing
    ASSERT_TRUE(run_until(io, [&] { return closed.has_value(); }));
    EXPECT_EQ(*closed, Errc::message_too_large);
    EXPECT_TRUE(received.empty());
    EXPECT_FALSE(transport->is_open());
}

TEST_F(Fixture, SendQueueIsBoundedWhenThePeerNeverReads) {
    TransportOptions options;
    options.send_queue_bytes = 256 * 1024;
    connect({0x7F, (15 << 4) | 2, 0, 0}, options);
    std::string chunk(60000, 'y');
    std::error_code ec;
    int sent = 0;
    // Kernel buffers absorb a few MB; the queue bound must bite after that.
    for (; sent < 2000 && !ec; ++sent) {
        ec = transport->send(chunk);
        io.poll();
    }
    EXPECT_EQ(ec, Errc::send_queue_full);
    EXPECT_LE(transport->queued_bytes(), options.send_queue_bytes + chunk.size() + 4);
    EXPECT_TRUE(transport->is_open());  // overflow is an error for the message, not the connection
}

TEST_F(Fixture, PeerCloseIsReportedExactlyOnce) {
    connect({0x7F, (15 << 4) | 2, 0, 0});
    peer.socket.close();
    ASSERT_TRUE(run_until(io, [&] { return closed.has_value(); }));
    EXPECT_EQ(*closed, Errc::connection_lost);
    EXPECT_EQ(transport->send("x"), Errc::not_connected);
    io.run_for(std::chrono::milliseconds(100));
    EXPECT_EQ(close_count, 1);
}

TEST_F(Fixture, RefusedHandshakeFailsConnect) {
    connect({0x7F, 1 << 4, 0, 0});  // serializer unsupported
    EXPECT_EQ(*connected, Errc::handshake_failed);
    EXPECT_FALSE(transport->is_open());
}

TEST(RawSocketTransport, ConnectRefusedIsReported) {
    asio::io_context io;
    std::uint16_t port;
    {
        tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        port = a.local_endpoint().port();
    }  // closed again: nothing listens there now
    auto t = std::make_shared<RawSocketTransport>(io, Endpoint::tcp("127.0.0.1", port), TransportOptions{});
    std::optional<std::error_code> result;
    t->connect([&](std::error_code ec) { result = ec; });
    ASSERT_TRUE(run_until(io, [&] { return result.has_value(); }));
    EXPECT_TRUE(*result);
}
