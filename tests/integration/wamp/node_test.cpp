// The shipped node config and the harness itself: the guest worker gets the
// secrets through its environment, the web transport serves the page.

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/integration/wamp/support.hpp"

using namespace pgwamp;
using namespace pgwamp::wamp::testing;
using test::CrossbarNode;

TEST(CrossbarNode, GuestWorkerInheritsTheSecretsFromTheEnvironment) {
    char tmpl[] = "/tmp/pgwamp-guest-XXXXXX";
    ASSERT_TRUE(::mkdtemp(tmpl));
    std::string dir = tmpl;
    auto out = dir + "/guest.out";
    CrossbarNode::Options with_guest;
    with_guest.ticket = "ticket-for-guest-test";
    // Writes what it was given, then stays up like a service would.
    with_guest.guest = CrossbarNode::Guest{
        "/bin/sh",
        {"-c", "printf '%s' \"$PGWAMP_TICKET\" > guest.tmp && mv guest.tmp guest.out; exec sleep 600"},
        dir};
    CrossbarNode guest_node(with_guest);
    // The guest starts after the router; wait for its file (bounded).
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (!std::filesystem::exists(out) && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(100ms);
    }
    ASSERT_TRUE(std::filesystem::exists(out)) << guest_node.log_tail();
    std::ifstream in(out);
    std::string got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(got, "ticket-for-guest-test");
    // The secret never shows up in Crossbar's log.
    EXPECT_EQ(guest_node.log_tail(100000).find("ticket-for-guest-test"), std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST(CrossbarNode, WebTransportServesThePage) {
    auto& node = CrossbarNode::shared();
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket s(io);
    s.connect({boost::asio::ip::make_address("127.0.0.1"), node.web_port()});
    std::string request = "GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    boost::asio::write(s, boost::asio::buffer(request));
    std::string response;
    boost::system::error_code ec;
    char buf[4096];
    for (;;) {
        auto n = s.read_some(boost::asio::buffer(buf), ec);
        response.append(buf, n);
        if (ec) break;
    }
    EXPECT_EQ(response.rfind("HTTP/1.0 200", 0), 0u) << response.substr(0, 200);
    EXPECT_NE(response.find("<html"), std::string::npos);
}
