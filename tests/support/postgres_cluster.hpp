#pragma once
// A throwaway PostgreSQL cluster for tests and benchmarks: initdb in a fresh
// temporary directory, postgres on 127.0.0.1 with a free port (plus a Unix
// socket in that directory), fsync off, trust authentication. Independent of
// db/ on purpose (plain libpq, blocking), so every area can use it.
//
// Cleanup: the destructor stops the server and removes the directory. A small
// guardian process does the same if this process dies without running
// destructors (crash, abort, SIGKILL), so no test leaves a server behind.
//
// standby_of() makes a streaming standby (hot standby, read-only) of a
// running cluster: same API, its own directory, port and guardian.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/guardian.hpp"

namespace pgwamp::test {

// How PostgresCluster::standby_of() sets up a standby. (At namespace scope,
// not nested: a nested struct's member initializers cannot serve as a
// default argument inside the enclosing class.)
struct StandbyOptions {
    // recovery_min_apply_delay: the standby applies a commit this long after
    // the primary made it (0: as soon as it arrives).
    std::chrono::milliseconds apply_delay{0};
};

class PostgresCluster {
public:
    // The server's certificate and key (PEM); copied into the cluster's
    // directory, owned by the server user, so any test's files will do.
    struct Tls {
        std::string cert_file;
        std::string key_file;
    };

    // initdb + start; throws std::runtime_error with the server's log tail on failure.
    // Logical decoding (wal_level=logical, replication slots) is on unless
    // a test wants a server without it (wal_level=replica). With `tls` the
    // server also accepts TLS (ssl=on); plain connections still work.
    explicit PostgresCluster(bool logical_decoding = true, std::optional<Tls> tls = std::nullopt);
    ~PostgresCluster();
    PostgresCluster(const PostgresCluster&) = delete;
    PostgresCluster& operator=(const PostgresCluster&) = delete;

    // One cluster per test binary, created on first use, destroyed at exit.
    static PostgresCluster& shared();

    // A streaming standby of `primary` (which must be running): pg_basebackup
    // -R -X stream into a directory of its own, hot_standby=on,
    // hot_standby_feedback=on, the primary's wal_level, max_wal_senders,
    // max_connections, ... (a standby refuses to start with less), TLS as the
    // primary's. Returns once it is streaming (pg_stat_wal_receiver says so);
    // throws std::runtime_error with the logs on failure or after 30 s.
    // stop()/start() keep it a standby; a write on it fails with SQLSTATE 25006.
    static std::unique_ptr<PostgresCluster> standby_of(const PostgresCluster& primary, StandbyOptions options = {});
    bool is_standby() const { return standby_; }

    // On a primary: waits until `standby` has replayed all the WAL this server
    // had inserted when the call began (every transaction committed before it,
    // asynchronous commits too), polling every 5 ms; throws std::runtime_error
    // after `timeout`. With an apply delay this takes at least that delay.
    void wait_replayed(const PostgresCluster& standby,
                       std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;

    // TCP on 127.0.0.1 by address (hostaddr=): libpq never does a blocking
    // DNS lookup for it, which matters to non-blocking connects.
    std::string conninfo() const;
    std::string unix_conninfo() const;  // the Unix socket in directory()
    int port() const { return port_; }
    const std::string& directory() const { return dir_; }
    bool running() const { return running_; }

    // How stop() ends the server. fast: clients see their connections end,
    // a checkpoint is written. immediate: every process is killed at once, as
    // in a crash; the next start() runs crash recovery first.
    enum class Shutdown { fast, immediate };

    // stop(): waits until the server is down. start(): same data directory,
    // same port; returns once the server accepts connections (pg_ctl -w).
    void stop(Shutdown mode = Shutdown::fast);
    void start();

    // Runs SQL on a fresh blocking connection. Returns the rows as text, one
    // line per row, columns separated by '|'; throws std::runtime_error on error.
    std::string psql(const std::string& sql) const;

private:
    struct StandbyTag {};
    PostgresCluster(StandbyTag, const PostgresCluster& primary, StandbyOptions options);

    void make_directory();
    void start_on_a_free_port();
    void base_backup(const PostgresCluster& primary);
    void wait_streaming() const;
    void discard() noexcept;
    void init_db();
    void install_tls(const Tls& tls);
    void start_guardian();
    std::string log_tail() const;

    std::string dir_;
    std::string data_dir_;
    int port_ = 0;
    bool running_ = false;
    bool logical_decoding_ = true;
    bool tls_ = false;
    bool standby_ = false;
    std::chrono::milliseconds apply_delay_{0};
    Guardian guardian_;
};

}  // namespace pgwamp::test
