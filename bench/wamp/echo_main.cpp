// bench_echo: a callee with no database at all. It answers every call at
// once with a fixed string shaped like now()'s result, so its numbers are
// what the router and the transport cost: the ceiling a database callee is
// measured against. Prints {"event":"ready"} when registered and its call
// count on SIGTERM/SIGINT.

#include "connection.hpp"

#include <autobahn/autobahn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <tuple>

namespace po = boost::program_options;

int main(int argc, char** argv) {
    std::string url;
    std::string realm;
    std::string procedure;
    po::options_description desc("bench_echo options");
    desc.add_options()("help,h", "this text")
        ("url", po::value(&url)->default_value("rs://127.0.0.1:8081"), "router RawSocket url, rs://IP:PORT")
        ("realm", po::value(&realm)->default_value("realm1"), "realm to join")
        ("procedure", po::value(&procedure)->default_value("com.example.echo"), "procedure to register");
    boost::asio::ip::tcp::endpoint endpoint;
    try {
        po::variables_map vm;
        po::store(po::parse_command_line(argc, argv, desc), vm);
        po::notify(vm);
        if (vm.count("help")) {
            std::cout << desc << "\n";
            return 0;
        }
        endpoint = pgwamp::bench::parse_rawsocket_url(url);
    } catch (const std::exception& e) {
        std::cerr << "bench_echo: " << e.what() << "\n" << desc << "\n";
        return 2;
    }

    boost::asio::io_context io;
    pgwamp::bench::AsioExecutor executor(io);
    pgwamp::bench::Connection connection(io, executor, endpoint, realm);
    std::uint64_t calls = 0;
    int exit_code = 0;
    boost::future<void> registered;
    // Same length as PostgreSQL's text for now(), so message sizes match the database callees.
    const std::string answer = "2026-01-01 00:00:00.000000+00";

    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    boost::asio::steady_timer deadline(io, std::chrono::seconds(15));
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
        connection.close([&](std::exception_ptr) { io.stop(); });
    });
    deadline.async_wait([&](boost::system::error_code ec) {
        if (!ec) {
            std::cerr << "bench_echo: not registered after 15 s (is the router up?)\n";
            exit_code = 1;
            io.stop();
        }
    });
    connection.open([&](std::exception_ptr error) {
        if (error) {
            try {
                std::rethrow_exception(error);
            } catch (const std::exception& e) {
                std::cerr << "bench_echo: cannot join " << realm << " at " << url << ": " << e.what() << "\n";
            }
            exit_code = 1;
            io.stop();
            return;
        }
        auto echo = [&](autobahn::wamp_invocation invocation) {
            ++calls;
            invocation->result(std::make_tuple(answer));
        };
        registered = connection.session().provide(procedure, echo).then(
            executor, [&](boost::future<autobahn::wamp_registration> done) {
                deadline.cancel();
                try {
                    done.get();
                    std::cout << nlohmann::json{{"event", "ready"}, {"procedure", procedure}}.dump() << std::endl;
                } catch (const std::exception& e) {
                    std::cerr << "bench_echo: cannot register " << procedure << ": " << e.what() << "\n";
                    exit_code = 1;
                    io.stop();
                }
            });
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
