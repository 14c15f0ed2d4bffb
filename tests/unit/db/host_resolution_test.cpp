// The conninfo rewrite of db/host_resolution: which hosts get resolved, and
// what libpq is handed, with a scripted resolver (no DNS).
#include "db/host_resolution.hpp"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <cstdlib>
#include <map>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "tests/support/scripted_resolver.hpp"

namespace pgwamp::db {
namespace {

using namespace std::chrono_literals;
using Keywords = std::map<std::string, std::string>;

// What libpq itself reads from a conninfo: the set keywords.
Keywords parsed(const std::string& conninfo) {
    Keywords out;
    char* err = nullptr;
    PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
    if (err) {
        ADD_FAILURE() << "libpq cannot parse the rewritten conninfo: " << err;
        PQfreemem(err);
    }
    if (!opts) return out;
    for (PQconninfoOption* o = opts; o->keyword; ++o)
        if (o->val) out[o->keyword] = o->val;
    PQconninfoFree(opts);
    return out;
}

class HostResolutionTest : public ::testing::Test {
protected:
    void SetUp() override {
        // libpq falls back to these, and so does the rewrite: keep the
        // runner's environment out of the tests.
        for (const char* v : {"PGHOST", "PGHOSTADDR", "PGPORT"}) ::unsetenv(v);
    }
    void TearDown() override { SetUp(); }

    HostResolution resolve(const std::string& conninfo) {
        std::optional<HostResolution> out;
        async_resolve_hosts(io.get_executor(), resolver, conninfo, [&](HostResolution r) { out = std::move(r); });
        EXPECT_FALSE(out) << "completed inline";
        io.run();
        io.restart();
        if (!out) {
            ADD_FAILURE() << "never completed";
            return {};
        }
        return *out;
    }

    // Resolving leaves it as it was, without asking the resolver.
    void expect_untouched(const std::string& conninfo) {
        EXPECT_FALSE(has_host_names(conninfo)) << conninfo;
        HostResolution r = resolve(conninfo);
        EXPECT_TRUE(r.ok());
        EXPECT_EQ(r.conninfo, conninfo);
        EXPECT_TRUE(resolver->calls.empty()) << conninfo << " asked for " << resolver->calls.front();
    }

