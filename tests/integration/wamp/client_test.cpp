// Client against the shipped Crossbar config: joins, RPC, pub/sub, limits.

#include <gtest/gtest.h>

#include "tests/integration/wamp/support.hpp"

using namespace pgwamp;
using namespace pgwamp::wamp;
using namespace pgwamp::wamp::testing;
using test::CrossbarNode;

namespace {

struct ClientTest : ::testing::Test {
    boost::asio::io_context io;
    CrossbarNode& node = CrossbarNode::shared();
};

// A procedure that echoes its arguments and says which client served it.
Procedure echo(std::string who, int* count = nullptr) {
    return [who, count](Invocation inv) {
        if (count) ++*count;
        Object kw = inv.kwargs();
        kw.emplace_back("served_by", who);
        inv.reply(inv.args(), kw);
    };
}

class JoinTest : public ClientTest, public ::testing::WithParamInterface<std::pair<Via, const char*>> {};

}  // namespace

TEST_P(JoinTest, JoinsAndServesACall) {
    auto [via, method] = GetParam();
    Client callee(io, service_options(node, via, method));
    callee.provide("com.example.test.join_echo", echo("callee"));
    start_and_join(io, callee);
    auto r = call_sync(io, callee, "com.example.test.join_echo", {1, "two"}, {{"three", 3.0}});
    ASSERT_FALSE(r.error) << r.error_uri();
    EXPECT_EQ(r.args, (Array{1, "two"}));
    EXPECT_EQ(r.kwargs, (Object{{"three", 3.0}, {"served_by", "callee"}}));
    bool stopped = false;
    callee.stop([&] { stopped = true; });
    ASSERT_TRUE(run_until(io, [&] { return stopped; }));
    EXPECT_EQ(callee.state(), ClientState::stopped);
}

INSTANTIATE_TEST_SUITE_P(Transports, JoinTest,
                         ::testing::Values(std::pair{Via::tcp, "ticket"}, std::pair{Via::tcp, "wampcra"},
                                           std::pair{Via::unix_socket, "ticket"},
                                           std::pair{Via::websocket, "ticket"},
                                           std::pair{Via::websocket, "wampcra"}));

TEST_F(ClientTest, ErrorsCarryUriArgsAndKwargs) {
    Client callee(io, service_options(node));
    callee.provide("com.example.test.fails", [](Invocation inv) {
        inv.error("com.example.error.custom", {"bad thing", 42}, {{"detail", "more"}});
        inv.reply({"ignored: second answer"});
    });
    callee.provide("com.example.test.throws", [](Invocation) { throw std::runtime_error("boom"); });
    start_and_join(io, callee);
    auto r = call_sync(io, callee, "com.example.test.fails", {});
    ASSERT_TRUE(r.error);
    try {
        std::rethrow_exception(r.error);
    } catch (const CallError& e) {
        EXPECT_EQ(e.uri(), "com.example.error.custom");
        EXPECT_EQ(e.args(), (Array{"bad thing", 42}));
        EXPECT_EQ(e.kwargs(), (Object{{"detail", "more"}}));
    }
    // A procedure that throws gives the caller an error, not a dead session.
    r = call_sync(io, callee, "com.example.test.throws", {});
    EXPECT_EQ(r.error_uri(), "wamp.error.runtime_error");
    try {
        std::rethrow_exception(r.error);
    } catch (const CallError& e) {
        EXPECT_EQ(e.args(), Array{"boom"});
    }
    r = call_sync(io, callee, "com.example.test.nobody_home", {});
    EXPECT_EQ(r.error_uri(), "wamp.error.no_such_procedure");
    EXPECT_EQ(callee.state(), ClientState::joined);
}

TEST_F(ClientTest, RoundRobinSpreadsCallsOverTwoProcesses) {
    int a_count = 0, b_count = 0;
    Client a(io, service_options(node)), b(io, service_options(node)), caller(io, service_options(node));
    a.provide("com.example.test.rr", echo("a", &a_count), {"roundrobin"});
    b.provide("com.example.test.rr", echo("b", &b_count), {"roundrobin"});
    start_and_join(io, a);
    start_and_join(io, b);
    start_and_join(io, caller);
    std::map<std::string, int> served;
    for (int i = 0; i < 10; ++i) {
        auto r = call_sync(io, caller, "com.example.test.rr", {i});
        ASSERT_FALSE(r.error) << r.error_uri();
        served[r.kwargs.at(0).second.as<std::string>()]++;
    }
    EXPECT_EQ(served["a"], 5);
    EXPECT_EQ(served["b"], 5);
    EXPECT_EQ(a_count, 5);
    EXPECT_EQ(b_count, 5);
}

