#include "tests/support/crossbar_node.hpp"
#include "tests/support/ports.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>
#include "test_paths.hpp"

namespace pgwamp::test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

const fs::path source_cbdir = fs::path(PGWAMP_SOURCE_DIR) / "crossbar" / ".crossbar";
const std::string crossbar_bin = std::string(PGWAMP_SOURCE_DIR) + "/.venv/bin/crossbar";

std::string random_hex(std::size_t bytes) {
    std::random_device rd;
    std::string out;
    const char* digits = "0123456789abcdef";
    for (std::size_t i = 0; i < bytes; ++i) {
        auto b = rd() & 0xFF;
        out += digits[b >> 4];
        out += digits[b & 0xF];
    }
    return out;
}

// A free port no other transport of this node has taken yet.
std::uint16_t free_port(std::set<std::uint16_t>& taken) {
    for (int attempt = 0; attempt < 50; ++attempt)
        if (auto port = free_tcp_port(); taken.insert(port).second) return port;
    throw std::runtime_error("no free port found");
}

bool unix_accepts(const std::string& path) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

}  // namespace

CrossbarNode::CrossbarNode() : CrossbarNode(Options{}) {}

CrossbarNode::CrossbarNode(Options options) : options_(std::move(options)) {
    // Short base: the Unix socket path must fit in sun_path (108 octets).
    char tmpl[] = "/tmp/pgwamp-cb-XXXXXX";
    if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    try {
        cbdir_ = dir_ + "/.crossbar";
        log_path_ = dir_ + "/crossbar.log";
        fs::create_directories(cbdir_);
        ticket_ = options_.ticket.empty() ? random_hex(16) : options_.ticket;
        wampcra_secret_ = options_.wampcra_secret.empty() ? random_hex(16) : options_.wampcra_secret;
        rewrite(options_);
        start_guardian();
        if (options_.start) start();
    } catch (...) {
        if (pid_ > 0) stop(false);
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
        guardian_.release();
        throw;
    }
}

CrossbarNode::~CrossbarNode() {
    try {
        stop(false);
    } catch (...) {
    }
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
    guardian_.release();
}

CrossbarNode& CrossbarNode::shared() {
    static CrossbarNode node;
    return node;
}

void CrossbarNode::rewrite(const Options& options) {
    std::ifstream in(source_cbdir / "config.json");
    if (!in) throw std::runtime_error("cannot read " + (source_cbdir / "config.json").string());
    config_ = nlohmann::json::parse(in);
    std::set<std::uint16_t> taken;
    auto& workers = config_.at("workers");
    for (auto it = workers.begin(); it != workers.end();) {
        auto& worker = *it;
        if (worker.value("type", "") == "guest") {
            if (!options.guest) {
                it = workers.erase(it);
                continue;
            }
            worker["executable"] = options.guest->executable;
            worker["arguments"] = options.guest->arguments;
            worker["options"]["workdir"] = options.guest->workdir.empty() ? dir_ : options.guest->workdir;
            ++it;
            continue;
        }
        if (worker.value("type", "") == "router") {
            realm_ = worker.at("realms").at(0).at("name").get<std::string>();
            for (auto& transport : worker.at("transports")) {
                auto& endpoint = transport.at("endpoint");
                if (endpoint.at("type") == "tcp") {
                    auto port = free_port(taken);
                    endpoint["port"] = port;
                    tcp_ports_.push_back(port);
                    if (transport.at("type") == "rawsocket" && rawsocket_port_ == 0) rawsocket_port_ = port;
                    if (transport.at("type") == "web") web_port_ = port;
                } else if (endpoint.at("type") == "unix") {
                    unix_path_ = dir_ + "/router.sock";
                    endpoint["path"] = unix_path_;
                }
                if (transport.contains("paths")) {
                    for (auto& [path, service] : transport["paths"].items()) {
                        if (service.value("type", "") == "static" && service.contains("directory")) {
                            auto d = fs::weakly_canonical(source_cbdir / service["directory"].get<std::string>());
                            service["directory"] = d.string();
                        }
                    }
                }
            }
        }
        ++it;
    }
    if (options.edit) options.edit(config_);
    std::ofstream out(cbdir_ + "/config.json");
    out << config_.dump(2);
    if (!out) throw std::runtime_error("cannot write " + cbdir_ + "/config.json");
}

