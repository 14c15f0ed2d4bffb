// Who receives an event about a row, and what a replay may show.

#include <gtest/gtest.h>

#include "service/event_audience.hpp"

namespace pgwamp::service {
namespace {

const config::EventAudience notes{std::string("owner"), std::string("public")};

Value row(Value owner, Value is_public) { return Object{{"id", 1}, {"owner", std::move(owner)}, {"public", std::move(is_public)}}; }

TEST(EventAudience, PrivateRowsGoToTheirOwnerOnly) {
    EXPECT_EQ(restricted_to(notes, row("alice", false)), "alice");
    EXPECT_EQ(restricted_to(notes, row(42, false)), "42");
    EXPECT_EQ(restricted_to(notes, row("alice", true)), std::nullopt);   // public
    EXPECT_EQ(restricted_to(notes, row(Null{}, false)), std::nullopt);   // nobody owns it
    EXPECT_EQ(restricted_to(notes, row("", false)), std::nullopt);
    EXPECT_EQ(restricted_to(notes, Value(Object{{"id", 1}})), std::nullopt);  // a key-only old row
    EXPECT_EQ(restricted_to(config::EventAudience{}, row("alice", false)), std::nullopt);  // no audience configured
    // A delete: judged by its old row.
    EXPECT_EQ(restricted_to(notes, Null{}, row("bob", false)), "bob");
    EXPECT_EQ(restricted_to(notes, row("bob", true), row("bob", false)), std::nullopt);  // now public
}

TEST(EventAudience, TheServiceHearsEverythingItPublishes) {
    EXPECT_TRUE(eligible_authids(std::nullopt, "pgwamp").empty());
    EXPECT_EQ(eligible_authids(std::string("alice"), "pgwamp"), (std::vector<std::string>{"alice", "pgwamp"}));
    EXPECT_EQ(eligible_authids(std::string("alice"), ""), std::vector<std::string>{"alice"});
}

TEST(EventAudience, ReplayShowsOnlyWhatTheCallerCouldReceive) {
    EXPECT_TRUE(may_see(std::nullopt, ""));
    EXPECT_TRUE(may_see(std::string("alice"), "alice"));
    EXPECT_FALSE(may_see(std::string("alice"), "bob"));
    EXPECT_FALSE(may_see(std::string("alice"), ""));
}

}  // namespace
}  // namespace pgwamp::service
