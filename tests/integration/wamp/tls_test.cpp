// TLS to a real Crossbar: the node gets a TLS RawSocket transport and a TLS
// web transport (certificates made per test run); the client joins over
// both with the right CA, and refuses a router whose certificate is signed
// by another CA or names another host, saying why in the log.

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>
#include <thread>

#include "tests/integration/wamp/support.hpp"
#include "tests/support/ports.hpp"
#include "tests/support/test_certificates.hpp"

using namespace pgwamp;
using namespace pgwamp::wamp;
using namespace pgwamp::wamp::testing;
using test::CrossbarNode;
using test::TestCertificates;

namespace {

// One node for the whole file: the shipped config plus a TLS copy of the
// RawSocket transport (one more that also demands a client certificate)
// and of the web transport.
struct TlsNode {
    TestCertificates certs;
    std::uint16_t rss_port = test::free_tcp_port();
    std::uint16_t wss_port = test::free_tcp_port();
    std::uint16_t mtls_port = test::free_tcp_port();
    CrossbarNode node{options()};

    CrossbarNode::Options options() {
        CrossbarNode::Options o;
        o.edit = [this](nlohmann::json& config) {
            const nlohmann::json tls = {{"key", certs.server_key_file()},
                                        {"certificate", certs.server_cert_file()}};
            for (auto& worker : config.at("workers")) {
                if (worker.value("type", "") != "router") continue;
                auto& transports = worker.at("transports");
                nlohmann::json extra = nlohmann::json::array();
                for (const auto& t : transports) {
                    if (t.value("id", "") == "rawsocket_tcp") {
                        auto copy = t;
                        copy["id"] = "rawsocket_tls";
                        copy["endpoint"]["port"] = rss_port;
                        copy["endpoint"]["tls"] = tls;
                        extra.push_back(copy);
                        copy["id"] = "rawsocket_mtls";
                        copy["endpoint"]["port"] = mtls_port;
                        copy["endpoint"]["tls"]["ca_certificates"] = {certs.ca_file()};
                        extra.push_back(copy);
                    } else if (t.value("type", "") == "web") {
                        auto copy = t;
                        copy["id"] = "web_tls";
                        copy["endpoint"]["port"] = wss_port;
                        copy["endpoint"]["tls"] = tls;
                        extra.push_back(copy);
                    }
                }
                for (auto& t : extra) transports.push_back(t);
            }
        };
        return o;
    }

    TlsNode() {
        // The node is ready when its plain transports are; the TLS ones
        // start alongside but are not waited for by CrossbarNode.
        auto deadline = std::chrono::steady_clock::now() + 30s;
        auto all = [&] { return test::tcp_accepts(rss_port) && test::tcp_accepts(wss_port) && test::tcp_accepts(mtls_port); };
        while (!all() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(100ms);
        if (!all())
            throw std::runtime_error("TLS transports did not start; log tail:\n" + node.log_tail());
    }

    static TlsNode& shared() {
        static TlsNode n;
        return n;
    }
};

enum class Tls { rawsocket, websocket };

// Captures what the client logs while a test runs.
struct LogCapture {
    std::ostringstream out;
    std::shared_ptr<spdlog::logger> previous = spdlog::default_logger();
    LogCapture() {
        auto logger = std::make_shared<spdlog::logger>("capture",
                                                       std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
        logger->set_level(spdlog::level::debug);
        spdlog::set_default_logger(logger);
    }
    ~LogCapture() { spdlog::set_default_logger(previous); }
    std::string text() const { return out.str(); }
};

struct TlsTest : ::testing::TestWithParam<Tls> {
    boost::asio::io_context io;
    TlsNode& tls = TlsNode::shared();

    ClientOptions options(const std::string& ca_file) {
        auto o = service_options(tls.node, Via::tcp, "ticket");
        o.endpoint = GetParam() == Tls::rawsocket
                         ? Endpoint::tcp("127.0.0.1", tls.rss_port, true)
                         : Endpoint::websocket("wss://127.0.0.1:" + std::to_string(tls.wss_port) + "/ws");
        o.tls.ca_file = ca_file;
        return o;
    }

