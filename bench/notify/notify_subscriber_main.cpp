// bench_notify_sub: subscribes to the topic NOTIFY payloads are republished
// on and timestamps each event as it arrives. Payloads carry
// {"seq": n, "t_us": commit-time}; we report events received, missing,
// duplicated, out of order, and the commit -> arrival latency percentiles.
//
// stdout: {"event":"ready"} once subscribed, then {"event":"result",...} when
// all --expect events arrived, or --idle seconds passed without one (after the
// first), or --timeout seconds passed in all.
//
// --run R: the subscriber of the changes bench. Events are row changes
// (args [], kwargs {op, table, new, ...}) and seq and t_us come from the
// row (kwargs["new"]) of run R; rows of other runs count as foreign.

#include "command_line.hpp"
#include "bench_client.hpp"
#include "change_event.hpp"
#include "event_tracker.hpp"
#include "value_json.hpp"

#include "wamp/client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/program_options.hpp>

#include <chrono>
#include <functional>
#include <iostream>

namespace po = boost::program_options;
using pgwamp::bench::EventRunSummary;

namespace {

std::int64_t realtime_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::optional<pgwamp::bench::BenchEvent> read_event(const pgwamp::wamp::Event& event, std::int64_t run) {
    if (run >= 0) {
        return pgwamp::bench::parse_change_event(pgwamp::bench::to_json(pgwamp::Value(event.kwargs)), run);
    }
    if (!event.args.empty()) {
        return pgwamp::bench::parse_event_payload(pgwamp::bench::to_json(event.args.front()));
    }
    if (!event.kwargs.empty()) {
        return pgwamp::bench::parse_event_payload(pgwamp::bench::to_json(pgwamp::Value(event.kwargs)));
    }
    return std::nullopt;
}

nlohmann::json to_json(const EventRunSummary& s) {
    return {{"event", "result"},
            {"expected", s.expected},
            {"received", s.received},
            {"missing", s.missing},
            {"duplicates", s.duplicates},
            {"out_of_order", s.out_of_order},
            {"foreign", s.foreign},
            {"warmup", s.warmup},
            {"arrival_span_s", s.first_to_last_s},
            {"latency_us",
             {{"mean", s.latency.mean_us}, {"p50", s.latency.p50_us}, {"p90", s.latency.p90_us},
              {"p99", s.latency.p99_us}, {"p999", s.latency.p999_us}, {"max", s.latency.max_us}}}};
}

}  // namespace

int main(int argc, char** argv) {
    pgwamp::bench::log_to_stderr();
    std::string url;
    std::string realm;
    std::string topic;
    std::size_t expect = 0;
    double idle_s = 3;
    double timeout_s = 120;
    std::int64_t run = -1;
    po::options_description desc("bench_notify_sub options");
    desc.add_options()("help,h", "this text")
        ("url", po::value(&url)->default_value("rs://127.0.0.1:8081"), "router RawSocket url, rs://IP:PORT")
        ("realm", po::value(&realm)->default_value("realm1"), "realm to join")
        ("topic", po::value(&topic)->default_value("com.example.bench.event"), "topic to subscribe to")
        ("expect", po::value(&expect)->required(), "events the publisher sends (seq 0..expect-1)")
        ("idle", po::value(&idle_s)->default_value(3.0), "give up after this many seconds without an event")
        ("timeout", po::value(&timeout_s)->default_value(120.0), "give up after this many seconds in all")
        ("run", po::value(&run)->default_value(-1), "read row-change events of this run (see above); -1: NOTIFY payloads");
    pgwamp::wamp::ClientOptions client_options;
    if (auto leave = pgwamp::bench::read_options("bench_notify_sub", argc, argv, desc, [&] {
        if (expect == 0 || expect > 100'000'000) {
            throw std::invalid_argument("--expect must be in 1..100000000");
        }
        if (!(idle_s > 0) || !(timeout_s > 0)) {
            throw std::invalid_argument("--idle and --timeout must be positive");
        }
        client_options.endpoint = pgwamp::bench::parse_endpoint(url);
        client_options.realm = realm;
    })) {
        return *leave;
    }

    boost::asio::io_context io;
    pgwamp::wamp::Client client(io, client_options);
    pgwamp::bench::EventTracker tracker(expect);
    boost::asio::steady_timer overall(io, std::chrono::milliseconds(static_cast<long>(timeout_s * 1000)));
    boost::asio::steady_timer idle(io);
    auto idle_limit = std::chrono::milliseconds(static_cast<long>(idle_s * 1000));
    int exit_code = 0;
    bool finished = false;

    auto finish = [&] {
        if (finished) {
            return;
        }
        finished = true;
        overall.cancel();
        idle.cancel();
        std::cout << to_json(tracker.summarize()).dump() << std::endl;
        boost::asio::steady_timer* guard = &overall;
        guard->expires_after(std::chrono::seconds(3));
        guard->async_wait([&](boost::system::error_code ec) {
            if (!ec) {
                io.stop();
            }
        });
        client.stop([&] { io.stop(); });
    };
    // One timer for "no event for idle_limit": when it fires it looks at the
    // last arrival and re-arms for the rest, so events never touch the timer.
    auto last_event = std::chrono::steady_clock::now();
    std::function<void()> arm_idle = [&] {
        idle.expires_at(last_event + idle_limit);
        idle.async_wait([&](boost::system::error_code ec) {
            if (ec) {
                return;
            }
            if (std::chrono::steady_clock::now() - last_event >= idle_limit) {
                finish();
            } else {
                arm_idle();
            }
        });
    };
    overall.async_wait([&](boost::system::error_code ec) {
        if (!ec) {
            if (tracker.received() == 0) {
                std::cerr << "bench_notify_sub: no event at all within --timeout\n";
            }
            finish();
        }
    });
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code ec, int) {
        if (!ec) {
            finish();
        }
    });

    auto on_event = [&](const pgwamp::wamp::Event& event) {
        auto arrived = realtime_us();
        last_event = std::chrono::steady_clock::now();
        if (finished) {
            return;
        }
        std::optional<pgwamp::bench::BenchEvent> parsed;
        try {
            parsed = read_event(event, run);
        } catch (const std::exception&) {
            // A payload of another shape counts as foreign; it must not end the run.
        }
        tracker.add(parsed, arrived);
        if (tracker.complete()) {
            finish();
        } else if (tracker.received() == 1) {
            arm_idle();
        }
    };
    // Remembered by the client and subscribed on join; `joined` means the
    // router answered the SUBSCRIBE, so events published from now on reach us.
    client.subscribe(topic, on_event);
    bool ready = false;
    client.on_state([&](pgwamp::wamp::ClientState state) {
        if (state == pgwamp::wamp::ClientState::joined && !ready) {
            ready = true;
            std::cout << nlohmann::json{{"event", "ready"}, {"topic", topic}}.dump() << std::endl;
        }
    });
    client.start();
    try {
        io.run();
    } catch (const std::exception& e) {
        std::cerr << "bench_notify_sub: " << e.what() << "\n";
        return 1;
    }
    return exit_code;
}
