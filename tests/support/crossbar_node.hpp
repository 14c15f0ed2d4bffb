#pragma once
// A real Crossbar node for tests, made from the project's own node directory
// (crossbar/.crossbar/config.json) so tests exercise the config we ship.
//
// The constructor copies the config into a fresh temporary directory and
// rewrites it: every TCP port becomes a free one, the Unix socket path moves
// into the temporary directory, the static web directory becomes absolute,
// and the pgwamp guest worker is dropped (default) or re-pointed. Secrets
// (PGWAMP_TICKET, PGWAMP_WAMPCRA_SECRET) are random per node unless given,
// and reach Crossbar (and its guest) only through its environment.
//
// start() runs `crossbar start` in its own process group and returns once
// every transport accepts connections. stop() ends the whole group;
// start() again reuses the same ports. The destructor stops the node and
// removes the directory, and a guardian process does the same if the test
// process dies without running destructors.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/guardian.hpp"

namespace pgwamp::test {

class CrossbarNode {
public:
    struct Guest {
        std::string executable;  // absolute path
        std::vector<std::string> arguments;
        std::string workdir;  // absolute; empty: the temporary directory
    };

    struct Options {
        // nullopt: no guest worker (wamp-only tests). Otherwise replaces the
        // shipped pgwamp guest (config/pgwamp.json points at port 8081, which
        // the node does not use after the rewrite, so a test gives its own).
        std::optional<Guest> guest;
        // Extra environment for Crossbar and its guest.
        std::map<std::string, std::string> env;
        // Empty: random per node.
        std::string ticket;
        std::string wampcra_secret;
        // Last edit of the rewritten config before it is written.
        std::function<void(nlohmann::json&)> edit;
        std::chrono::seconds start_timeout{60};
        bool start = true;  // start in the constructor
    };

    CrossbarNode();  // default Options
    explicit CrossbarNode(Options options);
    ~CrossbarNode();
    CrossbarNode(const CrossbarNode&) = delete;
    CrossbarNode& operator=(const CrossbarNode&) = delete;

    // One node without guest per test binary, started on first use.
    static CrossbarNode& shared();

    void start();
    // graceful: SIGTERM (Crossbar closes sessions with GOODBYE) and wait;
    // otherwise SIGKILL of the whole group, as if the host died.
    void stop(bool graceful = true);
    bool running() const { return pid_ > 0; }

    const std::string& realm() const { return realm_; }
    std::uint16_t rawsocket_port() const { return rawsocket_port_; }
    const std::string& unix_socket_path() const { return unix_path_; }
    std::uint16_t web_port() const { return web_port_; }
    std::string ws_url() const;    // ws://127.0.0.1:<port>/ws
    std::string app_url() const;   // ws://127.0.0.1:<port>/app: the page's path (users sign in there)
    std::string page_url() const;  // http://127.0.0.1:<port>/
    const std::string& ticket() const { return ticket_; }
    const std::string& wampcra_secret() const { return wampcra_secret_; }
    const std::string& authid() const { return authid_; }  // the service principal: "pgwamp"
    const std::string& directory() const { return dir_; }
    const nlohmann::json& config() const { return config_; }
    // Last lines of Crossbar's log, for failure messages.
    std::string log_tail(std::size_t lines = 60) const;

private:
    void rewrite(const Options& options);
    void start_guardian();
    bool wait_ready(std::chrono::seconds timeout);

    Options options_;
    std::string dir_;
    std::string cbdir_;
    std::string log_path_;
    nlohmann::json config_;
    std::string realm_ = "realm1";
    std::string authid_ = "pgwamp";
    std::string ticket_;
    std::string wampcra_secret_;
    std::uint16_t rawsocket_port_ = 0;
    std::uint16_t web_port_ = 0;
    std::string unix_path_;
    std::vector<std::uint16_t> tcp_ports_;
    int pid_ = -1;
    Guardian guardian_;
};

}  // namespace pgwamp::test
