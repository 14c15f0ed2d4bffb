#pragma once
// A deliberately plain HTTP/1.1 client for the admin-listener tests: raw
// bytes over a blocking socket, so a test can send what a browser never
// would (huge headers, a request trickled byte by byte), and Prometheus'
// reference parser run on /metrics (parse_metrics.py in the main .venv).

#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace pgwamp::test::service {

struct HttpAnswer {
    int status = 0;  // 0: no answer (closed or timed out before a status line)
    std::string body;
};

// Sends `request` as is to 127.0.0.1:port and reads until the server closes.
HttpAnswer http_exchange(int port, const std::string& request,
                         std::chrono::milliseconds limit = std::chrono::seconds(10));
HttpAnswer http_get(int port, const std::string& path);

// An open connection the test controls byte by byte.
class RawConnection {
public:
    explicit RawConnection(int port);
    ~RawConnection();
    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;
    bool send(const std::string& bytes);  // false once the server has closed
    // True when the server closed the connection within `limit`.
    bool closed_within(std::chrono::milliseconds limit);

private:
    int fd_ = -1;
};

// One sample per (name, labels) of a parsed exposition.
struct ParsedMetrics {
    std::map<std::string, std::string> types;  // family name -> counter, gauge, histogram
    // "name{a=\"x\",b=\"y\"}" with labels sorted by name -> value
    std::map<std::string, double> samples;
    std::optional<double> get(const std::string& key) const;
};

// Throws std::runtime_error with the parser's message when it refuses the text.
ParsedMetrics parse_with_prometheus_client(const std::string& text);

}  // namespace pgwamp::test::service
