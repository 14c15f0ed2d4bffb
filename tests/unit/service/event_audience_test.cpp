// Who may see a row, judged on the whole row.

#include <gtest/gtest.h>

#include "service/event_audience.hpp"

namespace pgwamp::service {
namespace {

const config::EventAudience notes{std::string("owner"), std::string("public")};
const config::EventAudience owner_only{std::string("owner"), std::nullopt};

Value row(Value owner, Value is_public) {
    return Object{{"id", 1}, {"owner", std::move(owner)}, {"public", std::move(is_public)}};
}

TEST(EventAudience, PrivateRowsGoToTheirOwnerOnly) {
    EXPECT_EQ(audience_of(notes, row("alice", false)), Audience::only("alice"));
    EXPECT_EQ(audience_of(notes, row(42, false)), Audience::only("42"));
    EXPECT_EQ(audience_of(notes, row("alice", Null{})), Audience::only("alice"));
}

TEST(EventAudience, PublicRowsGoToEveryone) {
    EXPECT_EQ(audience_of(notes, row("alice", true)), Audience::everyone());
    EXPECT_EQ(audience_of(notes, row(Null{}, true)), Audience::everyone());
}

TEST(EventAudience, AnUnownedRowThatIsNotPublicGoesToNobody) {
    EXPECT_EQ(audience_of(notes, row(Null{}, false)), Audience::nobody());
    EXPECT_EQ(audience_of(notes, row("", false)), Audience::nobody());
    EXPECT_EQ(audience_of(notes, row(Null{}, Null{})), Audience::nobody());
}

TEST(EventAudience, WithoutAFlagAnUnownedRowIsEveryones) {
    EXPECT_EQ(audience_of(owner_only, Value(Object{{"owner", Null{}}})), Audience::everyone());
    EXPECT_EQ(audience_of(owner_only, Value(Object{{"owner", "bob"}})), Audience::only("bob"));
    EXPECT_EQ(audience_of(config::EventAudience{}, row("alice", false)), Audience::everyone());  // none configured
    EXPECT_EQ(audience_of(notes, Value("text")), Audience::everyone());                           // not a row
}

TEST(EventAudience, Admits) {
    EXPECT_TRUE(Audience::everyone().admits(""));
    EXPECT_TRUE(Audience::only("alice").admits("alice"));
    EXPECT_FALSE(Audience::only("alice").admits("bob"));
    EXPECT_FALSE(Audience::only("alice").admits(""));
    EXPECT_FALSE(Audience::only("alice").admits("Alice"));
    EXPECT_TRUE(Audience::all_but("alice").admits("bob"));
    EXPECT_FALSE(Audience::all_but("alice").admits("alice"));
    EXPECT_FALSE(Audience::all_but("alice").admits(""));  // undisclosed: might be alice
    EXPECT_FALSE(Audience::nobody().admits("alice"));
}

TEST(EventAudience, IntersectAndMinus) {
    const auto everyone = Audience::everyone(), nobody = Audience::nobody();
    const auto alice = Audience::only("alice"), bob = Audience::only("bob");
    EXPECT_EQ(everyone.intersect(alice), alice);
    EXPECT_EQ(alice.intersect(everyone), alice);
    EXPECT_EQ(alice.intersect(alice), alice);
    EXPECT_EQ(alice.intersect(bob), nobody);
    EXPECT_EQ(nobody.intersect(everyone), nobody);
    EXPECT_EQ(everyone.minus(alice), Audience::all_but("alice"));
    EXPECT_EQ(everyone.minus(everyone), nobody);
    EXPECT_EQ(everyone.minus(nobody), everyone);
    EXPECT_EQ(alice.minus(everyone), nobody);
    EXPECT_EQ(alice.minus(alice), nobody);
    EXPECT_EQ(alice.minus(bob), alice);
    EXPECT_EQ(nobody.minus(alice), nobody);
    EXPECT_EQ(Audience::all_but("alice").describe(), "all_but:alice");
}

}  // namespace
}  // namespace pgwamp::service
