// One /metrics scrape's cost with N provided procedures: what the admin
// listener does per request on the event loop (read /proc/self, set the
// gauges, serialize the registry), without the HTTP around it. Every
// procedure has answered calls (ok and one error URI each), so every series
// a busy process has is there.
//
//   bench_metrics_scrape [procedures=1000] [scrapes=200] [called=procedures]
//
// `called`: how many of them have answered calls (ok and one error URI
// each); the others are configured but idle (one zero counter each, no
// histogram yet).

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "service/metrics.hpp"
#include "service/process_stats.hpp"

namespace {

double thread_cpu_ms() {
    timespec t{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

struct Figures {
    std::vector<double> wall, cpu;
    std::size_t bytes = 0;
    void print(const char* what) {
        std::sort(wall.begin(), wall.end());
        std::sort(cpu.begin(), cpu.end());
        const auto at = [](const std::vector<double>& v, double q) {
            return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))];
        };
        std::printf("%-22s bytes=%zu wall median=%.2f p90=%.2f ms  cpu median=%.2f p90=%.2f ms\n", what, bytes,
                    at(wall, 0.5), at(wall, 0.9), at(cpu, 0.5), at(cpu, 0.9));
    }
};

}  // namespace

int main(int argc, char** argv) {
    using Clock = std::chrono::steady_clock;
    const int procedures = argc > 1 ? std::atoi(argv[1]) : 1000;
    const int scrapes = argc > 2 ? std::atoi(argv[2]) : 200;
    const int called = argc > 3 ? std::atoi(argv[3]) : procedures;

    pgwamp::service::Metrics metrics;
    for (int i = 0; i < procedures; ++i) {
        auto& p = metrics.procedure("com.example.bench.procedure_" + std::to_string(i));
        if (i >= called) continue;
        p.record("", std::chrono::microseconds(300 + i % 5000));
        p.record("pgwamp.error.timeout", std::chrono::milliseconds(30));
    }
    for (int i = 0; i < 10; ++i) metrics.topic("com.example.bench.topic_" + std::to_string(i)).count_published();

    std::printf("procedures=%d called=%d scrapes=%d (each: /proc/self read, gauges set, registry collected and "
                "written)\n", procedures, called, scrapes);
    for (const bool reference : {false, true}) {
        Figures f;
        for (int i = 0; i < scrapes; ++i) {
            const auto start = Clock::now();
            const double cpu_start = thread_cpu_ms();
            const auto stats = pgwamp::service::read_process_stats();
            pgwamp::service::Metrics::Sample s;
            s.resident_memory_bytes = stats.resident_memory_bytes;
            s.cpu_seconds = stats.cpu_seconds;
            s.open_fds = stats.open_fds;
            metrics.set(s);
            f.bytes = (reference ? metrics.scrape_with_text_serializer() : metrics.scrape()).size();
            f.cpu.push_back(thread_cpu_ms() - cpu_start);
            f.wall.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
        }
        f.print(reference ? "prometheus-cpp writer" : "pgwamp writer");
    }
    return 0;
}