    // Runs a client for a few attempts: it must never join.
    void expect_refused(ClientOptions o, LogCapture& log) {
        Client client(io, std::move(o));
        client.start();
        EXPECT_FALSE(run_until(io, [&] { return client.state() == ClientState::joined; }, 2s));
        bool stopped = false;
        client.stop([&] { stopped = true; });
        run_until(io, [&] { return stopped; });
        EXPECT_NE(log.text().find("event=tls_certificate_refused"), std::string::npos) << log.text();
    }
};

}  // namespace

TEST_P(TlsTest, JoinsAndCallsWithTheRightCa) {
    Client callee(io, options(tls.certs.ca_file()));
    callee.provide("com.example.test.tls_echo", [](Invocation inv) { inv.reply(inv.args()); });
    start_and_join(io, callee);
    auto r = call_sync(io, callee, "com.example.test.tls_echo", {"over", "tls"});
    ASSERT_FALSE(r.error) << r.error_uri();
    EXPECT_EQ(r.args, (Array{"over", "tls"}));
    bool stopped = false;
    callee.stop([&] { stopped = true; });
    ASSERT_TRUE(run_until(io, [&] { return stopped; }));
}

TEST_P(TlsTest, ServerNameCanDifferFromTheUrlHost) {
    auto o = options(tls.certs.ca_file());
    o.tls.server_name = "localhost";  // the certificate's DNS name; we still dial 127.0.0.1
    Client client(io, o);
    start_and_join(io, client);
    bool stopped = false;
    client.stop([&] { stopped = true; });
    ASSERT_TRUE(run_until(io, [&] { return stopped; }));
}

TEST_P(TlsTest, RefusesACertificateFromAnotherCa) {
    LogCapture log;
    expect_refused(options(tls.certs.other_ca_file()), log);
    EXPECT_NE(log.text().find("unable to get local issuer certificate"), std::string::npos) << log.text();
}

TEST_P(TlsTest, RefusesACertificateForAnotherName) {
    LogCapture log;
    auto o = options(tls.certs.ca_file());
    o.tls.server_name = "router.example.org";
    expect_refused(o, log);
    EXPECT_NE(log.text().find("expected_name=router.example.org"), std::string::npos) << log.text();
}

TEST_P(TlsTest, AnUnreadableCaFileIsLogged) {
    LogCapture log;
    Client client(io, options(tls.certs.directory() + "/missing.crt"));
    client.start();
    EXPECT_FALSE(run_until(io, [&] { return client.state() == ClientState::joined; }, 1s));
    bool stopped = false;
    client.stop([&] { stopped = true; });
    run_until(io, [&] { return stopped; });
    EXPECT_NE(log.text().find("missing.crt"), std::string::npos) << log.text();
}

// Crossbar with "ca_certificates" on the endpoint demands a client certificate.
TEST(TlsClientCertificate, JoinsWithOneAndNotWithout) {
    boost::asio::io_context io;
    auto& tls = TlsNode::shared();
    auto o = service_options(tls.node, Via::tcp, "ticket");
    o.endpoint = Endpoint::tcp("127.0.0.1", tls.mtls_port, true);
    o.tls.ca_file = tls.certs.ca_file();
    {
        Client anonymous_tls(io, o);
        anonymous_tls.start();
        EXPECT_FALSE(run_until(io, [&] { return anonymous_tls.state() == ClientState::joined; }, 2s));
        bool stopped = false;
        anonymous_tls.stop([&] { stopped = true; });
        run_until(io, [&] { return stopped; });
    }
    o.tls.cert_file = tls.certs.client_cert_file();
    o.tls.key_file = tls.certs.client_key_file();
    Client client(io, o);
    start_and_join(io, client);
    bool stopped = false;
    client.stop([&] { stopped = true; });
    ASSERT_TRUE(run_until(io, [&] { return stopped; }));
}

INSTANTIATE_TEST_SUITE_P(Transports, TlsTest, ::testing::Values(Tls::rawsocket, Tls::websocket),
                         [](const auto& p) { return p.param == Tls::rawsocket ? "rss" : "wss"; });
