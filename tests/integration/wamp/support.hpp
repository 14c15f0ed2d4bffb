#pragma once
// Shared pieces of the wamp integration tests: an event loop that runs until
// something happened (with a generous upper bound, so a hang fails instead
// of blocking CI) and client options for the node's principals.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <string>

#include "tests/support/crossbar_node.hpp"
#include "tests/support/run_until.hpp"
#include "wamp/client.hpp"

namespace pgwamp::wamp::testing {

using namespace std::chrono_literals;

using test::run_until;

enum class Via { tcp, unix_socket, websocket };

Endpoint endpoint_of(const test::CrossbarNode& node, Via via);

// The service principal ("pgwamp", role pgwamp) with ticket or wampcra.
ClientOptions service_options(const test::CrossbarNode& node, Via via = Via::tcp,
                              const std::string& authmethod = "ticket");

// Starts a client and runs the loop until it is joined; fails the test otherwise.
void start_and_join(boost::asio::io_context& io, Client& client);

// A call run to completion: the result or the CallError.
struct CallOutcome {
    bool done = false;
    std::exception_ptr error;
    Array args;
    Object kwargs;
    std::string error_uri() const;
};
CallOutcome call_sync(boost::asio::io_context& io, Client& client, const std::string& uri, Array args,
                      Object kwargs = {}, CallOptions options = {});

}  // namespace pgwamp::wamp::testing
