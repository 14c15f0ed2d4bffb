#include <gtest/gtest.h>

#include "wamp/endpoint.hpp"

using namespace pgwamp::wamp;

TEST(Endpoint, ParsesTheThreeKinds) {
    auto t = Endpoint::parse("tcp://127.0.0.1:8081");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->kind, Endpoint::Kind::tcp);
    EXPECT_EQ(t->host, "127.0.0.1");
    EXPECT_EQ(t->port, 8081);
    auto u = Endpoint::parse("unix:///tmp/router.sock");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->kind, Endpoint::Kind::unix_socket);
    EXPECT_EQ(u->path, "/tmp/router.sock");
    auto w = Endpoint::parse("ws://127.0.0.1:8080/ws");
    ASSERT_TRUE(w);
    EXPECT_EQ(w->kind, Endpoint::Kind::websocket);
    EXPECT_EQ(w->url, "ws://127.0.0.1:8080/ws");
    EXPECT_EQ(t->to_string(), "tcp://127.0.0.1:8081");
    auto rs = Endpoint::parse("rs://localhost:9000");
    ASSERT_TRUE(rs);
    EXPECT_EQ(rs->kind, Endpoint::Kind::tcp);
    EXPECT_EQ(rs->host, "localhost");
    EXPECT_EQ(rs->port, 9000);
    EXPECT_FALSE(t->tls || u->tls || w->tls || rs->tls);
}

TEST(Endpoint, ParsesTheTlsForms) {
    auto r = Endpoint::parse("rss://router.example.org:8443");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->kind, Endpoint::Kind::tcp);
    EXPECT_TRUE(r->tls);
    EXPECT_EQ(r->host, "router.example.org");
    EXPECT_EQ(r->port, 8443);
    EXPECT_EQ(r->to_string(), "rss://router.example.org:8443");
    auto w = Endpoint::parse("wss://router.example.org/ws");
    ASSERT_TRUE(w);
    EXPECT_EQ(w->kind, Endpoint::Kind::websocket);
    EXPECT_TRUE(w->tls);
    EXPECT_TRUE(Endpoint::websocket("wss://h/ws").tls);
    EXPECT_TRUE(Endpoint::tcp("h", 1, true).tls);
}

TEST(Endpoint, RefusesWithAReason) {
    std::string error;
    for (const char* bad : {"", "http://x", "tcp://host", "tcp://:80", "tcp://h:0", "tcp://h:70000", "tcp://h:8x",
                            "unix://relative", "wss://", "rss://h", "ws://"}) {
        error.clear();
        EXPECT_FALSE(Endpoint::parse(bad, &error)) << bad;
        EXPECT_NE(error.find(bad), std::string::npos) << error;
    }
}