void CrossbarNode::start_guardian() {
    guardian_ = Guardian("if [ -f '" + dir_ + "/crossbar.pgid' ]; then kill -KILL -$(cat '" + dir_ +
                         "/crossbar.pgid') 2>/dev/null; fi; rm -rf '" + dir_ + "'");
}

void CrossbarNode::start() {
    if (pid_ > 0) return;
    if (!unix_path_.empty()) ::unlink(unix_path_.c_str());  // stale after a SIGKILL
    std::vector<std::pair<std::string, std::string>> env{{"PGWAMP_TICKET", ticket_},
                                                          {"PGWAMP_WAMPCRA_SECRET", wampcra_secret_}};
    for (const auto& kv : options_.env) env.emplace_back(kv);
    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        ::setpgid(0, 0);
        int log = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        int null = ::open("/dev/null", O_RDONLY);
        if (log >= 0) {
            ::dup2(log, 1);
            ::dup2(log, 2);
        }
        if (null >= 0) ::dup2(null, 0);
        for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
        if (::chdir(dir_.c_str()) != 0) ::_exit(126);
        ::execl(crossbar_bin.c_str(), crossbar_bin.c_str(), "start", "--cbdir", cbdir_.c_str(), "--loglevel", "info",
                static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::setpgid(pid, pid);  // also here: no window where a signal to the group misses it
    pid_ = pid;
    {
        std::ofstream pgid(dir_ + "/crossbar.pgid");
        pgid << pid;
    }
    if (!wait_ready(options_.start_timeout)) {
        auto tail = log_tail();
        stop(false);
        throw std::runtime_error("crossbar did not become ready; log tail:\n" + tail);
    }
}

bool CrossbarNode::wait_ready(std::chrono::seconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;  // exited: config error, port taken, ...
            return false;
        }
        bool ready = true;
        for (auto port : tcp_ports_) ready = ready && tcp_accepts(port);
        if (!unix_path_.empty()) ready = ready && unix_accepts(unix_path_);
        if (ready) return true;
        std::this_thread::sleep_for(100ms);
    }
    return false;
}

void CrossbarNode::stop(bool graceful) {
    if (pid_ <= 0) return;
    ::kill(-pid_, graceful ? SIGTERM : SIGKILL);
    auto deadline = std::chrono::steady_clock::now() + 20s;
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(-pid_, SIGKILL);
            ::waitpid(pid_, &status, 0);
            break;
        }
        std::this_thread::sleep_for(50ms);
    }
    // Workers share the group; make sure none outlives the controller.
    ::kill(-pid_, SIGKILL);
    pid_ = -1;
    std::error_code ignored;
    fs::remove(dir_ + "/crossbar.pgid", ignored);
}

std::string CrossbarNode::ws_url() const { return "ws://127.0.0.1:" + std::to_string(web_port_) + "/ws"; }
std::string CrossbarNode::app_url() const { return "ws://127.0.0.1:" + std::to_string(web_port_) + "/app"; }
std::string CrossbarNode::page_url() const { return "http://127.0.0.1:" + std::to_string(web_port_) + "/"; }

std::string CrossbarNode::log_tail(std::size_t lines) const {
    std::ifstream in(log_path_);
    std::deque<std::string> tail;
    std::string line;
    while (std::getline(in, line)) {
        tail.push_back(line);
        if (tail.size() > lines) tail.pop_front();
    }
    std::ostringstream out;
    for (const auto& l : tail) out << l << '\n';
    return out.str();
}

}  // namespace pgwamp::test
