#pragma once
// Throwaway TLS material for tests, made with the `openssl` CLI in a fresh
// temporary directory (removed by the destructor): a CA, a server
// certificate it signed for 127.0.0.1 and "localhost", a client certificate
// it signed (CN=pgwamp), and a second, unrelated CA for "wrong trust store"
// tests.

#include <string>

namespace pgwamp::test {

class TestCertificates {
public:
    TestCertificates();  // throws std::runtime_error when openssl fails
    ~TestCertificates();
    TestCertificates(const TestCertificates&) = delete;
    TestCertificates& operator=(const TestCertificates&) = delete;

    const std::string& directory() const { return dir_; }
    std::string ca_file() const { return dir_ + "/ca.crt"; }
    std::string other_ca_file() const { return dir_ + "/other-ca.crt"; }
    std::string server_cert_file() const { return dir_ + "/server.crt"; }
    std::string server_key_file() const { return dir_ + "/server.key"; }  // mode 0600
    std::string client_cert_file() const { return dir_ + "/client.crt"; }
    std::string client_key_file() const { return dir_ + "/client.key"; }

private:
    std::string dir_;
};

}  // namespace pgwamp::test
