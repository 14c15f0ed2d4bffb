// What each recipient of a row change receives: a private past stays private,
// a row that leaves someone's view is deleted from it.

#include <gtest/gtest.h>

#include "service/row_event_versions.hpp"

namespace pgwamp::service {
namespace {

const Audience everyone = Audience::everyone();
const Audience nobody = Audience::nobody();
const Audience alice = Audience::only("alice");
const Audience bob = Audience::only("bob");

Object change(const std::string& op) {
    return {{"op", op},
            {"table", "public.notes"},
            {"new", Object{{"body", "now"}}},
            {"old", Object{{"body", "before"}}},
            {"position", "0000000000000100/00000000"}};
}

// op as `caller` sees the change, "-" when not at all; old/new carried.
std::string seen_by(const std::string& op, const Audience& old_row, const Audience& new_row, const std::string& caller) {
    auto v = row_event_version_for(op, old_row, new_row, caller);
    if (!v) return "-";
    return v->op + (v->with_old ? "+old" : "") + (v->with_new ? "+new" : "");
}

TEST(RowEventVersions, PrivateMadePublicShowsOthersAnInsertWithoutThePast) {
    EXPECT_EQ(seen_by("update", alice, everyone, "alice"), "update+old+new");
    EXPECT_EQ(seen_by("update", alice, everyone, "bob"), "insert+new");
    EXPECT_EQ(seen_by("update", alice, everyone, "anonymous-7f3a"), "insert+new");
    // A replay caller the router does not name might be alice: it gets nothing of this change.
    EXPECT_EQ(seen_by("update", alice, everyone, ""), "-");
}

TEST(RowEventVersions, PublicMadePrivateDeletesEveryoneElsesCopy) {
    EXPECT_EQ(seen_by("update", everyone, alice, "alice"), "update+old+new");
    EXPECT_EQ(seen_by("update", everyone, alice, "bob"), "delete+old");
    EXPECT_EQ(seen_by("update", everyone, alice, "anonymous-7f3a"), "delete+old");
}

TEST(RowEventVersions, GivenToAnotherOwner) {
    EXPECT_EQ(seen_by("update", alice, bob, "alice"), "delete+old");
    EXPECT_EQ(seen_by("update", alice, bob, "bob"), "insert+new");
    EXPECT_EQ(seen_by("update", alice, bob, "carol"), "-");
}

TEST(RowEventVersions, InsertsAndDeletesGoByTheirRow) {
    EXPECT_EQ(seen_by("insert", alice, alice, "alice"), "insert+new");
    EXPECT_EQ(seen_by("insert", alice, alice, "bob"), "-");
    EXPECT_EQ(seen_by("delete", alice, everyone, "bob"), "-");
    EXPECT_EQ(seen_by("delete", alice, everyone, "alice"), "delete+old");
    EXPECT_EQ(seen_by("truncate", nobody, nobody, "bob"), "truncate");
}

TEST(RowEventVersions, NobodyGetsNoVersion) {
    EXPECT_TRUE(row_event_versions("update", nobody, nobody).empty());
    EXPECT_TRUE(row_event_versions("insert", nobody, nobody).empty());
    EXPECT_EQ(row_event_versions("update", nobody, everyone).size(), 1u);
}

TEST(RowEventVersions, AVersionCarriesOnlyItsRows) {
    auto insert = version_kwargs(change("update"), RowEventVersion{"insert", false, true, everyone});
    EXPECT_EQ(find_field(insert, "op")->as<std::string>(), "insert");
    EXPECT_TRUE(find_field(insert, "old")->is<Null>());
    EXPECT_TRUE(find_field(insert, "new")->is<Object>());
    EXPECT_EQ(find_field(insert, "position")->as<std::string>(), "0000000000000100/00000000");
}

TEST(RowEventVersions, PublicationsLeaveTheServiceOutAndGiveItTheWholeChange) {
    auto pubs = row_event_publications(change("update"), alice, everyone, "pgwamp");
    ASSERT_EQ(pubs.size(), 3u);  // update to alice, insert to all but alice, the service copy
    EXPECT_EQ(pubs[0].options.eligible_authid, std::vector<std::string>{"alice"});
    EXPECT_TRUE(pubs[0].options.exclude_authid.empty());
    EXPECT_EQ(pubs[1].options.exclude_authid, (std::vector<std::string>{"alice", "pgwamp"}));
    EXPECT_TRUE(find_field(pubs[1].kwargs, "old")->is<Null>());
    EXPECT_EQ(find_field(pubs[1].kwargs, "audience"), nullptr);
    EXPECT_EQ(pubs[2].options.eligible_authid, std::vector<std::string>{"pgwamp"});
    for (const auto& p : pubs) EXPECT_TRUE(p.options.acknowledge);

    auto audiences = audiences_of_service_copy(pubs[2].kwargs);
    ASSERT_TRUE(audiences);
    EXPECT_EQ(audiences->old_row, alice);
    EXPECT_EQ(audiences->new_row, everyone);
    EXPECT_FALSE(audiences_of_service_copy(pubs[1].kwargs));
}

TEST(RowEventVersions, AChangeNobodyMaySeeGoesToTheServiceOnly) {
    auto pubs = row_event_publications(change("insert"), nobody, nobody, "pgwamp");
    ASSERT_EQ(pubs.size(), 1u);
    EXPECT_EQ(pubs[0].options.eligible_authid, std::vector<std::string>{"pgwamp"});
    auto audiences = audiences_of_service_copy(pubs[0].kwargs);
    ASSERT_TRUE(audiences);
    EXPECT_EQ(audiences->new_row, nobody);
}

}  // namespace
}  // namespace pgwamp::service
