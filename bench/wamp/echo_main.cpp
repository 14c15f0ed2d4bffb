// bench_echo: a callee with no database at all. It answers every call at
// once with a fixed string shaped like now()'s result, so its numbers are
// what the router and the transport cost: the ceiling a database callee is
// measured against. Prints {"event":"ready"} when registered and its call
// count on SIGTERM/SIGINT.

#include "command_line.hpp"
#include "bench_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include <iostream>

namespace po = boost::program_options;

int main(int argc, char** argv) {
    pgwamp::bench::log_to_stderr();
    std::string url;
    std::string realm;
    std::string procedure;
    std::string client_kind;
    po::options_description desc("bench_echo options");
    desc.add_options()("help,h", "this text")
        ("url", po::value(&url)->default_value("rs://127.0.0.1:8081"), "router url, as bench_loadgen takes it")
        ("realm", po::value(&realm)->default_value("realm1"), "realm to join")
        ("procedure", po::value(&procedure)->default_value("com.example.echo"), "procedure to register")
        ("client", po::value(&client_kind)->default_value("pgwamp"), "pgwamp (the project's wamp::Client) or autobahn");
    boost::asio::io_context io;
    std::unique_ptr<pgwamp::bench::BenchClient> client;
    if (auto leave = pgwamp::bench::read_options("bench_echo", argc, argv, desc, [&] {
        client = pgwamp::bench::make_client(client_kind, io, url, realm);
    })) {
        return *leave;
    }

    std::uint64_t calls = 0;
    int exit_code = 0;
    // Same length as PostgreSQL's text for now(), so message sizes match the database callees.
    client->provide(procedure, "2026-01-01 00:00:00.000000+00", [&calls] { ++calls; });

    boost::asio::steady_timer deadline(io, std::chrono::seconds(15));
    deadline.async_wait([&](boost::system::error_code ec) {
        if (!ec) {
            std::cerr << "bench_echo: not registered after 15 s (is the router up?)\n";
            exit_code = 1;
            io.stop();
        }
    });
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code ec, int) {
        if (ec) {
            return;
        }
        // Leave politely so the router drops the registration at once; give up after 3 s.
        deadline.expires_after(std::chrono::seconds(3));
        deadline.async_wait([&](boost::system::error_code timer_ec) {
            if (!timer_ec) {
                io.stop();
            }
        });
        client->close([&] { io.stop(); });
    });
    client->open([&](const std::string& error) {
        deadline.cancel();
        if (!error.empty()) {
            std::cerr << "bench_echo: " << error << "\n";
            exit_code = 1;
            io.stop();
            return;
        }
        std::cout << nlohmann::json{{"event", "ready"}, {"procedure", procedure}}.dump() << std::endl;
    });
    try {
        io.run();
    } catch (const std::exception& e) {
        std::cerr << "bench_echo: " << e.what() << "\n";
        exit_code = 1;
    }
    std::cout << nlohmann::json{{"event", "stopped"}, {"calls", calls}}.dump() << std::endl;
    return exit_code;
}
