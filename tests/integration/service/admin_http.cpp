#include "tests/integration/service/admin_http.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include "test_paths.hpp"

namespace pgwamp::test::service {

namespace {

int connect_loopback(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("socket() failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// Reads until EOF or `limit`; false on timeout.
bool read_all(int fd, std::string& out, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    std::array<char, 16384> buffer{};
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
        const auto n = ::recv(fd, buffer.data(), buffer.size(), 0);
        if (n <= 0) return true;  // closed (or reset): the server is done
        out.append(buffer.data(), static_cast<std::size_t>(n));
    }
}

}  // namespace

HttpAnswer http_exchange(int port, const std::string& request, std::chrono::milliseconds limit) {
    HttpAnswer answer;
    const int fd = connect_loopback(port);
    if (fd < 0) return answer;
    ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    std::string raw;
    read_all(fd, raw, limit);
    ::close(fd);
    if (raw.rfind("HTTP/1.1 ", 0) != 0 || raw.size() < 12) return answer;
    answer.status = std::stoi(raw.substr(9, 3));
    if (const auto split = raw.find("\r\n\r\n"); split != std::string::npos) answer.body = raw.substr(split + 4);
    return answer;
}

HttpAnswer http_get(int port, const std::string& path) {
    return http_exchange(port, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
}

RawConnection::RawConnection(int port) : fd_(connect_loopback(port)) {
    if (fd_ < 0) throw std::runtime_error("could not connect to the admin port");
}

RawConnection::~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
}

bool RawConnection::send(const std::string& bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
}

bool RawConnection::closed_within(std::chrono::milliseconds limit) {
    std::string ignored;
    return read_all(fd_, ignored, limit);
}

std::optional<double> ParsedMetrics::get(const std::string& key) const {
    const auto found = samples.find(key);
    if (found == samples.end()) return std::nullopt;
    return found->second;
}

ParsedMetrics parse_with_prometheus_client(const std::string& text) {
    namespace fs = std::filesystem;
    const auto input = fs::temp_directory_path() / ("pgwamp-metrics-" + std::to_string(::getpid()) + ".txt");
    std::ofstream(input) << text;
    const std::string command = std::string(PGWAMP_SOURCE_DIR) + "/.venv/bin/python " + PGWAMP_SOURCE_DIR +
                                "/tests/integration/service/parse_metrics.py " + input.string() + " 2>&1";
    std::string output;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe) throw std::runtime_error("popen failed");
    std::array<char, 65536> buffer{};
    while (const auto n = std::fread(buffer.data(), 1, buffer.size(), pipe)) output.append(buffer.data(), n);
    const int status = ::pclose(pipe);
    fs::remove(input);
    if (status != 0) throw std::runtime_error("prometheus_client refused /metrics: " + output);
    const auto doc = nlohmann::json::parse(output);
    ParsedMetrics parsed;
    for (const auto& [name, type] : doc["types"].items()) parsed.types[name] = type.get<std::string>();
    for (const auto& sample : doc["samples"]) {
        std::string key = sample[0].get<std::string>();
        std::map<std::string, std::string> labels;
        for (const auto& [k, v] : sample[1].items()) labels[k] = v.get<std::string>();
        if (!labels.empty()) {
            key += "{";
            bool first = true;
            for (const auto& [k, v] : labels) {
                key += (first ? "" : ",") + k + "=\"" + v + "\"";
                first = false;
            }
            key += "}";
        }
        parsed.samples[key] = sample[2].get<double>();
    }
    return parsed;
}

}  // namespace pgwamp::test::service
