#include "tests/support/stack.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include "test_paths.hpp"

namespace pgwamp::test {
namespace fs = std::filesystem;
namespace {

const std::string source_dir = PGWAMP_SOURCE_DIR;
const std::string pgwamp_binary = std::string(PGWAMP_BINARY_DIR) + "/service/pgwamp";

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string make_temp_dir() {
    std::string pattern = (fs::temp_directory_path() / "pgwamp-stack-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    return pattern;
}

}  // namespace

Stack::Stack() : Stack(Options{}) {}

Stack::Stack(Options options) : options_(std::move(options)), dir_(make_temp_dir()) {
    config_path_ = dir_ + "/pgwamp.json";
    postgres_ = std::make_unique<PostgresCluster>(options_.logical_decoding);
    postgres_->psql(read_file(source_dir + "/scripts/demo_schema.sql"));
    if (options_.before_pgwamp) options_.before_pgwamp(*postgres_);

    CrossbarNode::Options node;
    node.start = false;
    if (options_.mode == PgwampMode::guest) {
        node.guest = CrossbarNode::Guest{pgwamp_binary, {"--config", config_path_}, dir_};
        const int count = options_.pgwamp_count;
        node.edit = [count](nlohmann::json& config) {
            // More processes: more guest workers sharing the registrations (roundrobin).
            auto& workers = config["workers"];
            nlohmann::json guest;
            for (const auto& w : workers) {
                if (w.value("type", "") == "guest") guest = w;
            }
            for (int i = 1; i < count; ++i) {
                auto copy = guest;
                copy["id"] = "pgwamp" + std::to_string(i + 1);
                workers.push_back(copy);
            }
        };
    }
    router_ = std::make_unique<CrossbarNode>(node);
    write_pgwamp_config();
    router_->start();

    if (options_.mode == PgwampMode::process) {
        pids_.assign(options_.pgwamp_count, -1);
        for (int i = 0; i < options_.pgwamp_count; ++i) start_pgwamp(i);
    }
    if (options_.mode != PgwampMode::none) wait_until_serving(options_.ready_timeout);
}

Stack::~Stack() {
    for (std::size_t i = 0; i < pids_.size(); ++i) {
        if (pids_[i] > 0) {
            ::kill(pids_[i], SIGKILL);
            ::waitpid(pids_[i], nullptr, 0);
        }
    }
    router_.reset();
    postgres_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

void Stack::write_pgwamp_config() {
    auto config = nlohmann::json::parse(read_file(source_dir + "/config/pgwamp.json"));
    config["router"]["url"] = "rs://127.0.0.1:" + std::to_string(router_->rawsocket_port());
    config["router"]["realm"] = router_->realm();
    config["database"]["conninfo"] = postgres_->conninfo();
    // The demo's fixed admin port would collide between the processes of a
    // test and between tests run in parallel: a test that wants it sets its own.
    config["service"].erase("admin");
    // Every test signs up from 127.0.0.1: the demo's 10 an hour would make
    // the suites depend on one another. ServiceLogin tests the limit itself.
    config["identity"]["login"]["signups_per_peer"] = 10000;
    // Refused sign-ins answered at once: tests sign in wrongly on purpose
    // from the same address. ServiceLogin tests the delay itself.
    config["identity"]["login"]["refusal_delay_ms"] = 0;
    if (options_.edit_config) options_.edit_config(config);
    std::ofstream(config_path_) << config.dump(2);
}

wamp::ClientOptions Stack::browser_client_options() const {
    wamp::ClientOptions options;
    options.endpoint = wamp::Endpoint::websocket(router_->app_url());
    options.realm = router_->realm();
    return options;
}

void Stack::start_pgwamp(int index) {
    const std::string log_path = dir_ + "/pgwamp" + std::to_string(index) + ".log";
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            ::dup2(fd, 1);
            ::dup2(fd, 2);
        }
        ::setenv("PGWAMP_TICKET", router_->ticket().c_str(), 1);
        ::execl(pgwamp_binary.c_str(), pgwamp_binary.c_str(), "--config", config_path_.c_str(), nullptr);
        ::_exit(127);
    }
    pids_.at(index) = pid;
}

void Stack::stop_pgwamp(int index, int signal_number) {
    if (pids_.at(index) > 0) ::kill(pids_[index], signal_number);
}

int Stack::wait_pgwamp(int index, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (::waitpid(pids_.at(index), &status, WNOHANG) == pids_[index]) {
            pids_[index] = -1;
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
}

int Stack::pgwamp_pid(int index) const { return pids_.at(index); }

std::string Stack::pgwamp_log(int index) const {
    return read_file(dir_ + "/pgwamp" + std::to_string(index) + ".log");
}

void Stack::wait_until_serving(std::chrono::seconds timeout) {
    boost::asio::io_context io;
    wamp::Client client(io, browser_client_options());
    client.start();
    bool served = false;
    bool in_flight = false;
    std::string last_error = "no answer";
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!served && std::chrono::steady_clock::now() < deadline) {
        if (!in_flight && client.state() == wamp::ClientState::joined) {
            in_flight = true;
            client.call("com.example.now.v1", {}, {}, [&](std::exception_ptr error, Array, Object) {
                in_flight = false;
                if (!error) {
                    served = true;
                    return;
                }
                try {
                    std::rethrow_exception(error);
                } catch (const std::exception& e) {
                    last_error = e.what();
                }
            });
        }
        run_until(io, [&] { return served; }, std::chrono::milliseconds(200));
    }
    bool stopped = false;
    client.stop([&] { stopped = true; });
    run_until(io, [&] { return stopped; }, std::chrono::seconds(5));
    if (!served) {
        throw std::runtime_error("pgwamp did not serve com.example.now.v1 within " +
                                 std::to_string(timeout.count()) + " s (last: " + last_error + ")\n" +
                                 "crossbar log:\n" + router_->log_tail());
    }
}

}  // namespace pgwamp::test
