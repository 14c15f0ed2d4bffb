// The session settings casting relies on, checked against what a real
// server reports, and what happens without them.
#include <gtest/gtest.h>

#include "pg/session_settings.hpp"
#include "pg_session.hpp"
#include "value_print.hpp"

namespace pgwamp::db {
namespace {

using test::PgSession;

TEST(SessionSettings, RequiredOptionsAreReported) {
    PgSession pg;
    EXPECT_EQ(check_session_settings(pg.conn()), "");
    EXPECT_EQ(pg.value("SHOW TimeZone"), Value("UTC"));
}

TEST(SessionSettings, DefaultsAreFlagged) {
    PgSession pg("");  // the server's defaults: IntervalStyle=postgres
    std::string problems = check_session_settings(pg.conn());
    EXPECT_NE(problems.find("IntervalStyle is 'postgres'"), std::string::npos) << problems;
    // Unconverted but intact: the server's own text.
    EXPECT_EQ(pg.value("SELECT interval '1 day 02:00'"), Value("1 day 02:00:00"));
}

TEST(SessionSettings, OtherDateStylesPassThroughUnguessed) {
    PgSession pg("-c DateStyle=Postgres,MDY -c TimeZone=UTC -c IntervalStyle=iso_8601");
    std::string problems = check_session_settings(pg.conn());
    EXPECT_NE(problems.find("DateStyle is 'Postgres, MDY'"), std::string::npos) << problems;
    EXPECT_EQ(problems.find("IntervalStyle is"), std::string::npos) << problems;
    EXPECT_EQ(pg.value("SELECT timestamptz '2026-11-21 07:00:00+00'"),
              Value("Sat Nov 21 07:00:00 2026 UTC"));
    EXPECT_EQ(pg.value("SELECT date '2026-11-21'"), Value("11-21-2026"));
}

TEST(SessionSettings, NullConnection) {
    EXPECT_EQ(check_session_settings(nullptr), "no connection");
}

}  // namespace
}  // namespace pgwamp::db
