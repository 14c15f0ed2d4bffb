// bench_event_pub: the "echo" of the NOTIFY bench. It publishes the very
// event pgwamp republishes for a NOTIFY (args=[{"seq", "t_us"}],
// kwargs={channel, json, pid}) straight to the router at a fixed rate, with
// no database on the way: the router's own ceiling and latency tail, which
// the NOTIFY -> event figures are judged against.
//
// --run R: the echo of the changes bench instead: the row-change event
// pgwamp publishes for an INSERT into --table (args [], kwargs {op, table,
// new: {id, run, seq, t_us, ...}, old, position, commit_time}).
//
// stdout: {"event":"result","sent":n,"warmup_sent":w,"seconds":s,"rate":r,"max_lag_ms":m,"dropped":d}
// (the same fields as bench_notify_pub, plus publishes the client dropped).

#include "command_line.hpp"
#include "bench_client.hpp"
#include "change_event.hpp"
#include "publish_schedule.hpp"
#include "value_json.hpp"

#include "common/value.hpp"
#include "wamp/client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
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
    std::string table;
    std::int64_t run = -1;
    pgwamp::bench::PublishPlan plan;
    po::options_description desc("bench_event_pub options");
    desc.add_options()("help,h", "this text")
        ("url", po::value(&url)->default_value("rs://127.0.0.1:8081"), "router RawSocket url, rs://IP:PORT")
        ("realm", po::value(&realm)->default_value("realm1"), "realm to join")
        ("topic", po::value(&topic)->default_value("com.example.bench.event"), "topic to publish to")
        ("channel", po::value(&channel)->default_value("bench_events"), "the channel named in kwargs")
        ("run", po::value(&run)->default_value(-1), "publish row-change events of this run; -1: NOTIFY events")
        ("table", po::value(&table)->default_value("public.bench_changes"), "with --run: the table named in kwargs");
    pgwamp::bench::add_publish_options(desc, plan);
    pgwamp::wamp::ClientOptions client_options;
    if (auto leave = pgwamp::bench::read_options("bench_event_pub", argc, argv, desc, [&] {
        pgwamp::bench::check_publish_plan(plan);
        client_options.endpoint = pgwamp::bench::parse_endpoint(url);
        client_options.realm = realm;
    })) {
        return *leave;
    }

    boost::asio::io_context io;
    pgwamp::wamp::Client client(io, client_options);
    boost::asio::steady_timer tick(io);
    const pgwamp::Object kwargs{{"channel", pgwamp::Value(channel)},
                                {"json", pgwamp::Value(true)},
                                {"pid", pgwamp::Value(static_cast<std::int64_t>(::getpid()))}};
    std::optional<pgwamp::bench::PublishSchedule> schedule;
    bool all_sent = false;
    std::uint64_t refused = 0;  // acknowledged publishes the router answered with ERROR

    std::function<void()> send_due = [&] {
        // Everything due by now goes out (a late wake-up catches up), then
        // sleep until the next one is due.
        auto now = Clock::now();
        while (!schedule->done() && schedule->due(schedule->next()) <= now) {
            auto payload = schedule->next_payload(realtime_us());
            if (run >= 0) {
                auto change = pgwamp::bench::change_event_kwargs(payload, table, run, schedule->next() + 1);
                // Acknowledged, as pgwamp and the peer publish changes: the router does the same work.
                client.publish(topic, pgwamp::Array{}, std::get<pgwamp::Object>(pgwamp::bench::from_json(change).data),
                               pgwamp::wamp::PublishOptions{true}, [&](std::exception_ptr e) {
                                   if (e) ++refused;
                               });
            } else {
                client.publish(topic, pgwamp::Array{pgwamp::bench::from_json(payload)}, kwargs);
            }
            schedule->sent(now);
        }
        if (!schedule->done()) {
            tick.expires_at(schedule->due(schedule->next()));
            tick.async_wait([&](boost::system::error_code ec) {
                if (!ec) send_due();
            });
            return;
        }
        all_sent = true;
        auto result = schedule->result(Clock::now());
        result["dropped"] = client.dropped_publications() + refused;
        std::cout << result.dump() << std::endl;
        client.stop([&] { io.stop(); });
    };
    bool started = false;
    client.on_state([&](pgwamp::wamp::ClientState state) {
        if (state == pgwamp::wamp::ClientState::joined && !started) {
            started = true;
            schedule.emplace(plan, Clock::now());
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
    return all_sent ? 0 : 1;
}
