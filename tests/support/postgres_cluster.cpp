#include "tests/support/postgres_cluster.hpp"
#include "tests/support/ports.hpp"

#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace pgwamp::test {
namespace {

const std::string pg_bin = "/usr/lib/postgresql/15/bin/";

bool running_as_root() { return ::geteuid() == 0; }

// initdb and postgres refuse to run as root, so as root every server command
// runs as the `postgres` system user.
std::vector<std::string> as_server_user(std::vector<std::string> argv) {
    if (!running_as_root()) return argv;
    std::vector<std::string> wrapped{"runuser", "-u", "postgres", "--"};
    wrapped.insert(wrapped.end(), argv.begin(), argv.end());
    return wrapped;
}

// fork/exec without a shell: no quoting problems. Output goes to log_path.
int run(const std::vector<std::string>& argv, const std::string& log_path) {
    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed: " + std::string(std::strerror(errno)));
    if (pid == 0) {
        int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            ::dup2(fd, 1);
            ::dup2(fd, 2);
            ::close(fd);
        }
        int null_fd = ::open("/dev/null", O_RDONLY);
        if (null_fd >= 0) ::dup2(null_fd, 0);
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        ::execvp(args[0], args.data());
        ::_exit(127);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void chown_to_server_user(const std::string& path) {
    if (!running_as_root()) return;
    passwd* pw = ::getpwnam("postgres");
    if (!pw) throw std::runtime_error("running as root but there is no `postgres` user");
    if (::chown(path.c_str(), pw->pw_uid, pw->pw_gid) != 0)
        throw std::runtime_error("chown " + path + " failed: " + std::strerror(errno));
}

}  // namespace

PostgresCluster::PostgresCluster(bool logical_decoding, std::optional<Tls> tls)
    : logical_decoding_(logical_decoding), tls_(tls.has_value()) {
    make_directory();
    try {
        start_guardian();
        init_db();
        if (tls) install_tls(*tls);
        start_on_a_free_port();
    } catch (...) {
        discard();
        throw;
    }
}

PostgresCluster::PostgresCluster(StandbyTag, const PostgresCluster& primary, StandbyOptions options)
    : logical_decoding_(primary.logical_decoding_),
      tls_(primary.tls_),
      standby_(true),
      apply_delay_(options.apply_delay) {
    if (!primary.running_) throw std::runtime_error("standby_of: the primary is not running");
    make_directory();
    try {
        start_guardian();
        base_backup(primary);
        // The primary's copies, already the server user's and private.
        if (tls_) install_tls({primary.dir_ + "/server.crt", primary.dir_ + "/server.key"});
        start_on_a_free_port();
        wait_streaming();
    } catch (...) {
        discard();
        throw;
    }
}

std::unique_ptr<PostgresCluster> PostgresCluster::standby_of(const PostgresCluster& primary, StandbyOptions options) {
    return std::unique_ptr<PostgresCluster>(new PostgresCluster(StandbyTag{}, primary, options));
}

PostgresCluster::~PostgresCluster() { discard(); }

// The server stopped (at once: its data goes anyway), then the directory
// removed, then the guardian let go (its script finds nothing left to do).
// Also what a failing constructor does: the guardian alone would find the
// directory gone and leave a started server running.
void PostgresCluster::discard() noexcept {
    try {
        if (running_) {
            run(as_server_user({pg_bin + "pg_ctl", "-D", data_dir_, "-m", "immediate", "-w", "stop"}),
                dir_ + "/pg_ctl.log");
            running_ = false;
        }
    } catch (...) {
    }
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
    guardian_.release();
}

void PostgresCluster::make_directory() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "pgwamp-pg-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    data_dir_ = dir_ + "/data";
    try {
        chown_to_server_user(dir_);
    } catch (...) {
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
        throw;
    }
}

// The free port may be taken between our probe and the server's bind;
// a few attempts make that race harmless.
void PostgresCluster::start_on_a_free_port() {
    for (int attempt = 0;; ++attempt) {
        port_ = free_tcp_port();
        try {
            start();
            return;
        } catch (const std::exception&) {
            if (attempt >= 4) throw;
        }
    }
}

