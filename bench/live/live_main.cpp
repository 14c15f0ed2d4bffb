// bench_live: the caller side of the live phase (harness/live.py). Joins the
// router with --sessions WAMP sessions, waits until the live query is
// registered (a probe call answers something other than
// wamp.error.no_such_procedure: only the pgwamp process consuming the slot
// registers it), then, by --mode:
//
// snapshot: --warmup then --repeat calls, one after another, of the query
//   for --owner; each is canceled once ready. Per call: time from the CALL to the
//   first "snapshot" result and to "ready", rows, chunks. stdout:
//   {"event":"result","snapshots":[...],"first_chunk_ms":{median,max},"ready_ms":{median,max}},
//   median and max over the measured calls that ended as they should (by our cancel).
//
// follow: --queries N calls, the query of owner o<i> (i < N, named as
//   bench_notify_pub --owners names the rows' owners), call i on session
//   i mod --sessions, at most --window of them not yet ready at any time.
//   Once all are ready (or failed): {"event":"ready", open_s, ready_ms, ...}.
//   Then it counts the rows of run --run the changes bring (ChangeTally:
//   each seq of 0..--expect-1 at its owner's query exactly once, t_us ->
//   arrival latency) until all arrived, --idle seconds passed without a
//   change (after the first), or --timeout seconds after ready:
//   {"event":"result", received, missing, duplicates, wrong_owner, latency_us, ...}.
//   Then it cancels every call and leaves.
//
// Every call passes its owner as args [owner].

#include "bench_client.hpp"
#include "command_line.hpp"
#include "live_tally.hpp"
#include "publish_schedule.hpp"

#include "wamp/client.hpp"
#include "wamp/error.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <ctime>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <vector>

namespace po = boost::program_options;
using pgwamp::Array;
using pgwamp::Object;
using pgwamp::bench::ChangeTally;
using pgwamp::bench::LiveCallTally;
using Clock = std::chrono::steady_clock;