    boost::asio::io_context io;
    std::shared_ptr<test::ScriptedResolver> resolver = std::make_shared<test::ScriptedResolver>();
};

TEST_F(HostResolutionTest, NothingToResolveNeverReachesTheResolver) {
    expect_untouched("hostaddr=127.0.0.1 port=5432 dbname=app");  // what the benchmark uses
    expect_untouched("host=127.0.0.1 port=5432");
    expect_untouched("host=::1");
    expect_untouched("host=/run/postgresql dbname=app");
    expect_untouched("host=@abstract");
    expect_untouched("dbname=app user=app");  // default socket directory
    expect_untouched("");
    expect_untouched("postgresql:///app?host=/run/postgresql");
    expect_untouched("postgresql://[::1]:5433/app");
    expect_untouched("host=db.internal hostaddr=10.0.0.7");  // the caller resolved it
    expect_untouched("host=127.0.0.1,/tmp port=1,2");
}

TEST_F(HostResolutionTest, ConninfoLibpqWillRefuseIsLeftToLibpq) {
    expect_untouched("host=a,b port=1,2,3");         // port list does not match
    expect_untouched("host=a,b hostaddr=10.0.0.1");  // hostaddr list does not match
    expect_untouched("host='unterminated");
}

TEST_F(HostResolutionTest, SingleHostGetsItsAddressAndKeepsItsName) {
    resolver->answer("db.internal", {"10.0.0.5"});
    HostResolution r = resolve("host=db.internal port=5433 dbname=app user=app sslmode=verify-full");
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(resolver->calls, std::vector<std::string>{"db.internal"});
    EXPECT_EQ(parsed(r.conninfo), (Keywords{{"host", "db.internal"},
                                            {"hostaddr", "10.0.0.5"},
                                            {"port", "5433"},
                                            {"dbname", "app"},
                                            {"user", "app"},
                                            {"sslmode", "verify-full"}}));
    EXPECT_TRUE(r.dropped.empty());
}

TEST_F(HostResolutionTest, NameWithSeveralAddressesBecomesSeveralEntriesInOrder) {
    resolver->answer("db", {"10.0.0.2", "10.0.0.1", "fd00::3"});
    HostResolution r = resolve("host=db port=6000");
    ASSERT_TRUE(r.ok()) << r.error;
    Keywords k = parsed(r.conninfo);
    EXPECT_EQ(k["host"], "db,db,db");
    EXPECT_EQ(k["hostaddr"], "10.0.0.2,10.0.0.1,fd00::3");
    EXPECT_EQ(k["port"], "6000");  // one port still applies to every entry
}

TEST_F(HostResolutionTest, MultiHostWithPortListKeepsEachHostsPort) {
    resolver->answer("a", {"10.0.0.1", "10.0.0.2"});
    resolver->answer("b", {"10.0.1.1"});
    HostResolution r = resolve("host=a,b,/tmp,127.0.0.1 port=5432,5433,5434,5435 target_session_attrs=read-write");
    ASSERT_TRUE(r.ok()) << r.error;
    Keywords k = parsed(r.conninfo);
    EXPECT_EQ(k["host"], "a,a,b,/tmp,127.0.0.1");
    EXPECT_EQ(k["hostaddr"], "10.0.0.1,10.0.0.2,10.0.1.1,,");
    EXPECT_EQ(k["port"], "5432,5432,5433,5434,5435");
    EXPECT_EQ(k["target_session_attrs"], "read-write");
}

TEST_F(HostResolutionTest, SameNameTwiceIsResolvedOnce) {
    resolver->answer("a", {"10.0.0.1"});
    HostResolution r = resolve("host=a,a port=1,2");
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(resolver->calls, std::vector<std::string>{"a"});
    EXPECT_EQ(parsed(r.conninfo)["port"], "1,2");
    EXPECT_EQ(parsed(r.conninfo)["hostaddr"], "10.0.0.1,10.0.0.1");
}

TEST_F(HostResolutionTest, UriFormKeepsEveryOtherKeyword) {
    resolver->answer("db1", {"10.0.0.1"});
    resolver->answer("db2", {"10.0.0.2"});
    HostResolution r = resolve("postgresql://app:s%27e%5Ccret@db1:5433,db2/app?sslmode=require&application_name=my%20app");
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(parsed(r.conninfo), (Keywords{{"host", "db1,db2"},
                                            {"hostaddr", "10.0.0.1,10.0.0.2"},
                                            {"port", "5433,"},
                                            {"user", "app"},
                                            {"password", "s'e\\cret"},  // quotes survive the rewrite
                                            {"dbname", "app"},
                                            {"sslmode", "require"},
                                            {"application_name", "my app"}}));
}

TEST_F(HostResolutionTest, GivenHostaddrIsKeptAndOnlyTheOthersResolved) {
    resolver->answer("b", {"10.0.0.2"});
    HostResolution r = resolve("host=a,b hostaddr=10.9.9.9, port=1,2");
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(resolver->calls, std::vector<std::string>{"b"});
    Keywords k = parsed(r.conninfo);
    EXPECT_EQ(k["host"], "a,b");
    EXPECT_EQ(k["hostaddr"], "10.9.9.9,10.0.0.2");
    EXPECT_EQ(k["port"], "1,2");
}

TEST_F(HostResolutionTest, UnresolvableNameIsDroppedAndTheRestTried) {
    resolver->fail("gone", std::make_error_code(std::errc::timed_out));
    resolver->answer("good", {"10.0.0.9"});
    HostResolution r = resolve("host=gone,good,/tmp port=1,2,3");
    ASSERT_TRUE(r.ok()) << r.error;
    Keywords k = parsed(r.conninfo);
    EXPECT_EQ(k["host"], "good,/tmp");
    EXPECT_EQ(k["hostaddr"], "10.0.0.9,");
    EXPECT_EQ(k["port"], "2,3");
    ASSERT_EQ(r.dropped.size(), 1u);
    EXPECT_NE(r.dropped[0].find("gone"), std::string::npos) << r.dropped[0];
}

TEST_F(HostResolutionTest, NoHostLeftFailsNamingEachHostAndWhy) {
    resolver->fail("a", std::make_error_code(std::errc::timed_out));
    // "b" is not scripted: host not found.
    HostResolution r = resolve("host=a,b password=secret-pw");
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.conninfo.empty());
    EXPECT_NE(r.error.find("a (" + std::make_error_code(std::errc::timed_out).message() + ")"), std::string::npos)
        << r.error;
    EXPECT_NE(r.error.find("b (Host not found"), std::string::npos) << r.error;
    EXPECT_EQ(r.error.find("secret-pw"), std::string::npos) << r.error;
}

TEST_F(HostResolutionTest, EnvironmentSuppliesWhatTheConninfoLeavesOut) {
    ::setenv("PGHOST", "envdb", 1);
    ::setenv("PGPORT", "7000", 1);
    resolver->answer("envdb", {"10.0.0.4"});
    HostResolution r = resolve("dbname=app");
    ASSERT_TRUE(r.ok()) << r.error;
    Keywords k = parsed(r.conninfo);
    EXPECT_EQ(k["host"], "envdb");
    EXPECT_EQ(k["hostaddr"], "10.0.0.4");
    EXPECT_EQ(k["port"], "7000");
    EXPECT_EQ(k["dbname"], "app");
}

TEST_F(HostResolutionTest, SlowAnswersForSeveralNamesAreAwaitedTogether) {
    resolver->answer("a", {"10.0.0.1"}, 30ms);
    resolver->answer("b", {"10.0.0.2"}, 10ms);
    HostResolution r = resolve("host=a,b");
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(parsed(r.conninfo)["hostaddr"], "10.0.0.1,10.0.0.2");  // the conninfo's order, not the answers'
}

}  // namespace
}  // namespace pgwamp::db
