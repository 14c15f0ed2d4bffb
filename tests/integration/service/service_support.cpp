#include "tests/integration/service/service_support.hpp"

#include <ctime>
#include <fstream>
#include <regex>
#include <stdexcept>
#include <thread>

#include <spdlog/spdlog.h>

#include "pg/value_json.hpp"
#include "wamp/error.hpp"

namespace pgwamp::test::service {

std::string Outcome::describe() const {
    if (!done) return "no answer";
    std::string text = ok() ? "ok " : "error " + error_uri + " ";
    text += to_text(Value(args));
    if (!kwargs.empty()) text += " " + to_text(Value(kwargs));
    return text;
}

Credentials demo_user(Stack& stack, const std::string& name) {
    Credentials user{name, name + "-password"};
    // Cost 4: the test needs a real bcrypt hash, not a slow one.
    stack.postgres().psql("INSERT INTO app_users (name, password_hash) VALUES ('" + user.name + "', crypt('" +
                          user.password + "', gen_salt('bf', 4))) ON CONFLICT (name) DO NOTHING");
    return user;
}

wamp::ClientOptions user_client_options(const Stack& stack, const Credentials& user) {
    auto options = stack.browser_client_options();
    options.endpoint = wamp::Endpoint::websocket(stack.router().app_url());
    options.authid = user.name;
    options.authmethod = "ticket";
    options.secret = user.password;
    return options;
}

Caller::Caller(const Stack& stack, std::optional<Credentials> user) {
    // Our own client's reconnect attempts while a test holds the router down
    // would flood the output; pgwamp's logs are in its own files.
    spdlog::set_level(spdlog::level::err);
    auto options = user ? user_client_options(stack, *user) : stack.browser_client_options();
    options.backoff.initial_delay = 50ms;
    options.backoff.max_delay = 200ms;
    client_ = std::make_unique<wamp::Client>(io_, options);
}

Caller::~Caller() {
    bool stopped = false;
    client_->stop([&] { stopped = true; });
    run_until([&] { return stopped; }, 5s);
}

void Caller::subscribe(const std::string& topic) {
    auto sink = std::make_shared<std::vector<wamp::Event>>();
    topics_.emplace_back(topic, sink);
    client_->subscribe(topic, [sink](const wamp::Event& event) { sink->push_back(event); });
}

const std::vector<wamp::Event>& Caller::events(const std::string& topic) {
    for (const auto& [name, sink] : topics_) {
        if (name == topic) return *sink;
    }
    throw std::logic_error("not subscribed: " + topic);
}

bool Caller::join(std::chrono::milliseconds limit) {
    client_->start();
    return run_until([&] { return client_->state() == wamp::ClientState::joined; }, limit);
}

std::shared_ptr<Outcome> Caller::start_call(const std::string& uri, Array args, Object kwargs,
                                            wamp::CallOptions options) {
    auto outcome = std::make_shared<Outcome>();
    const auto started = std::chrono::steady_clock::now();
    if (options.on_progress) {
        // Kept here as well as passed on, so tests can look at every chunk.
        options.on_progress = [outcome, user = std::move(options.on_progress)](Array a, Object k) {
            outcome->progress.push_back(a);
            user(std::move(a), std::move(k));
        };
    }
    outcome->id = client_->call(uri, std::move(args), std::move(kwargs), options,
                  [outcome, started](std::exception_ptr error, Array result, Object result_kwargs) {
                      outcome->done = true;
                      outcome->elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - started);
                      if (!error) {
                          outcome->args = std::move(result);
                          outcome->kwargs = std::move(result_kwargs);
                          return;
                      }
                      try {
                          std::rethrow_exception(error);
                      } catch (const wamp::CallError& e) {
                          outcome->error_uri = e.uri();
                          outcome->args = e.args();
                          outcome->kwargs = e.kwargs();
                      } catch (const std::exception& e) {
                          outcome->error_uri = std::string("(not a CallError) ") + e.what();
                      }
                  });
    return outcome;
}

Outcome Caller::call(const std::string& uri, Array args, Object kwargs, wamp::CallOptions options,
                     std::chrono::milliseconds limit) {
    auto outcome = start_call(uri, std::move(args), std::move(kwargs), options);
    run_until([&] { return outcome->done; }, limit);
    return *outcome;
}

bool Caller::cancel(const Outcome& call, const std::string& mode) { return client_->cancel(call.id, mode); }

bool Caller::run_until(const std::function<bool()>& done, std::chrono::milliseconds limit) {
    return test::run_until(io_, done, limit);
}

const Value* find_kwarg(const Object& kwargs, const std::string& name) {
    for (const auto& [key, value] : kwargs) {
        if (key == name) return &value;
    }
    return nullptr;
}

std::string to_text(const Value& value) {
    try {
        return db::to_json(value);
    } catch (const std::exception&) {
        return "(value without JSON spelling)";
    }
}

std::optional<double> parse_iso8601(const std::string& text) {
    static const std::regex pattern(
        R"(^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|([+-])(\d{2})(?::?(\d{2}))?)$)");
    std::smatch m;
    if (!std::regex_match(text, m, pattern)) return std::nullopt;
    std::tm tm{};
    tm.tm_year = std::stoi(m[1]) - 1900;
    tm.tm_mon = std::stoi(m[2]) - 1;
    tm.tm_mday = std::stoi(m[3]);
    tm.tm_hour = std::stoi(m[4]);
    tm.tm_min = std::stoi(m[5]);
    tm.tm_sec = std::stoi(m[6]);
    double seconds = static_cast<double>(::timegm(&tm));
    if (m[7].matched) seconds += std::stod("0" + m[7].str());
    if (m[8].str() != "Z") {
        const int offset = std::stoi(m[10]) * 3600 + (m[11].matched ? std::stoi(m[11]) * 60 : 0);
        // Local time = UTC + offset, so UTC = local - offset.
        seconds -= (m[9].str() == "+" ? offset : -offset);
    }
    return seconds;
}

int active_queries(const PostgresCluster& pg, const std::string& prefix) {
    std::string escaped;
    for (char c : prefix) {
        escaped += c;
        if (c == '\'') escaped += '\'';
    }
    const auto rows = pg.psql("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '" +
                              escaped + "%' AND pid <> pg_backend_pid()");
    return std::stoi(rows);
}

bool poll_until(const std::function<bool()>& probe, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!probe()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(50ms);
    }
    return true;
}

double peak_rss_mb(int pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
    return -1;
}

}  // namespace pgwamp::test::service
