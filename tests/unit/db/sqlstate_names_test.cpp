// SQLSTATE condition names come from PostgreSQL's errcodes.txt.

#include <gtest/gtest.h>

#include "db/sqlstate_names.hpp"

namespace pgwamp::db {
namespace {

TEST(SqlstateNames, KnownCodes) {
    EXPECT_EQ(sqlstate_condition("23505"), "unique_violation");
    EXPECT_EQ(sqlstate_condition("2201W"), "invalid_row_count_in_limit_clause");
    EXPECT_EQ(sqlstate_condition("57014"), "query_canceled");
    EXPECT_EQ(sqlstate_condition("P0001"), "raise_exception");
    EXPECT_EQ(sqlstate_condition("00000"), "successful_completion");
}

TEST(SqlstateNames, UnknownCodesFallBackToTheirClass) {
    EXPECT_EQ(sqlstate_condition("23ZZZ"), "integrity_constraint_violation");
    EXPECT_EQ(sqlstate_condition("ZZ999"), "");
    EXPECT_EQ(sqlstate_condition(""), "");
    EXPECT_EQ(sqlstate_condition("2350"), "");
}

}  // namespace
}  // namespace pgwamp::db
