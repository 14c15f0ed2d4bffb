#pragma once
// The TLS pieces both TLS transports share: the client context (trust store,
// client certificate) and the per-connection check of the router's
// certificate, which logs why it refused one (OpenSSL's handshake error only
// says "certificate verify failed"). C++17: websocket_transport.cpp uses it.

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/verify_context.hpp>
#include <memory>
#include <string>

#include "wamp/tls_options.hpp"

namespace pgwamp::wamp {

// Throws std::runtime_error naming the file that cannot be used.
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const TlsOptions& options);

// The name the certificate must carry: options.server_name, else `host`.
std::string tls_expected_name(const TlsOptions& options, const std::string& host);

// A verify callback: the chain must verify and the leaf must match `name`
// (DNS name or IP address, RFC 2818 / 6125). Logs the first refusal.
class TlsVerifier {
public:
    TlsVerifier(std::string name, std::string endpoint);
    bool operator()(bool preverified, boost::asio::ssl::verify_context& ctx) const;

private:
    std::string name_;
    std::string endpoint_;  // for the log line
};

// SNI: tells the router which certificate we expect. Skipped for IP
// addresses (RFC 6066 allows host names only). Returns false on failure.
bool set_sni(void* ssl /* SSL* */, const std::string& name);

}  // namespace pgwamp::wamp
