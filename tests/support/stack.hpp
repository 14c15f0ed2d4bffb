#pragma once
// The whole product for integration and browser tests, as a user deploys it:
// a throwaway PostgreSQL with the demo schema, Crossbar from the shipped node
// config (crossbar/.crossbar/config.json, ports rewritten to free ones), and
// pgwamp serving config/pgwamp.json, either as Crossbar's guest worker (the
// way `crossbar start` runs it) or as processes of its own (so a test can
// restart the router under a running pgwamp). Ready once a WAMP client has
// called com.example.now.v1 through the browser's WebSocket path.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/crossbar_node.hpp"
#include "tests/support/postgres_cluster.hpp"
#include "tests/support/run_until.hpp"
#include "wamp/client.hpp"

namespace pgwamp::test {

class Stack {
public:
    enum class PgwampMode { guest, process, none };

    struct Options {
        PgwampMode mode = PgwampMode::guest;
        int pgwamp_count = 1;
        // Last edit of the pgwamp config (a copy of config/pgwamp.json) before it is written.
        std::function<void(nlohmann::json&)> edit_config;
        // Runs once the database has the demo schema, before pgwamp starts (test tables).
        std::function<void(PostgresCluster&)> before_pgwamp;
        bool logical_decoding = true;  // false: a server that cannot stream row changes
        std::chrono::seconds ready_timeout{90};
    };

    Stack();
    explicit Stack(Options options);
    ~Stack();
    Stack(const Stack&) = delete;
    Stack& operator=(const Stack&) = delete;

    PostgresCluster& postgres() { return *postgres_; }
    CrossbarNode& router() { return *router_; }
    const CrossbarNode& router() const { return *router_; }
    const std::string& pgwamp_config_path() const { return config_path_; }

    // Anonymous, over the WebSocket transport the browser uses.
    wamp::ClientOptions browser_client_options() const;

    // PgwampMode::process only.
    void stop_pgwamp(int index, int signal_number = 15);
    void start_pgwamp(int index);
    int pgwamp_pid(int index) const;
    // Waits for the process to exit; returns its exit status (or -1 on timeout).
    int wait_pgwamp(int index, std::chrono::seconds timeout);
    std::string pgwamp_log(int index) const;

    // Calls com.example.now.v1 until it answers, or throws after `timeout`.
    void wait_until_serving(std::chrono::seconds timeout);

private:
    void write_pgwamp_config();

    Options options_;
    std::string dir_;
    std::string config_path_;
    std::unique_ptr<PostgresCluster> postgres_;
    std::unique_ptr<CrossbarNode> router_;
    std::vector<int> pids_;
};


}  // namespace pgwamp::test
