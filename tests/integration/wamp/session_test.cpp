// Session (one join, no reconnect) against the real router: refusals come
// back as clear errors with the router's reason.

#include <gtest/gtest.h>

#include "tests/integration/wamp/support.hpp"
#include "wamp/session.hpp"
#include "wamp/transport.hpp"

using namespace pgwamp;
using namespace pgwamp::wamp;
using namespace pgwamp::wamp::testing;
using test::CrossbarNode;

namespace {

struct JoinResult {
    bool done = false;
    std::error_code ec;
    std::string reason;
};

JoinResult try_join(boost::asio::io_context& io, const CrossbarNode& node, SessionOptions options,
                    Via via = Via::tcp) {
    auto transport = make_transport(io, endpoint_of(node, via), TransportOptions{});
    std::optional<std::error_code> connected;
    transport->connect([&](std::error_code ec) { connected = ec; });
    EXPECT_TRUE(run_until(io, [&] { return connected.has_value(); }));
    EXPECT_FALSE(*connected) << connected->message();
    auto session = std::make_shared<Session>(io, transport, std::move(options));
    JoinResult result;
    session->join(
        [&](std::error_code ec, std::string reason) {
            result.done = true;
            result.ec = ec;
            result.reason = std::move(reason);
        },
        [](std::error_code) {});
    EXPECT_TRUE(run_until(io, [&] { return result.done; }));
    session->abort(Errc::stopped);
    return result;
}

}  // namespace

TEST(Session, WrongTicketIsRefusedWithTheRoutersReason) {
    boost::asio::io_context io;
    auto& node = CrossbarNode::shared();
    auto r = try_join(io, node, {node.realm(), node.authid(), "ticket", "not-the-ticket"});
    EXPECT_EQ(r.ec, Errc::join_aborted);
    EXPECT_FALSE(r.reason.empty());
    EXPECT_NE(r.reason.find("wamp.error."), std::string::npos) << r.reason;
}

TEST(Session, WrongWampCraSecretIsRefused) {
    boost::asio::io_context io;
    auto& node = CrossbarNode::shared();
    auto r = try_join(io, node, {node.realm(), node.authid(), "wampcra", "not-the-secret"}, Via::websocket);
    EXPECT_EQ(r.ec, Errc::join_aborted);
}

TEST(Session, AnonymousIsNotOfferedOnTheServiceTransport) {
    boost::asio::io_context io;
    auto& node = CrossbarNode::shared();
    auto r = try_join(io, node, {node.realm(), "", "anonymous", ""});
    EXPECT_EQ(r.ec, Errc::join_aborted);
}

// The service's WebSocket path (/ws) admits the service only: a browser
// there would hold the page's permissions outside the page's path.
TEST(Session, AnonymousIsNotOfferedOnTheServiceWebSocketPath) {
    boost::asio::io_context io;
    auto& node = CrossbarNode::shared();
    auto r = try_join(io, node, {node.realm(), "", "anonymous", ""}, Via::websocket);
    EXPECT_EQ(r.ec, Errc::join_aborted);
}

TEST(Session, UnknownRealmIsRefused) {
    boost::asio::io_context io;
    auto& node = CrossbarNode::shared();
    auto r = try_join(io, node, {"no.such.realm", node.authid(), "ticket", node.ticket()});
    EXPECT_EQ(r.ec, Errc::join_aborted);
    EXPECT_FALSE(r.reason.empty());
}

TEST(Session, RightTicketJoins) {
    boost::asio::io_context io;
    auto& node = CrossbarNode::shared();
    auto r = try_join(io, node, {node.realm(), node.authid(), "ticket", node.ticket()});
    EXPECT_FALSE(r.ec) << r.ec.message() << " " << r.reason;
}
