#include "tests/support/test_certificates.hpp"

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace pgwamp::test {

namespace {

void run(const std::string& dir, const std::string& command) {
    const std::string line = "cd '" + dir + "' && " + command + " >>openssl.log 2>&1";
    if (std::system(line.c_str()) != 0)
        throw std::runtime_error("openssl failed: " + command + " (see " + dir + "/openssl.log)");
}

// A self-signed CA valid for a day (short: nothing outlives the test).
void make_ca(const std::string& dir, const std::string& name) {
    run(dir, "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=" + name + "' -keyout " + name +
                 ".key -out " + name + ".crt -addext basicConstraints=critical,CA:TRUE"
                 " -addext keyUsage=critical,keyCertSign,cRLSign");
}

}  // namespace

TestCertificates::TestCertificates() {
    char tmpl[] = "/tmp/pgwamp-tls-XXXXXX";
    if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    try {
        make_ca(dir_, "ca");
        make_ca(dir_, "other-ca");
        {
            std::ofstream ext(dir_ + "/server.ext");
            ext << "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                   "extendedKeyUsage=serverAuth\n"
                   "basicConstraints=CA:FALSE\n";
        }
        run(dir_, "openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout server.key -out server.csr");
        run(dir_, "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 "
                  "-extfile server.ext -out server.crt");
        {
            std::ofstream ext(dir_ + "/client.ext");
            ext << "extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n";
        }
        run(dir_, "openssl req -newkey rsa:2048 -nodes -subj /CN=pgwamp -keyout client.key -out client.csr");
        run(dir_, "openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 "
                  "-extfile client.ext -out client.crt");
        // PostgreSQL refuses a key file others can read.
        std::filesystem::permissions(dir_ + "/server.key", std::filesystem::perms::owner_read |
                                                               std::filesystem::perms::owner_write);
    } catch (...) {
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
        throw;
    }
}

TestCertificates::~TestCertificates() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

}  // namespace pgwamp::test