// -R: standby.signal and primary_conninfo (postgresql.auto.conf) written
// into the copy. --checkpoint=fast: no wait for a spread checkpoint.
void PostgresCluster::base_backup(const PostgresCluster& primary) {
    int rc = run(as_server_user({pg_bin + "pg_basebackup", "-D", data_dir_, "-d", primary.conninfo(), "-R", "-X",
                                 "stream", "--checkpoint=fast", "--no-sync"}),
                 dir_ + "/basebackup.log");
    if (rc != 0) throw std::runtime_error("pg_basebackup failed:\n" + log_tail());
}

void PostgresCluster::wait_streaming() const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    std::string last;
    for (;;) {
        try {
            last = psql("SELECT status FROM pg_stat_wal_receiver");
            if (last == "streaming") return;
        } catch (const std::exception& e) {
            last = e.what();
        }
        if (std::chrono::steady_clock::now() > deadline)
            throw std::runtime_error("standby on port " + std::to_string(port_) +
                                     " not streaming after 30 s (wal receiver: '" + last + "'):\n" + log_tail());
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

void PostgresCluster::wait_replayed(const PostgresCluster& standby, std::chrono::milliseconds timeout) const {
    // Insert, not write, position: with synchronous_commit=off a commit may
    // still be in the WAL buffers (the WAL writer sends it out within 10 ms).
    // As a number of bytes, with the page size and segment size to undo one
    // detail: at a page boundary the insert position is after the next page's
    // header, while a standby that replayed a record ending at the boundary
    // reports the boundary itself.
    const std::string row = psql(
        "SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint, current_setting('wal_block_size'), "
        "(SELECT setting FROM pg_settings WHERE name = 'wal_segment_size')");
    std::istringstream in(row);
    std::string field;
    std::vector<unsigned long long> v;
    while (std::getline(in, field, '|')) v.push_back(std::stoull(field));
    if (v.size() != 3) throw std::runtime_error("wait_replayed: unexpected answer '" + row + "'");
    unsigned long long target = v[0];
    const unsigned long long page = v[1], segment = v[2];
    constexpr unsigned long long short_header = 24, long_header = 40;  // SizeOfXLog{Short,Long}PHD
    if (target % segment == long_header)
        target -= long_header;
    else if (target % page == short_header)
        target -= short_header;

    const std::string sql = "SELECT coalesce(pg_last_wal_replay_lsn() - '0/0'::pg_lsn >= " + std::to_string(target) +
                            ", false), pg_last_wal_replay_lsn()";
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string last;
    for (;;) {
        try {
            last = standby.psql(sql);
            if (last.starts_with("t|")) return;
        } catch (const std::exception& e) {
            last = e.what();
        }
        if (std::chrono::steady_clock::now() > deadline) {
            throw std::runtime_error("wait_replayed: the standby on port " + std::to_string(standby.port_) +
                                     " did not replay up to byte " + std::to_string(target) + " within " +
                                     std::to_string(timeout.count()) + " ms (last answer: '" + last + "'):\n" +
                                     standby.log_tail());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

PostgresCluster& PostgresCluster::shared() {
    static PostgresCluster cluster;
    return cluster;
}

void PostgresCluster::start_guardian() {
    guardian_ = Guardian("if [ -d '" + data_dir_ + "' ]; then " +
                         (running_as_root() ? "runuser -u postgres -- " : "") + pg_bin + "pg_ctl -D '" +
                         data_dir_ + "' -m immediate -w stop >/dev/null 2>&1; rm -rf '" + dir_ + "'; fi");
}

void PostgresCluster::init_db() {
    int rc = run(as_server_user({pg_bin + "initdb", "-D", data_dir_, "-U", "postgres", "--auth=trust",
                                 "--no-sync", "-E", "UTF8", "--locale=C"}),
                 dir_ + "/initdb.log");
    if (rc != 0) {
        std::ifstream in(dir_ + "/initdb.log");
        std::stringstream ss;
        ss << in.rdbuf();
        throw std::runtime_error("initdb failed: " + ss.str());
    }
}

// PostgreSQL refuses a key that is not the server user's and private.
void PostgresCluster::install_tls(const Tls& tls) {
    namespace fs = std::filesystem;
    fs::copy_file(tls.cert_file, dir_ + "/server.crt", fs::copy_options::overwrite_existing);
    fs::copy_file(tls.key_file, dir_ + "/server.key", fs::copy_options::overwrite_existing);
    fs::permissions(dir_ + "/server.key", fs::perms::owner_read | fs::perms::owner_write);
    chown_to_server_user(dir_ + "/server.crt");
    chown_to_server_user(dir_ + "/server.key");
}

void PostgresCluster::start() {
    if (running_) return;
    std::string opts = "-c listen_addresses=127.0.0.1 -p " + std::to_string(port_) +
                       " -c unix_socket_directories=" + dir_ +
                       " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
                       " -c max_connections=200 -c shared_buffers=32MB"
                       // Row-change events: logical decoding, and WAL written out every 10 ms
                       // (asynchronous commit would otherwise hold changes back up to 200 ms).
                       " -c max_replication_slots=16 -c max_wal_senders=16 -c wal_writer_delay=10ms"
                       " -c wal_level=" + std::string(logical_decoding_ ? "logical" : "replica");
    // A standby takes the same settings as its primary (it refuses to start
    // with a lower max_connections, max_wal_senders, ...) and these.
    if (standby_)
        opts += " -c hot_standby=on -c hot_standby_feedback=on -c recovery_min_apply_delay=" +
                std::to_string(apply_delay_.count()) + "ms";
    if (tls_) opts += " -c ssl=on -c ssl_cert_file=" + dir_ + "/server.crt -c ssl_key_file=" + dir_ + "/server.key";
    int rc = run(as_server_user({pg_bin + "pg_ctl", "-D", data_dir_, "-l", dir_ + "/server.log", "-w",
                                 "-t", "60", "-o", opts, "start"}),
                 dir_ + "/pg_ctl.log");
    if (rc != 0) throw std::runtime_error("postgres did not start:\n" + log_tail());
    running_ = true;
}

void PostgresCluster::stop(Shutdown mode) {
    if (!running_) return;
    const std::string mode_name = mode == Shutdown::immediate ? "immediate" : "fast";
    int rc = run(as_server_user({pg_bin + "pg_ctl", "-D", data_dir_, "-m", mode_name, "-w", "-t", "60", "stop"}),
                 dir_ + "/pg_ctl.log");
    if (rc != 0) throw std::runtime_error("postgres did not stop:\n" + log_tail());
    running_ = false;
}

std::string PostgresCluster::conninfo() const {
    return "hostaddr=127.0.0.1 port=" + std::to_string(port_) + " dbname=postgres user=postgres";
}

std::string PostgresCluster::unix_conninfo() const {
    return "host=" + dir_ + " port=" + std::to_string(port_) + " dbname=postgres user=postgres";
}

std::string PostgresCluster::psql(const std::string& sql) const {
    std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(conninfo().c_str()), &PQfinish);
    if (PQstatus(conn.get()) != CONNECTION_OK)
        throw std::runtime_error(std::string("psql: cannot connect: ") + PQerrorMessage(conn.get()));
    std::unique_ptr<PGresult, decltype(&PQclear)> res(PQexec(conn.get(), sql.c_str()), &PQclear);
    auto status = PQresultStatus(res.get());
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        std::string message = PQresultErrorMessage(res.get());
        while (!message.empty() && message.back() == '\n') message.pop_back();
        if (const char* state = PQresultErrorField(res.get(), PG_DIAG_SQLSTATE))
            message += std::string(" (SQLSTATE ") + state + ")";
        throw std::runtime_error("psql: " + sql + ": " + message);
    }
    std::string out;
    for (int r = 0; r < PQntuples(res.get()); ++r) {
        if (r) out += '\n';
        for (int c = 0; c < PQnfields(res.get()); ++c) {
            if (c) out += '|';
            out += PQgetvalue(res.get(), r, c);
        }
    }
    return out;
}

std::string PostgresCluster::log_tail() const {
    std::string out;
    for (const char* name : {"/basebackup.log", "/pg_ctl.log", "/server.log"}) {
        if (!std::filesystem::exists(dir_ + name)) continue;
        std::ifstream in(dir_ + name);
        std::stringstream ss;
        ss << in.rdbuf();
        std::string text = ss.str();
        if (text.size() > 4000) text = text.substr(text.size() - 4000);
        out += std::string(name + 1) + ":\n" + text + "\n";
    }
    return out;
}

}  // namespace pgwamp::test
