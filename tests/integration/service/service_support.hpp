#pragma once
// Shared pieces of the service tests: a browser-like WAMP caller on its own
// event loop (calls run to completion with a generous upper bound, so a hang
// fails the test instead of blocking CI), event collection, and small
// helpers to read results and ask PostgreSQL what is running.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/stack.hpp"
#include "tests/support/under_asan.hpp"
#include "wamp/client.hpp"


namespace pgwamp::test::service {

using namespace std::chrono_literals;

// A call's answer: the result, or the error URI with its payload.
struct Outcome {
    bool done = false;
    std::string error_uri;  // empty on success
    Array args;
    Object kwargs;
    std::chrono::milliseconds elapsed{0};
    wamp::CallId id;  // for Caller::cancel
    std::vector<Array> progress;  // progressive results, in arrival order (when asked for)

    bool ok() const { return done && error_uri.empty(); }
    // For failure messages: "ok [...]" / "error <uri> [...] {...}" / "no answer".
    std::string describe() const;
};

// A user of the demo: signs in with WAMP-Ticket on the page's path, which
// pgwamp's ticket authenticator checks against the app_users table.
struct Credentials {
    std::string name;
    std::string password;
};

// Makes the demo user (straight in the database, idempotent) and returns
// its credentials; `name` defaults to one per test binary.
Credentials demo_user(Stack& stack, const std::string& name = "tester");

// Client options for signing in as `user` on the page's path (WAMP-Ticket).
wamp::ClientOptions user_client_options(const Stack& stack, const Credentials& user);

// A client on the browser's WebSocket path, anonymous or signed in, with a
// short reconnect backoff so tests measure pgwamp's recovery, not ours.
class Caller {
public:
    explicit Caller(const Stack& stack, std::optional<Credentials> user = std::nullopt);
    ~Caller();
    Caller(const Caller&) = delete;
    Caller& operator=(const Caller&) = delete;

    // Remembered by the client; call before join() so it is in place when joined.
    void subscribe(const std::string& topic);
    const std::vector<wamp::Event>& events(const std::string& topic);

    // Starts the client and waits until joined (registrations included).
    bool join(std::chrono::milliseconds limit = 30s);

    std::shared_ptr<Outcome> start_call(const std::string& uri, Array args = {}, Object kwargs = {},
                                        wamp::CallOptions options = {});
    Outcome call(const std::string& uri, Array args = {}, Object kwargs = {},
                 wamp::CallOptions options = {}, std::chrono::milliseconds limit = 30s);

    bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit);
    // CANCEL (mode "kill", as AutobahnJS's default) a call started with start_call.
    bool cancel(const Outcome& call, const std::string& mode = "kill");

    wamp::Client& client() { return *client_; }
    boost::asio::io_context& io() { return io_; }

private:
    boost::asio::io_context io_;
    std::unique_ptr<wamp::Client> client_;
    std::vector<std::pair<std::string, std::shared_ptr<std::vector<wamp::Event>>>> topics_;
};

// The named kwarg, or nullptr.
const Value* find_kwarg(const Object& kwargs, const std::string& name);
// Compact text of a value, for messages and comparisons.
std::string to_text(const Value& value);

// "2026-11-21T07:00:00.123456+00:00" (also ' ' for 'T', "Z", "+01", no
// fraction) as seconds since the epoch; nullopt if it is not such a string.
std::optional<double> parse_iso8601(const std::string& text);

// Active backends whose query text starts with `prefix` (the monitoring
// query itself never matches: it starts with "SELECT count").
int active_queries(const PostgresCluster& pg, const std::string& prefix);

// The most resident memory the process ever had (VmHWM), in MB; -1 if unknown.
double peak_rss_mb(int pid);

// Polls `probe` every 50 ms until it is true or `limit` passes: for state
// only observable by asking (pg_stat_activity), never to wait out a delay.
bool poll_until(const std::function<bool()>& probe, std::chrono::milliseconds limit);

}  // namespace pgwamp::test::service
