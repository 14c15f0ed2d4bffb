// bench_loadgen: a WAMP caller that keeps N calls outstanding against one
// procedure for a fixed window after a warm-up, then prints one JSON object
// with calls/s, latency percentiles, errors by URI and its own CPU use.
//
// Lines on stdout, so the harness can sample other processes at the window
// edges: {"event":"measure_start"}, {"event":"measure_end"}, then
// {"event":"result",...}. Diagnostics go to stderr.

#include "command_line.hpp"
#include "bench_client.hpp"
#include "call_load.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include <iostream>

namespace po = boost::program_options;
using pgwamp::bench::CallLoad;
using pgwamp::bench::CallLoadOptions;
using pgwamp::bench::CallLoadResult;

namespace {

void emit(const nlohmann::json& line) { std::cout << line.dump() << std::endl; }

nlohmann::json to_json(const CallLoadResult& r, std::size_t concurrency) {
    nlohmann::json j;
    j["event"] = "result";
    j["concurrency"] = concurrency;
    j["calls"] = r.completed;
    j["window_s"] = r.window_s;
    j["calls_per_s"] = r.window_s > 0 ? static_cast<double>(r.completed) / r.window_s : 0.0;
    j["errors"] = r.errors;
    j["no_reply"] = r.no_reply;
    j["latency_us"] = {{"mean", r.latency.mean_us}, {"p50", r.latency.p50_us}, {"p90", r.latency.p90_us},
                       {"p99", r.latency.p99_us},   {"p999", r.latency.p999_us}, {"max", r.latency.max_us}};
    j["loadgen_cpu_s"] = r.cpu_s;
    j["loadgen_cpu_percent"] = r.window_s > 0 ? 100.0 * r.cpu_s / r.window_s : 0.0;
    return j;
}

}  // namespace

int main(int argc, char** argv) {
    pgwamp::bench::log_to_stderr();
    std::string url;
    std::string realm;
    std::string serializer;
    std::string client_kind;
    CallLoadOptions options;
    double warmup_s = 1;
    double duration_s = 5;
    po::options_description desc("bench_loadgen options");
    desc.add_options()("help,h", "this text")
        ("url", po::value(&url)->default_value("rs://127.0.0.1:8081"),
         "router: rs://IP:PORT (RawSocket); with --client pgwamp also ws://HOST:PORT/PATH or unix:///PATH")
        ("realm", po::value(&realm)->default_value("realm1"), "realm to join")
        ("procedure", po::value(&options.procedure)->default_value("com.example.now.v1"), "procedure to call")
        ("concurrency,c", po::value(&options.concurrency)->default_value(1), "calls kept outstanding")
        ("warmup", po::value(&warmup_s)->default_value(1.0), "seconds of load before measuring")
        ("duration,d", po::value(&duration_s)->default_value(5.0), "seconds measured")
        ("client", po::value(&client_kind)->default_value("pgwamp"), "pgwamp (the project's wamp::Client) or autobahn")
        ("serializer", po::value(&serializer)->default_value("msgpack"),
         "msgpack (both clients implement MessagePack only)");
    if (auto leave = pgwamp::bench::read_options("bench_loadgen", argc, argv, desc, [&] {
        if (serializer != "msgpack") {
            throw std::invalid_argument("--serializer " + serializer + ": only msgpack is implemented by either client");
        }
        if (options.concurrency == 0 || options.concurrency > 100000) {
            throw std::invalid_argument("--concurrency must be in 1..100000");
        }
        if (!(warmup_s >= 0) || !(duration_s > 0) || duration_s > 86400) {
            throw std::invalid_argument("--warmup must be >= 0 and --duration in (0, 86400] seconds");
        }
        options.warmup = std::chrono::milliseconds(static_cast<long>(warmup_s * 1000));
        options.duration = std::chrono::milliseconds(static_cast<long>(duration_s * 1000));
    })) {
        return *leave;
    }

    boost::asio::io_context io;
    int exit_code = 0;
    try {
        auto client = pgwamp::bench::make_client(client_kind, io, url, realm);
        CallLoad load(io, options, [&](pgwamp::bench::CallDone done) { client->call(options.procedure, std::move(done)); });
        boost::asio::signal_set signals(io, SIGINT, SIGTERM);
        signals.async_wait([&](boost::system::error_code ec, int) {
            if (!ec) {
                std::cerr << "bench_loadgen: interrupted\n";
                exit_code = 3;
                io.stop();
            }
        });
        // Bounds on the two steps the router alone decides: joining and leaving.
        boost::asio::steady_timer deadline(io);
        auto stop_after = [&](std::chrono::seconds limit, const char* what, bool failed) {
            deadline.expires_after(limit);
            deadline.async_wait([&, what, failed](boost::system::error_code ec) {
                if (!ec) {
                    std::cerr << "bench_loadgen: " << what << "\n";
                    if (failed) {
                        exit_code = 1;
                    }
                    io.stop();
                }
            });
        };
        stop_after(std::chrono::seconds(15), "no session after 15 s (is the router up?)", true);
        client->open([&](const std::string& error) {
            deadline.cancel();
            if (!error.empty()) {
                std::cerr << "bench_loadgen: cannot join " << realm << " at " << url << ": " << error << "\n";
                exit_code = 1;
                io.stop();
                return;
            }
            load.start([] { emit({{"event", "measure_start"}}); }, [] { emit({{"event", "measure_end"}}); },
                       [&](const CallLoadResult& result) {
                           emit(to_json(result, options.concurrency));
                           signals.cancel();
                           stop_after(std::chrono::seconds(5), "leaving the realm took over 5 s; stopping anyway", false);
                           client->close([&] { io.stop(); });
                       });
        });
        io.run();
    } catch (const std::exception& e) {
        std::cerr << "bench_loadgen: " << e.what() << "\n";
        return 1;
    }
    return exit_code;
}
