#pragma once
// The little the bench programs need from a WAMP client, over two
// implementations: the project's own wamp::Client ("pgwamp", the default,
// RawSocket/WebSocket/Unix) and Autobahn|Cpp 17.5 ("autobahn", RawSocket),
// kept as a cross-check that the load generator is not what limits a result.

#include "call_load.hpp"

#include "wamp/endpoint.hpp"

#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace pgwamp::bench {

class BenchClient {
public:
    using Opened = std::function<void(const std::string& error)>;  // empty: joined

    virtual ~BenchClient() = default;

    // Before open(): answer every call of `procedure` with `answer` at once,
    // calling on_call first. Registered as part of open().
    virtual void provide(const std::string& procedure, std::string answer, std::function<void()> on_call) = 0;
    // Joins the realm (and registers what was provided); done is posted.
    virtual void open(Opened done) = 0;
    // After open(): one call without arguments; see CallOnce in call_load.hpp.
    virtual void call(const std::string& procedure, CallDone done) = 0;
    // Leaves; done is posted (also when leaving fails).
    virtual void close(std::function<void()> done) = 0;
};

// wamp::Client logs through spdlog's default logger, which writes to stdout;
// the bench programs keep stdout for their JSON lines, so logs go to stderr.
void log_to_stderr();

// rs://IP:PORT (what Crossbar and the bench say) as well as wamp::Endpoint's
// tcp://, ws:// and unix:// forms. Throws std::invalid_argument.
wamp::Endpoint parse_endpoint(const std::string& url);

// kind: "pgwamp" or "autobahn". url: rs://IP:PORT or tcp://IP:PORT for both;
// ws://HOST:PORT/PATH and unix:///PATH for pgwamp only.
// Throws std::invalid_argument with a readable reason.
std::unique_ptr<BenchClient> make_client(std::string_view kind, boost::asio::io_context& io, const std::string& url,
                                         const std::string& realm);

}  // namespace pgwamp::bench
