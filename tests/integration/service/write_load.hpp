#pragma once
// Writers that keep calling an INSERT procedure through the router, for fault
// tests that must show what happens to writes while a server goes away. Each
// writer keeps exactly one call outstanding and sends a unique body each time
// ("<prefix>-<writer>-<n>"); every answer is recorded with when it was sent
// and answered. The writers spread over a few WAMP sessions on one
// io_context that runs on a thread of its own, so the test thread may block
// (pg_ctl, psql) without delaying any answer or timestamp.

#include <boost/asio/io_context.hpp>
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/stack.hpp"
#include "wamp/client.hpp"

namespace pgwamp::test::service {

class WriteLoad {
public:
    using Clock = std::chrono::steady_clock;

    struct Options {
        std::string procedure = "com.example.notes.add";
        std::string prefix;  // makes this run's bodies unique in the table
        int writers = 32;
        int sessions = 4;
        // A writer whose call failed waits this long before the next one, so
        // 32 writers refused in a few ms each do not turn into a hot loop that
        // saturates the router (and with it every figure) while a server is down.
        std::chrono::milliseconds pause_after_error{25};
        // How the sessions sign in; absent: anonymous, as a browser.
        std::optional<wamp::ClientOptions> client;
    };

    struct Record {
        std::string body;
        Clock::time_point sent;
        Clock::time_point answered;
        std::string error_uri;  // empty: the router acknowledged the write with a result

        bool acknowledged() const { return error_uri.empty(); }
        std::chrono::milliseconds elapsed() const {
            return std::chrono::duration_cast<std::chrono::milliseconds>(answered - sent);
        }
    };

    // Joins every session; throws std::runtime_error if one does not join in 30 s.
    WriteLoad(const Stack& stack, Options options);
    ~WriteLoad();
    WriteLoad(const WriteLoad&) = delete;
    WriteLoad& operator=(const WriteLoad&) = delete;

    // Every writer sends its first call; the io_context runs on its own thread from now on.
    void start();
    // No writer sends another call; waits up to `limit` for the outstanding
    // ones, then leaves and joins the thread. Returns the bodies of calls
    // still unanswered after `limit` (empty: none hung).
    std::vector<std::string> stop(std::chrono::milliseconds limit);

    // Safe while running.
    int acknowledged() const { return acknowledged_.load(); }
    // Writers that had at least one write acknowledged; safe while running.
    int writers_acknowledged() const { return writers_acknowledged_.load(); }
    // Every answered call, in the order answered; only after stop().
    const std::vector<Record>& records() const { return records_; }

private:
    struct Writer;

    void send(Writer& writer);
    void answered(Writer& writer, std::exception_ptr error);
    void run_until_drained();

    Options options_;
    boost::asio::io_context io_;
    std::vector<std::unique_ptr<wamp::Client>> clients_;
    std::vector<std::unique_ptr<Writer>> writers_;
    std::vector<Record> records_;
    std::vector<std::string> hung_;
    bool closed_ = false;  // io thread only
    std::thread thread_;
    std::atomic<bool> stopping_{false};
    std::atomic<int> acknowledged_{0};
    std::atomic<int> writers_acknowledged_{0};
    std::atomic<long long> drain_limit_ms_{0};
};

}  // namespace pgwamp::test::service
