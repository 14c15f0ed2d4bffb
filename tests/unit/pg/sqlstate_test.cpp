// SQLSTATE condition names come from PostgreSQL's errcodes.txt.

#include <string>

#include <gtest/gtest.h>

#include "pg/sqlstate.hpp"

namespace pgwamp::db {
namespace {

TEST(SqlstateNames, KnownCodes) {
    EXPECT_EQ(sqlstate_condition(sqlstate::unique_violation), "unique_violation");
    EXPECT_EQ(sqlstate_condition(sqlstate::invalid_row_count_in_limit_clause), "invalid_row_count_in_limit_clause");
    EXPECT_EQ(sqlstate_condition(sqlstate::query_canceled), "query_canceled");
    EXPECT_EQ(sqlstate_condition(sqlstate::raise_exception), "raise_exception");
    EXPECT_EQ(sqlstate_condition(sqlstate::successful_completion), "successful_completion");
}

TEST(SqlstateNames, UnknownCodesFallBackToTheirClass) {
    const std::string unknown_in_class_23 = std::string(sqlstate::integrity_constraint_violation).substr(0, 2) + "ZZZ";
    EXPECT_EQ(sqlstate_condition(unknown_in_class_23), "integrity_constraint_violation");
    EXPECT_EQ(sqlstate_condition("ZZ999"), "");
    EXPECT_EQ(sqlstate_condition(""), "");
    EXPECT_EQ(sqlstate_condition("2350"), "");
}

}  // namespace
}  // namespace pgwamp::db

namespace pgwamp::db {
namespace {

TEST(SqlstateTests, Classes) {
    EXPECT_TRUE(sqlstate_in_class(sqlstate::undefined_table, sqlstate::syntax_error_or_access_rule_violation));
    EXPECT_TRUE(sqlstate_in_class(sqlstate::invalid_password, sqlstate::invalid_authorization_specification));
    EXPECT_FALSE(sqlstate_in_class(sqlstate::object_in_use, sqlstate::syntax_error_or_access_rule_violation));
    EXPECT_FALSE(sqlstate_in_class("", sqlstate::syntax_error_or_access_rule_violation));
}

TEST(SqlstateTests, TheServerEndingTheConnection) {
    EXPECT_TRUE(sqlstate_ends_connection(sqlstate::admin_shutdown));
    EXPECT_TRUE(sqlstate_ends_connection(sqlstate::crash_shutdown));
    EXPECT_TRUE(sqlstate_ends_connection(sqlstate::idle_session_timeout));
    EXPECT_FALSE(sqlstate_ends_connection(sqlstate::query_canceled));  // class 57, not 57P
    EXPECT_FALSE(sqlstate_ends_connection(""));
}

}  // namespace
}  // namespace pgwamp::db
