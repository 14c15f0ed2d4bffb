#pragma once
// What /proc/self says about this process, for the process_* metrics: a few
// small reads of procfs (no disk I/O), done per scrape.

namespace pgwamp::service {

struct ProcessStats {
    double resident_memory_bytes = 0;
    double cpu_seconds = 0;  // user + system
    double open_fds = 0;
    double max_fds = 0;
    double start_time_seconds = 0;  // since the epoch
};

ProcessStats read_process_stats();

}  // namespace pgwamp::service
