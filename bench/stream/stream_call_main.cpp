// bench_stream_call: joins the router, makes one call (with progressive
// results when --progress), counts what arrives and prints one JSON line:
// {"event":"result", rows, chunks, bytes, first_chunk_ms, total_s, rows_per_s,
// mb_per_s, error, ...}. bytes is the rows' MessagePack size, computed
// (stream_tally.hpp), without the WAMP envelope. Before calling it prints
// {"event":"joined"}, so the harness can take its "before" figures.
// --chunk-delay-ms makes it a slow caller, to see what the router does then.

#include "bench_client.hpp"
#include "command_line.hpp"
#include "stream_tally.hpp"

#include "wamp/client.hpp"
#include "wamp/value_msgpack.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include <ctime>
#include <iostream>
#include <thread>

namespace po = boost::program_options;
using pgwamp::bench::StreamTally;

namespace {

void emit(const nlohmann::json& line) { std::cout << line.dump() << std::endl; }

double cpu_seconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

// The call's arguments, given as a JSON array on the command line.
pgwamp::Array parse_args(const std::string& text) {
    const auto json = nlohmann::json::parse(text);
    if (!json.is_array()) throw std::invalid_argument("--args must be a JSON array, e.g. [1000000]");
    pgwamp::Array args;
    for (const auto& v : json) {
        if (v.is_number_integer()) {
            args.emplace_back(v.get<std::int64_t>());
        } else if (v.is_string()) {
            args.emplace_back(v.get<std::string>());
        } else {
            throw std::invalid_argument("--args: only integers and strings are supported");
        }
    }
    return args;
}

std::string error_uri(std::exception_ptr error) {
    try {
        std::rethrow_exception(error);
    } catch (const pgwamp::wamp::CallError& e) {
        std::string text = e.uri();
        if (!e.args().empty() && e.args().front().is<std::string>()) text += ": " + e.args().front().as<std::string>();
        return text;
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "(unknown exception)";
    }
}

template <class T>
nlohmann::json optional(const std::optional<T>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

nlohmann::json to_json(const StreamTally& t, bool progress, const std::string& error, double cpu_s) {
    const double total = t.total_s().value_or(0);
    return {{"event", "result"},
            {"progress", progress},
            {"rows", t.rows()},
            {"chunks", t.chunks()},
            {"bytes", t.bytes()},
            {"offset_errors", t.offset_errors()},
            {"announced_rows", optional(t.announced_rows())},
            {"announced_chunks", optional(t.announced_chunks())},
            {"first_chunk_ms", optional(t.first_chunk_ms())},
            {"total_s", optional(t.total_s())},
            {"rows_per_s", total > 0 ? static_cast<double>(t.rows()) / total : 0.0},
            {"mb_per_s", total > 0 ? static_cast<double>(t.bytes()) / total / 1e6 : 0.0},
            {"error", error.empty() ? nlohmann::json(nullptr) : nlohmann::json(error)},
            {"shape_error", t.shape_error().empty() ? nlohmann::json(nullptr) : nlohmann::json(t.shape_error())},
            {"caller_cpu_s", cpu_s}};
}

}  // namespace

int main(int argc, char** argv) {
    pgwamp::bench::log_to_stderr();
    std::string url;
    std::string realm;
    std::string procedure;
    std::string args_text;
    bool progress = false;
    double timeout_s = 600;
    std::size_t max_message_mb = 64;
    unsigned chunk_delay_ms = 0;
    po::options_description desc("bench_stream_call options");
    desc.add_options()("help,h", "this text")
        ("url", po::value(&url)->default_value("rs://127.0.0.1:8081"),
         "router: rs://IP:PORT (RawSocket), ws://HOST:PORT/PATH or unix:///PATH")
        ("realm", po::value(&realm)->default_value("realm1"), "realm to join")
        ("procedure", po::value(&procedure)->default_value("com.example.numbers"), "procedure to call")
        ("args", po::value(&args_text)->default_value("[1000000]"), "the call's args as a JSON array")
        ("progress", po::bool_switch(&progress), "ask for progressive results (receive_progress)")
        ("timeout", po::value(&timeout_s)->default_value(600.0), "seconds allowed for the call; then CANCEL")
        ("chunk-delay-ms", po::value(&chunk_delay_ms)->default_value(0),
         "a slow caller: sleep this long after each progressive result, reading nothing meanwhile")
        ("max-message-mb", po::value(&max_message_mb)->default_value(64),
         "largest message accepted (a non-progressive result is one message)");
    pgwamp::Array call_args;
    if (auto leave = pgwamp::bench::read_options("bench_stream_call", argc, argv, desc, [&] {
            call_args = parse_args(args_text);
            if (!(timeout_s > 0) || max_message_mb == 0 || max_message_mb > 1024) {
                throw std::invalid_argument("--timeout must be > 0 and --max-message-mb in 1..1024");
            }
        })) {
        return *leave;
    }

    boost::asio::io_context io;
    int exit_code = 0;
    try {
        pgwamp::wamp::ClientOptions options;
        options.endpoint = pgwamp::bench::parse_endpoint(url);
        options.realm = realm;
        options.max_message_size = max_message_mb << 20;
        options.backoff.max_attempts = 3;
        pgwamp::wamp::Client client(io, options);
        std::optional<StreamTally> tally;
        boost::asio::steady_timer deadline(io);
        auto finish = [&](const std::string& error) {
            deadline.cancel();
            emit(to_json(*tally, progress, error, cpu_seconds()));
            if (!error.empty()) exit_code = 1;
            client.stop([&] { io.stop(); });
        };
        auto call = [&] {
            emit({{"event", "joined"}});
            pgwamp::wamp::CallOptions call_options;
            if (progress) {
                call_options.on_progress = [&](pgwamp::Array a, pgwamp::Object k) {
                    tally->on_progress(a, k, StreamTally::Clock::now());
                    // Blocking the loop on purpose: the socket is not read, as
                    // with a caller on a slow link; the router's buffering shows.
                    if (chunk_delay_ms) std::this_thread::sleep_for(std::chrono::milliseconds(chunk_delay_ms));
                };
            }
            tally.emplace(StreamTally::Clock::now());
            auto id = client.call(procedure, call_args, {}, std::move(call_options),
                                  [&](std::exception_ptr error, pgwamp::Array a, pgwamp::Object) {
                                      if (error) return finish(error_uri(error));
                                      tally->on_result(a, StreamTally::Clock::now());
                                      finish("");
                                  });
            deadline.expires_after(std::chrono::milliseconds(static_cast<long>(timeout_s * 1000)));
            deadline.async_wait([&, id](boost::system::error_code ec) {
                if (!ec) {
                    std::cerr << "bench_stream_call: no result after " << timeout_s << " s; cancelling\n";
                    client.cancel(id);  // the call's handler then reports wamp.error.canceled
                }
            });
        };
        bool joined = false;
        client.on_state([&](pgwamp::wamp::ClientState state) {
            if (state == pgwamp::wamp::ClientState::joined && !joined) {
                joined = true;
                call();
            } else if (state == pgwamp::wamp::ClientState::stopped && !joined) {
                std::cerr << "bench_stream_call: cannot join " << realm << " at " << url << "\n";
                exit_code = 1;
                io.stop();
            }
        });
        boost::asio::signal_set signals(io, SIGINT, SIGTERM);
        signals.async_wait([&](boost::system::error_code ec, int) {
            if (!ec) {
                std::cerr << "bench_stream_call: interrupted\n";
                exit_code = 3;
                io.stop();
            }
        });
        client.start();
        io.run();
    } catch (const std::exception& e) {
        std::cerr << "bench_stream_call: " << e.what() << "\n";
        return 1;
    }
    return exit_code;
}
