#include "service/process_stats.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

namespace pgwamp::service {

namespace {

// /proc/self/stat: fields after the command name (which may hold spaces and
// parentheses, hence from the last ')'): state is field 3, utime 14, stime 15,
// starttime 22 (clock ticks since boot), rss 24 (pages).
void read_stat(ProcessStats& out) {
    std::ifstream file("/proc/self/stat");
    std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    const auto close = text.rfind(')');
    if (close == std::string::npos) return;
    std::istringstream fields(text.substr(close + 2));
    std::string field;
    double utime = 0, stime = 0, starttime = 0, rss = 0;
    for (int index = 3; fields >> field && index <= 24; ++index) {
        if (index == 14) utime = std::stod(field);
        if (index == 15) stime = std::stod(field);
        if (index == 22) starttime = std::stod(field);
        if (index == 24) rss = std::stod(field);
    }
    const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
    out.cpu_seconds = (utime + stime) / ticks;
    out.resident_memory_bytes = rss * static_cast<double>(::sysconf(_SC_PAGESIZE));
    std::ifstream boot("/proc/stat");
    for (std::string line; std::getline(boot, line);) {
        if (line.rfind("btime ", 0) == 0) {
            out.start_time_seconds = std::stod(line.substr(6)) + starttime / ticks;
            break;
        }
    }
}

}  // namespace

ProcessStats read_process_stats() {
    ProcessStats out;
    read_stat(out);
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
        ++out.open_fds;
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) out.max_fds = static_cast<double>(limit.rlim_cur);
    return out;
}

}  // namespace pgwamp::service