TEST_F(ClientTest, SingleRegistrationRefusesASecondProvider) {
    Client a(io, service_options(node)), b(io, service_options(node));
    a.provide("com.example.test.single", echo("a"));
    b.provide("com.example.test.single", echo("b"));
    start_and_join(io, a);
    start_and_join(io, b);  // refused registration is logged; b still joins
    auto r = call_sync(io, b, "com.example.test.single", {});
    ASSERT_FALSE(r.error);
    EXPECT_EQ(r.kwargs.back().second, Value("a"));
}

TEST_F(ClientTest, PublishedPayloadArrivesIntact) {
    std::string text;
    while (text.size() < 8192) text += "Grüße, 世界 — ünïcödé ✓ 🚀 ";
    Array args{text, 1, -2, 3.5, true, Null{}, Bytes{0, 1, 255}, Array{"nested", Object{{"k", 1}}}};
    Object kwargs{{"z", "last key first"}, {"a", text}};
    std::vector<Event> got;
    Client sub(io, service_options(node, Via::websocket)), pub(io, service_options(node));
    sub.subscribe("com.example.test.payload", [&](const Event& e) { got.push_back(e); });
    start_and_join(io, sub);  // joined == subscriptions answered
    start_and_join(io, pub);
    pub.publish("com.example.test.payload", args, kwargs);
    ASSERT_TRUE(run_until(io, [&] { return !got.empty(); }));
    EXPECT_EQ(got[0].args, args);
    EXPECT_EQ(got[0].kwargs, kwargs);
    EXPECT_EQ(pub.dropped_publications(), 0u);
}

TEST_F(ClientTest, OversizeCallIsRefusedLocallyAndTheSessionSurvives) {
    Client client(io, service_options(node));
    client.provide("com.example.test.big_echo", echo("x"));
    client.provide("com.example.test.big_result", [](Invocation inv) { inv.reply({std::string(2u << 20, 'r')}); });
    start_and_join(io, client);
    EXPECT_EQ(client.max_send_size(), 1u << 20);  // the shipped config's max_message_size
    auto r = call_sync(io, client, "com.example.test.big_echo", {std::string(2u << 20, 'x')});
    EXPECT_EQ(r.error_uri(), "wamp.error.payload_size_exceeded");
    // A result too big for the router becomes an error for the caller.
    r = call_sync(io, client, "com.example.test.big_result", {});
    EXPECT_EQ(r.error_uri(), "pgwamp.error.result_too_large");
    r = call_sync(io, client, "com.example.test.big_echo", {std::string(100000, 'x')});
    ASSERT_FALSE(r.error) << r.error_uri();
    EXPECT_EQ(r.args.at(0).as<std::string>().size(), 100000u);
    EXPECT_EQ(client.state(), ClientState::joined);
}

TEST_F(ClientTest, AnonymousMayCallButNotRegister) {
    ClientOptions o;
    o.endpoint = Endpoint::websocket(node.app_url());  // the browsers' path: /ws admits only the service
    o.realm = node.realm();
    Client browser_like(io, o), service(io, service_options(node));
    service.provide("com.example.test.public", echo("svc"));
    // /app admits anonymous visitors through a dynamic authenticator, which
    // pgwamp serves in the product; here the service session stands in.
    service.provide("com.example.authenticate_anonymous",
                    [](Invocation inv) { inv.reply({Value(Object{{"role", Value("anonymous")}})}); });
    browser_like.provide("com.example.test.hijack", echo("anon"));  // refused: anonymous may not register
    start_and_join(io, service);
    start_and_join(io, browser_like);
    auto r = call_sync(io, browser_like, "com.example.test.public", {7});
    ASSERT_FALSE(r.error) << r.error_uri();
    EXPECT_EQ(r.args, Array{7});
    r = call_sync(io, service, "com.example.test.hijack", {});
    EXPECT_EQ(r.error_uri(), "wamp.error.no_such_procedure");
}

TEST_F(ClientTest, NotJoinedCallFailsFastAndPublishIsCounted) {
    Client client(io, service_options(node));
    bool done = false, inline_completion = true;
    std::string uri;
    client.call("com.example.test.x", {}, {}, [&](std::exception_ptr e, Array, Object) {
        EXPECT_FALSE(inline_completion) << "handler ran inside call()";
        done = true;
        try {
            std::rethrow_exception(e);
        } catch (const CallError& ce) {
            uri = ce.uri();
        }
    });
    inline_completion = false;
    ASSERT_TRUE(run_until(io, [&] { return done; }));
    EXPECT_EQ(uri, "pgwamp.error.unavailable");
    client.publish("com.example.test.x", {1});
    EXPECT_EQ(client.dropped_publications(), 1u);
}