namespace {

void emit(const nlohmann::json& line) { std::cout << line.dump() << std::endl; }

double cpu_seconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

std::int64_t realtime_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string error_uri(std::exception_ptr error) {
    try {
        std::rethrow_exception(error);
    } catch (const pgwamp::wamp::CallError& e) {
        return e.uri();
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "(unknown exception)";
    }
}

std::string error_text(std::exception_ptr error) {
    try {
        std::rethrow_exception(error);
    } catch (const pgwamp::wamp::CallError& e) {
        std::string text = e.uri();
        if (!e.args().empty() && e.args().front().is<std::string>()) text += ": " + e.args().front().as<std::string>();
        return text;
    } catch (...) {
        return error_uri(std::current_exception());
    }
}

nlohmann::json median_max_json(const std::vector<double>& values) {
    const auto m = pgwamp::bench::median_max(values);
    if (!m) return nullptr;
    return {{"median", m->median}, {"max", m->max}};
}

template <class T>
nlohmann::json optional(const std::optional<T>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

struct Settings {
    std::string url;
    std::string realm;
    std::string procedure;
    std::string mode;
    std::size_t sessions = 4;
    std::size_t queries = 100;
    std::size_t window = 32;
    std::string owner;
    std::size_t repeat = 5;
    std::size_t warmup = 1;
    std::int64_t run = 0;
    std::size_t expect = 0;
    double idle_s = 5;
    double timeout_s = 120;
    double wait_registered_s = 60;
    double open_timeout_s = 600;
};

// One live call of the follow mode.
struct LiveCall {
    std::string owner;
    pgwamp::wamp::Client* client = nullptr;
    pgwamp::wamp::CallId id;
    std::optional<LiveCallTally> tally;
    bool done = false;  // its handler ran
};

class Bench {
public:
    Bench(boost::asio::io_context& io, Settings s) : io_(io), s_(std::move(s)), timer_(io), idle_(io) {}

    int exit_code() const { return exit_code_; }

    void start() {
        for (std::size_t i = 0; i < s_.sessions; ++i) {
            pgwamp::wamp::ClientOptions options;
            options.endpoint = pgwamp::bench::parse_endpoint(s_.url);
            options.realm = s_.realm;
            options.backoff.max_attempts = 3;
            auto client = std::make_unique<pgwamp::wamp::Client>(io_, options);
            client->on_state([this, joined = false](pgwamp::wamp::ClientState state) mutable {
                if (state == pgwamp::wamp::ClientState::joined && !joined) {
                    joined = true;
                    if (++joined_ == s_.sessions) probe();
                } else if (state == pgwamp::wamp::ClientState::stopped && !joined && !leaving_) {
                    fail("cannot join " + s_.realm + " at " + s_.url);
                }
            });
            clients_.push_back(std::move(client));
        }
        for (auto& c : clients_) c->start();
    }

    // SIGINT/SIGTERM: report what there is, then leave.
    void interrupt() {
        if (s_.mode == "follow" && following_) return finish();
        exit_code_ = 3;
        leave();
    }

private:
    // ---- waiting for the registration ----------------------------------------

    void probe() {
        if (probe_deadline_ == Clock::time_point{})
            probe_deadline_ = Clock::now() + std::chrono::milliseconds(static_cast<long>(s_.wait_registered_s * 1000));
        auto tally = std::make_shared<LiveCallTally>(Clock::now());
        auto id = std::make_shared<pgwamp::wamp::CallId>();
        pgwamp::wamp::CallOptions options;
        options.on_progress = [this, tally, id](Array a, Object k) {
            const bool was_ready = tally->ready();
            tally->on_progress(a, k, Clock::now());
            if (!was_ready && tally->ready()) clients_[0]->cancel(*id);
        };
        *id = clients_[0]->call(s_.procedure, Array{std::string("probe-nobody")}, {}, std::move(options),
                                [this, tally](std::exception_ptr error, Array, Object) { probed(*tally, error); });
    }

    void probed(const LiveCallTally& tally, std::exception_ptr error) {
        if (tally.ready()) {
            boost::asio::post(io_, [this] { registered(); });
        } else if (error && error_uri(error) == "wamp.error.no_such_procedure" && Clock::now() < probe_deadline_) {
            timer_.expires_after(std::chrono::milliseconds(200));
            timer_.async_wait([this](boost::system::error_code ec) {
                if (!ec) probe();
            });
        } else {
            fail("the probe call of " + s_.procedure + " ended before ready: " +
                 (error ? error_text(error) : "a final result"));
        }
    }

    void registered() {
        emit({{"event", "registered"}});
        if (s_.mode == "snapshot") return snapshot_next();
        open_started_ = Clock::now();
        calls_.resize(s_.queries);
        for (std::size_t i = 0; i < s_.queries; ++i) {
            calls_[i].owner = pgwamp::bench::round_robin_owner(static_cast<std::int64_t>(i),
                                                               static_cast<std::int64_t>(s_.queries));
            calls_[i].client = clients_[i % clients_.size()].get();
        }
        timer_.expires_after(std::chrono::milliseconds(static_cast<long>(s_.open_timeout_s * 1000)));
        timer_.async_wait([this](boost::system::error_code ec) {
            if (!ec && !following_) fail("the live calls were not all ready after --open-timeout");
        });
        open_more();
    }

    // ---- snapshot mode ---------------------------------------------------------

    void snapshot_next() {
        if (snapshots_.size() == s_.warmup + s_.repeat) return snapshot_done();
        auto tally = std::make_shared<LiveCallTally>(Clock::now());
        auto id = std::make_shared<pgwamp::wamp::CallId>();
        auto client = clients_[snapshots_.size() % clients_.size()].get();
        pgwamp::wamp::CallOptions options;
        options.on_progress = [tally, id, client](Array a, Object k) {
            const bool was_ready = tally->ready();
            tally->on_progress(a, k, Clock::now());
            if (!was_ready && tally->ready()) client->cancel(*id);
        };
        *id = client->call(s_.procedure, Array{s_.owner}, {}, std::move(options),
                           [this, tally](std::exception_ptr error, Array, Object) {
                               nlohmann::json one = {{"warmup", snapshots_.size() < s_.warmup},
                                                     {"first_chunk_ms", optional(tally->first_chunk_ms())},
                                                     {"ready_ms", optional(tally->ready_ms())},
                                                     {"rows", tally->rows()},
                                                     {"chunks", tally->chunks()},
                                                     {"changes_before_ready", tally->changes_before_ready()},
                                                     {"shape_error", tally->shape_error().empty()
                                                                         ? nlohmann::json(nullptr)
                                                                         : nlohmann::json(tally->shape_error())}};
                               // Ended by our cancel after ready: as it should. Anything else is an error.
                               const bool ok = tally->ready() && error && error_uri(error) == "wamp.error.canceled";
                               one["error"] = ok ? nlohmann::json(nullptr)
                                                 : nlohmann::json(error ? error_text(error) : "a final result");
                               snapshots_.push_back(std::move(one));
                               boost::asio::post(io_, [this] { snapshot_next(); });
                           });
    }

    void snapshot_done() {
        std::vector<double> first, ready;
        for (const auto& s : snapshots_) {
            if (!s["error"].is_null() || s["warmup"].get<bool>()) continue;
            if (!s["first_chunk_ms"].is_null()) first.push_back(s["first_chunk_ms"].get<double>());
            ready.push_back(s["ready_ms"].get<double>());
        }
        emit({{"event", "result"},
              {"owner", s_.owner},
              {"snapshots", snapshots_},
              {"first_chunk_ms", median_max_json(first)},
              {"ready_ms", median_max_json(ready)},
              {"caller_cpu_s", cpu_seconds()}});
        leave();
    }

    // ---- follow mode -----------------------------------------------------------

    void open_more() {
        while (next_ < calls_.size() && opening_ < s_.window) open(next_++);
    }

    void open(std::size_t i) {
        ++opening_;
        auto& call = calls_[i];
        call.tally.emplace(Clock::now());
        pgwamp::wamp::CallOptions options;
        options.on_progress = [this, i](Array a, Object k) { progress(i, a, k); };
        call.id = call.client->call(s_.procedure, Array{call.owner}, {}, std::move(options),
                                    [this, i](std::exception_ptr error, Array, Object) { ended(i, error); });
    }

    void progress(std::size_t i, const Array& args, const Object& kwargs) {
        auto& call = calls_[i];
        const auto arrived = realtime_us();
        const bool was_ready = call.tally->ready();
        const Array* changes = call.tally->on_progress(args, kwargs, Clock::now());
        if (changes && !changes->empty()) {
            if (changes_) {
                changes_->add(call.owner, *changes, arrived);
                last_change_ = Clock::now();
                if (changes_->complete()) return finish();
                if (!idle_armed_) arm_idle();
            } else {
                early_changes_ += changes->size();
            }
        }
        if (!was_ready && call.tally->ready()) {
            --opening_;
            ++ready_;
            opened();
        }
    }

    void ended(std::size_t i, std::exception_ptr error) {
        auto& call = calls_[i];
        call.done = true;
        ++errors_[error ? error_uri(error) : "a final result"];
        if (error && first_error_.empty() && error_uri(error) != "wamp.error.canceled")
            first_error_ = error_text(error);
        if (leaving_) {
            if (++cancel_answers_ == cancels_sent_) stop_clients();
            return;
        }
        if (!call.tally->ready()) {
            --opening_;
            ++failed_;
            return opened();
        }
        ++ended_while_following_;  // a live call must stay open until canceled
    }

    void opened() {
        if (following_) return;
        if (ready_ + failed_ < calls_.size()) return open_more();
        following_ = true;
        timer_.cancel();
        std::vector<double> ready_ms;
        std::uint64_t rows = 0;
        for (const auto& c : calls_) {
            if (c.tally->ready_ms()) ready_ms.push_back(*c.tally->ready_ms());
            rows += c.tally->rows();
        }
        emit({{"event", "ready"},
              {"queries", calls_.size()},
              {"ready", ready_},
              {"failed", failed_},
              {"first_error", first_error_},
              {"open_s", std::chrono::duration<double>(Clock::now() - open_started_).count()},
              {"ready_ms", median_max_json(ready_ms)},
              {"snapshot_rows", rows},
              {"caller_cpu_s", cpu_seconds()}});
        changes_.emplace(s_.expect, s_.run);
        timer_.expires_after(std::chrono::milliseconds(static_cast<long>(s_.timeout_s * 1000)));
        timer_.async_wait([this](boost::system::error_code ec) {
            if (!ec) finish();
        });
    }

    void arm_idle() {
        idle_armed_ = true;
        idle_.expires_at(last_change_ + std::chrono::milliseconds(static_cast<long>(s_.idle_s * 1000)));
        idle_.async_wait([this](boost::system::error_code ec) {
            if (ec) return;
            if (Clock::now() - last_change_ >= std::chrono::milliseconds(static_cast<long>(s_.idle_s * 1000)))
                return finish();
            arm_idle();
        });
    }

    void finish() {
        if (finished_) return;
        finished_ = true;
        timer_.cancel();
        idle_.cancel();
        auto s = changes_ ? changes_->summarize() : pgwamp::bench::ChangeRunSummary{};
        nlohmann::json errors = nlohmann::json::object();
        for (const auto& [uri, n] : errors_) errors[uri] = n;
        emit({{"event", "result"},
              {"queries", calls_.size()},
              {"expected", s.expected},
              {"received", s.received},
              {"missing", s.missing},
              {"duplicates", s.duplicates},
              {"wrong_owner", s.wrong_owner},
              {"out_of_order", s.out_of_order},
              {"foreign", s.foreign},
              {"warmup", s.warmup},
              {"early_changes", early_changes_},
              {"arrival_span_s", s.first_to_last_s},
              {"ended_calls", ended_while_following_},
              {"call_errors", errors},
              {"first_error", first_error_},
              {"latency_us",
               {{"mean", s.latency.mean_us}, {"p50", s.latency.p50_us}, {"p90", s.latency.p90_us},
                {"p99", s.latency.p99_us}, {"p999", s.latency.p999_us}, {"max", s.latency.max_us}}},
              {"caller_cpu_s", cpu_seconds()}});
        leave();
    }

    // ---- leaving ---------------------------------------------------------------

    // Cancels every open call, waits (bounded) for the answers, then leaves.
    void leave() {
        if (leaving_) return;
        leaving_ = true;
        for (auto& c : calls_)
            if (c.tally && !c.done && c.client->cancel(c.id)) ++cancels_sent_;
        if (cancels_sent_ == 0) return stop_clients();
        timer_.expires_after(std::chrono::seconds(10));
        timer_.async_wait([this](boost::system::error_code ec) {
            if (!ec) stop_clients();
        });
    }

    void stop_clients() {
        if (stopping_) return;
        stopping_ = true;
        timer_.cancel();
        auto left = std::make_shared<std::size_t>(clients_.size());
        for (auto& c : clients_)
            c->stop([this, left] {
                if (--*left == 0) io_.stop();
            });
        timer_.expires_after(std::chrono::seconds(5));
        timer_.async_wait([this](boost::system::error_code ec) {
            if (!ec) io_.stop();
        });
    }

    void fail(const std::string& why) {
        std::cerr << "bench_live: " << why << "\n";
        emit({{"event", "failed"}, {"error", why}});
        exit_code_ = 1;
        leave();
    }

    boost::asio::io_context& io_;
    Settings s_;
    std::vector<std::unique_ptr<pgwamp::wamp::Client>> clients_;
    boost::asio::steady_timer timer_;
    boost::asio::steady_timer idle_;
    std::size_t joined_ = 0;
    Clock::time_point probe_deadline_{};
    int exit_code_ = 0;
    // snapshot mode
    std::vector<nlohmann::json> snapshots_;
    // follow mode
    std::vector<LiveCall> calls_;
    Clock::time_point open_started_;
    std::size_t next_ = 0, opening_ = 0, ready_ = 0, failed_ = 0;
    bool following_ = false;
    std::optional<ChangeTally> changes_;
    std::size_t early_changes_ = 0;  // changes before every call was ready (none expected: the loader waits)
    std::size_t ended_while_following_ = 0;
    std::map<std::string, std::size_t> errors_;  // how calls ended, by URI
    std::string first_error_;
    Clock::time_point last_change_;
    bool idle_armed_ = false;
    bool finished_ = false;
    bool leaving_ = false;
    bool stopping_ = false;
    std::size_t cancels_sent_ = 0, cancel_answers_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
    pgwamp::bench::log_to_stderr();
    Settings s;
    po::options_description desc("bench_live options");
    desc.add_options()("help,h", "this text")
        ("url", po::value(&s.url)->default_value("rs://127.0.0.1:8081"),
         "router: rs://IP:PORT (RawSocket), ws://HOST:PORT/PATH or unix:///PATH")
        ("realm", po::value(&s.realm)->default_value("realm1"), "realm to join")
        ("procedure", po::value(&s.procedure)->default_value("com.example.bench.live"), "the live query")
        ("mode", po::value(&s.mode)->required(), "snapshot or follow (see the top of live_main.cpp)")
        ("sessions", po::value(&s.sessions)->default_value(4), "WAMP sessions the calls are spread over")
        ("owner", po::value(&s.owner)->default_value("snap"), "snapshot: the owner whose rows the calls follow")
        ("repeat", po::value(&s.repeat)->default_value(5), "snapshot: calls measured, one after another")
        ("warmup", po::value(&s.warmup)->default_value(1),
         "snapshot: calls before them, reported but left out of median and max (the first pays one-off costs)")
        ("queries", po::value(&s.queries)->default_value(100), "follow: live calls, owners o0..o<N-1>")
        ("window", po::value(&s.window)->default_value(32), "follow: calls opened but not yet ready, at most")
        ("run", po::value(&s.run)->default_value(0), "follow: the run column of the loader's rows")
        ("expect", po::value(&s.expect)->default_value(0), "follow: rows the loader inserts (seq 0..N-1)")
        ("idle", po::value(&s.idle_s)->default_value(5.0), "follow: give up this long after the last change")
        ("timeout", po::value(&s.timeout_s)->default_value(120.0), "follow: give up this long after ready")
        ("open-timeout", po::value(&s.open_timeout_s)->default_value(600.0), "follow: seconds to open every call")
        ("wait-registered", po::value(&s.wait_registered_s)->default_value(60.0),
         "seconds to wait for the procedure to be registered");
    if (auto leave = pgwamp::bench::read_options("bench_live", argc, argv, desc, [&] {
            if (s.mode != "snapshot" && s.mode != "follow") throw std::invalid_argument("--mode: snapshot or follow");
            if (s.sessions == 0 || s.sessions > 1000) throw std::invalid_argument("--sessions must be in 1..1000");
            if (s.queries == 0 || s.queries > 1'000'000 || s.window == 0)
                throw std::invalid_argument("--queries must be in 1..1000000, --window > 0");
            if (s.repeat == 0 || s.expect > 100'000'000) throw std::invalid_argument("--repeat > 0, --expect <= 1e8");
            if (!(s.idle_s > 0) || !(s.timeout_s > 0) || !(s.open_timeout_s > 0) || !(s.wait_registered_s > 0))
                throw std::invalid_argument("--idle, --timeout, --open-timeout, --wait-registered must be > 0");
            pgwamp::bench::parse_endpoint(s.url);
        })) {
        return *leave;
    }
    boost::asio::io_context io;
    try {
        Bench bench(io, s);
        boost::asio::signal_set signals(io, SIGINT, SIGTERM);
        signals.async_wait([&](boost::system::error_code ec, int) {
            if (!ec) bench.interrupt();
        });
        bench.start();
        io.run();
        return bench.exit_code();
    } catch (const std::exception& e) {
        std::cerr << "bench_live: " << e.what() << "\n";
        return 1;
    }
}
