#include "wamp/tls_context.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <spdlog/spdlog.h>
#include <stdexcept>

namespace pgwamp::wamp {

namespace ssl = boost::asio::ssl;

std::shared_ptr<ssl::context> make_tls_context(const TlsOptions& options) {
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                     ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    auto use = [](const char* what, const std::string& file, auto&& load) {
        boost::system::error_code ec;
        load(ec);
        if (ec) throw std::runtime_error("TLS " + std::string(what) + " '" + file + "': " + ec.message());
    };
    if (options.ca_file.empty()) {
        use("trust store", "(system default)", [&](auto& ec) { ctx->set_default_verify_paths(ec); });
    } else {
        use("ca_file", options.ca_file, [&](auto& ec) { ctx->load_verify_file(options.ca_file, ec); });
    }
    if (!options.cert_file.empty()) {
        use("cert_file", options.cert_file,
            [&](auto& ec) { ctx->use_certificate_chain_file(options.cert_file, ec); });
        use("key_file", options.key_file,
            [&](auto& ec) { ctx->use_private_key_file(options.key_file, ssl::context::pem, ec); });
    }
    if (!options.verify_peer)
        spdlog::warn("event=tls_verification_off hint=\"anyone in the path can pose as the router\"");
    ctx->set_verify_mode(options.verify_peer ? ssl::verify_peer : ssl::verify_none);
    return ctx;
}

std::string tls_expected_name(const TlsOptions& options, const std::string& host) {
    return options.server_name.empty() ? host : options.server_name;
}

TlsVerifier::TlsVerifier(std::string name, std::string endpoint)
    : name_(std::move(name)), endpoint_(std::move(endpoint)) {}

bool TlsVerifier::operator()(bool preverified, ssl::verify_context& ctx) const {
    X509_STORE_CTX* store = ctx.native_handle();
    const int depth = X509_STORE_CTX_get_error_depth(store);
    auto subject = [&] {
        char buf[256] = "?";
        if (X509* cert = X509_STORE_CTX_get_current_cert(store))
            X509_NAME_oneline(X509_get_subject_name(cert), buf, sizeof buf);
        return std::string(buf);
    };
    if (!preverified) {
        spdlog::error("event=tls_certificate_refused endpoint={} reason=\"{}\" depth={} subject=\"{}\"", endpoint_,
                      X509_verify_cert_error_string(X509_STORE_CTX_get_error(store)), depth, subject());
        return false;
    }
    if (depth > 0) return true;
    if (!ssl::host_name_verification(name_)(preverified, ctx)) {
        spdlog::error("event=tls_certificate_refused endpoint={} reason=\"not valid for the expected name\" "
                      "subject=\"{}\" expected_name={}",
                      endpoint_, subject(), name_);
        return false;
    }
    return true;
}

bool set_sni(void* ssl, const std::string& name) {
    boost::system::error_code ec;
    boost::asio::ip::make_address(name, ec);
    if (!ec) return true;  // an IP address: no SNI
    return SSL_set_tlsext_host_name(static_cast<SSL*>(ssl), name.c_str()) == 1;
}

}  // namespace pgwamp::wamp
