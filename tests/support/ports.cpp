#include "tests/support/ports.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <random>
#include <stdexcept>

namespace pgwamp::test {
namespace {

constexpr unsigned lowest_listening_port = 10000;

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    return addr;
}

unsigned first_ephemeral_port() {
    std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range");
    unsigned low = 32768;
    range >> low;
    return low;
}

// Binds `port` (0: the kernel picks one) and returns the port bound, or 0.
std::uint16_t bind_once(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("socket() failed");
    sockaddr_in addr = loopback(port);
    socklen_t len = sizeof addr;
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
    ::close(fd);
    return ok ? ntohs(addr.sin_port) : 0;
}

// Two test programs picking at once can draw the same free port, and the
// second server to start then cannot listen (CI saw Crossbar fail so). A
// picker holds an flock on /tmp/pgwamp-test-ports/<port> until it exits,
// and nobody picks a port whose lock another process holds (the bench
// harness takes the same locks). The lock goes with the process, whatever
// way it ends; the files stay, empty.
bool reserve(std::uint16_t port) {
    static const std::string dir = [] {
        const std::string d = "/tmp/pgwamp-test-ports";
        ::mkdir(d.c_str(), 01777);
        return d;
    }();
    const std::string path = dir + "/" + std::to_string(port);
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) return true;  // cannot lock (permissions): the bind probe alone decides
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd);
        return false;
    }
    return true;  // fd stays open: the lock lasts as long as this process
}

}  // namespace

std::uint16_t free_tcp_port() {
    const unsigned below = first_ephemeral_port();
    if (below > lowest_listening_port + 1000) {
        thread_local std::mt19937 random{std::random_device{}()};
        std::uniform_int_distribution<unsigned> pick(lowest_listening_port, below - 1);
        for (int attempt = 0; attempt < 100; ++attempt) {
            const auto candidate = static_cast<std::uint16_t>(pick(random));
            if (!reserve(candidate)) continue;
            if (auto port = bind_once(candidate)) return port;
        }
    }
    // A machine whose ephemeral range leaves no room below it.
    if (auto port = bind_once(0)) return port;
    throw std::runtime_error("no free port on 127.0.0.1");
}

bool tcp_accepts(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_in addr = loopback(port);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

}  // namespace pgwamp::test
