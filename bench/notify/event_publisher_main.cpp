// bench_event_pub: the "echo" of the NOTIFY bench. It publishes the very
// event pgwamp republishes for a NOTIFY (args=[{"seq", "t_us"}],
// kwargs={channel, json, pid}) straight to the router at a fixed rate, with
// no database on the way: the router's own ceiling and latency tail, which
// the NOTIFY -> event figures are judged against.
//
// stdout: {"event":"result","sent":n,"warmup_sent":w,"seconds":s,"rate":r,"max_lag_ms":m,"dropped":d}
// (the same fields as bench_notify_pub, plus publishes the client dropped).

#include "bench_client.hpp"

#include "db/value.hpp"
#include "wamp/client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <string>

namespace po = boost::program_options;
using Clock = std::chrono::steady_clock;

namespace {

std::int64_t realtime_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

int main(int argc, char** argv) {
    pgwamp::bench::log_to_stderr();
    std::string url;
    std::string realm;
    std::string topic;
    std::string channel;
    double rate = 1000;
    double duration_s = 5;
    double warmup_s = 0;
    po::options_description desc("bench_event_pub options");
    desc.add_options()("help,h", "this text")
        ("url", po::value(&url)->default_value("rs://127.0.0.1:8081"), "router RawSocket url, rs://IP:PORT")
        ("realm", po::value(&realm)->default_value("realm1"), "realm to join")
        ("topic", po::value(&topic)->default_value("com.example.bench.event"), "topic to publish to")
        ("channel", po::value(&channel)->default_value("bench_events"), "the channel named in kwargs")
        ("rate", po::value(&rate)->default_value(1000.0), "events per second")
        ("duration", po::value(&duration_s)->default_value(5.0), "seconds to publish")
        ("warmup", po::value(&warmup_s)->default_value(0.0), "seconds of warm-up events before them");
    pgwamp::wamp::ClientOptions client_options;
    try {
        po::variables_map vm;
        po::store(po::parse_command_line(argc, argv, desc), vm);
        if (vm.count("help")) {
            std::cout << desc << "\n";
            return 0;
        }
        po::notify(vm);
        if (!(rate > 0) || rate > 1e6 || !(duration_s > 0) || duration_s > 86400 || !(warmup_s >= 0) ||
            warmup_s > 3600) {
            throw std::invalid_argument("--rate must be in (0, 1e6], --duration in (0, 86400], --warmup in [0, 3600]");
        }
        client_options.endpoint = pgwamp::bench::parse_endpoint(url);
        client_options.realm = realm;
    } catch (const std::exception& e) {
        std::cerr << "bench_event_pub: " << e.what() << "\n" << desc << "\n";
        return 2;
    }

    boost::asio::io_context io;
    pgwamp::wamp::Client client(io, client_options);
    boost::asio::steady_timer tick(io);
    const auto warm = static_cast<std::int64_t>(rate * warmup_s);
    const auto count = warm + static_cast<std::int64_t>(rate * duration_s);
    const auto period = std::chrono::duration<double>(1.0 / rate);
    const pgwamp::db::Object kwargs{{"channel", pgwamp::db::Value(channel)},
                                    {"json", pgwamp::db::Value(true)},
                                    {"pid", pgwamp::db::Value(static_cast<std::int64_t>(::getpid()))}};
    Clock::time_point start{};
    Clock::time_point measured_start{};
    Clock::time_point last_send{};
    std::chrono::duration<double> max_lag{0};
    std::int64_t sent = 0;
    bool started = false;

    auto due = [&](std::int64_t n) { return start + std::chrono::duration_cast<Clock::duration>(period * n); };
    std::function<void()> send_due = [&] {
        // Everything due by now goes out (a late wake-up catches up), then
        // sleep until the next one is due.
        auto now = Clock::now();
        while (sent < count && due(sent) <= now) {
            if (now - due(sent) > max_lag) max_lag = now - due(sent);
            if (sent == warm) measured_start = now;
            pgwamp::db::Object payload;
            if (sent < warm) {
                payload = {{"warmup", pgwamp::db::Value(true)}, {"t_us", pgwamp::db::Value(realtime_us())}};
            } else {
                payload = {{"seq", pgwamp::db::Value(sent - warm)}, {"t_us", pgwamp::db::Value(realtime_us())}};
            }
            client.publish(topic, pgwamp::db::Array{pgwamp::db::Value(std::move(payload))}, kwargs);
            ++sent;
            last_send = Clock::now();
        }
        if (sent < count) {
            tick.expires_at(due(sent));
            tick.async_wait([&](boost::system::error_code ec) {
                if (!ec) send_due();
            });
            return;
        }
        const std::int64_t measured = sent - warm;
        double seconds = std::chrono::duration<double>(Clock::now() - start).count();
        double span = std::chrono::duration<double>(last_send - measured_start).count();
        double achieved = span > 0 ? static_cast<double>(measured - 1) / span : static_cast<double>(measured) / seconds;
        std::cout << nlohmann::json{{"event", "result"},
                                    {"sent", measured},
                                    {"warmup_sent", warm},
                                    {"seconds", seconds},
                                    {"rate", achieved},
                                    {"max_lag_ms", max_lag.count() * 1000},
                                    {"dropped", client.dropped_publications()}}
                         .dump()
                  << std::endl;
        client.stop([&] { io.stop(); });
    };
    client.on_state([&](pgwamp::wamp::ClientState state) {
        if (state == pgwamp::wamp::ClientState::joined && !started) {
            started = true;
            start = Clock::now();
            send_due();
        }
    });
    client.start();
    try {
        io.run();
    } catch (const std::exception& e) {
        std::cerr << "bench_event_pub: " << e.what() << "\n";
        return 1;
    }
    return sent == count ? 0 : 1;
}
