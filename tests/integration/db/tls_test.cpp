// The pool with sslmode=verify-full against a PostgreSQL that serves a
// certificate from a per-run CA for 127.0.0.1: queries run over verified
// TLS, and the pool does not start when the root certificate is another CA's
// or the host name it dialled is not on the certificate.

#include "tests/integration/db/db_test_support.hpp"
#include "tests/support/scripted_resolver.hpp"
#include "tests/support/test_certificates.hpp"

namespace pgwamp::db::testing {
namespace {

// Its own cluster: the shared one has no TLS.
struct TlsCluster {
    test::TestCertificates certs;
    test::PostgresCluster server{false, test::PostgresCluster::Tls{certs.server_cert_file(), certs.server_key_file()}};

    static TlsCluster& shared() {
        static TlsCluster c;
        return c;
    }
};

class PoolTlsTest : public PoolTest {
protected:
    // host= an IP address: verify-full then matches the certificate's IP SAN.
    PoolOptions verify_full(const std::string& root_cert, const std::string& host = "127.0.0.1") {
        PoolOptions o = options(1, 2);
        o.conninfo = "host=" + host + " port=" + std::to_string(tls.server.port()) +
                     " dbname=postgres user=postgres sslmode=verify-full sslrootcert=" + root_cert;
        o.connect_timeout = 5s;
        return o;
    }

    // Starts the pool, which must fail; returns libpq's reason.
    std::string start_failure() {
        bool done = false;
        std::exception_ptr error;
        pool->async_start([&](std::exception_ptr e) {
            error = e;
            done = true;
        });
        EXPECT_TRUE(run_until(io, [&] { return done; }));
        if (!error) {
            ADD_FAILURE() << "the pool started against a certificate it should refuse";
            return {};
        }
        return what_of(error);
    }

    TlsCluster& tls = TlsCluster::shared();
};

TEST_F(PoolTlsTest, QueriesRunOverVerifiedTls) {
    make_pool(verify_full(tls.certs.ca_file()));
    run([&]() -> awaitable<void> {
        Result r = co_await pool->async_query("SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()", {},
                                              use_awaitable);
        EXPECT_EQ(r.rows.at(0).at(0), Value("true"));
    });
}

TEST_F(PoolTlsTest, AnotherCaFailsTheStart) {
    make_pool(verify_full(tls.certs.other_ca_file()));
    auto why = start_failure();
    EXPECT_NE(why.find("certificate verify failed"), std::string::npos) << why;
}

// The pool resolves names itself but hands libpq the name: the check is
// against what the conninfo says, not the address it found.
TEST_F(PoolTlsTest, AHostNameNotOnTheCertificateFailsTheStart) {
    auto resolver = std::make_shared<test::ScriptedResolver>();
    resolver->answer("db.wrong-name.test", {"127.0.0.1"});
    auto o = verify_full(tls.certs.ca_file(), "db.wrong-name.test");
    o.resolver = resolver;
    make_pool(o);
    auto why = start_failure();
    EXPECT_NE(why.find("does not match host name \"db.wrong-name.test\""), std::string::npos) << why;
}

}  // namespace
}  // namespace pgwamp::db::testing
