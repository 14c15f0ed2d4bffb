#include "bench_client.hpp"
#include "connection.hpp"

#include <gtest/gtest.h>

using namespace pgwamp::bench;

TEST(ParseRawsocketUrl, AcceptsRsAndTcpWithNumericHost) {
    auto e = parse_rawsocket_url("rs://127.0.0.1:8081");
    EXPECT_EQ(e.port(), 8081);
    EXPECT_EQ(e.address().to_string(), "127.0.0.1");
    EXPECT_EQ(parse_rawsocket_url("tcp://127.0.0.1:1").port(), 1);
}

TEST(ParseRawsocketUrl, RejectsWithAReason) {
    for (const char* bad : {"ws://127.0.0.1:8080/ws", "rs://127.0.0.1", "rs://127.0.0.1:0", "rs://127.0.0.1:70000",
                            "rs://localhost:8081", "rs://127.0.0.1:80x", ""}) {
        EXPECT_THROW(parse_rawsocket_url(bad), std::invalid_argument) << bad;
    }
}

TEST(ParseEndpoint, MapsRsToWampTcpAndKeepsOtherForms) {
    auto e = parse_endpoint("rs://127.0.0.1:9000");
    EXPECT_EQ(e.kind, pgwamp::wamp::Endpoint::Kind::tcp);
    EXPECT_EQ(e.port, 9000);
    EXPECT_EQ(parse_endpoint("ws://127.0.0.1:8080/ws").kind, pgwamp::wamp::Endpoint::Kind::websocket);
    EXPECT_THROW(parse_endpoint("http://127.0.0.1:1"), std::invalid_argument);
}

TEST(MakeClient, RejectsUnknownKind) {
    boost::asio::io_context io;
    EXPECT_THROW(make_client("zmq", io, "rs://127.0.0.1:1", "realm1"), std::invalid_argument);
    EXPECT_THROW(make_client("autobahn", io, "ws://127.0.0.1:1/ws", "realm1"), std::invalid_argument);
}
