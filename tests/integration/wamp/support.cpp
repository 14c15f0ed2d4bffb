#include "tests/integration/wamp/support.hpp"

#include <gtest/gtest.h>

namespace pgwamp::wamp::testing {

Endpoint endpoint_of(const test::CrossbarNode& node, Via via) {
    switch (via) {
        case Via::tcp: return Endpoint::tcp("127.0.0.1", node.rawsocket_port());
        case Via::unix_socket: return Endpoint::unix_socket(node.unix_socket_path());
        case Via::websocket: return Endpoint::websocket(node.ws_url());
    }
    return {};
}

ClientOptions service_options(const test::CrossbarNode& node, Via via, const std::string& authmethod) {
    ClientOptions o;
    o.endpoint = endpoint_of(node, via);
    o.realm = node.realm();
    o.authid = node.authid();
    o.authmethod = authmethod;
    o.secret = authmethod == "wampcra" ? node.wampcra_secret() : node.ticket();
    // Quick retries keep the reconnect tests short; the cap still applies.
    o.backoff.initial_delay = 50ms;
    o.backoff.max_delay = 1000ms;
    return o;
}

void start_and_join(boost::asio::io_context& io, Client& client) {
    client.start();
    ASSERT_TRUE(run_until(io, [&] { return client.state() == ClientState::joined; }))
        << "client did not join; state " << to_string(client.state());
}

std::string CallOutcome::error_uri() const {
    if (!error) return {};
    try {
        std::rethrow_exception(error);
    } catch (const CallError& e) {
        return e.uri();
    } catch (const std::exception& e) {
        return std::string("not a CallError: ") + e.what();
    }
}

CallOutcome call_sync(boost::asio::io_context& io, Client& client, const std::string& uri, Array args,
                      Object kwargs, CallOptions options) {
    auto out = std::make_shared<CallOutcome>();
    client.call(uri, std::move(args), std::move(kwargs), options,
                [out](std::exception_ptr e, Array a, Object k) {
                    out->done = true;
                    out->error = e;
                    out->args = std::move(a);
                    out->kwargs = std::move(k);
                });
    EXPECT_TRUE(run_until(io, [&] { return out->done; })) << "call " << uri << " never completed";
    return *out;
}

}  // namespace pgwamp::wamp::testing
