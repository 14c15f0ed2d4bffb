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
    std::string tmpl = (std::filesystem::temp_directory_path() / "pgwamp-pg-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    data_dir_ = dir_ + "/data";
    try {
        chown_to_server_user(dir_);
        start_guardian();
        init_db();
        if (tls) install_tls(*tls);
        // The free port may be taken between our probe and the server's bind;
        // a few attempts make that race harmless.
        for (int attempt = 0;; ++attempt) {
            port_ = free_tcp_port();
            try {
                start();
                break;
            } catch (const std::exception&) {
                if (attempt >= 4) throw;
            }
        }
    } catch (...) {
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
        throw;
    }
}

PostgresCluster::~PostgresCluster() {
    try {
        if (running_) {
            run(as_server_user({pg_bin + "pg_ctl", "-D", data_dir_, "-m", "immediate", "-w", "stop"}),
                dir_ + "/pg_ctl.log");
        }
    } catch (...) {
    }
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
    guardian_.release();
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
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
        throw std::runtime_error("psql: " + sql + ": " + PQresultErrorMessage(res.get()));
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
    for (const char* name : {"/pg_ctl.log", "/server.log"}) {
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
