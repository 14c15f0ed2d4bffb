// The notify procedure speaks in the caller's name only.

#include <gtest/gtest.h>

#include "service/error_mapping.hpp"
#include "service/notify_payload.hpp"

namespace pgwamp::service {
namespace {

config::NotificationConfig channel(bool with_audience) {
    config::NotificationConfig c;
    c.topic = "com.example.notes.on_insert";
    c.payload = config::PayloadFormat::json;
    if (with_audience) c.audience = config::EventAudience{std::string("owner"), std::string("public")};
    return c;
}

TEST(NotifyPayload, TheCallersAuthidReplacesTheClaimedOwner) {
    auto out = signed_notify_payload(channel(true), Value(Object{{"owner", "alice"}, {"body", "hi"}}), "mallory");
    EXPECT_EQ(find_field(out, "owner")->as<std::string>(), "mallory");
    EXPECT_EQ(find_field(out, "body")->as<std::string>(), "hi");
    EXPECT_EQ(out.size(), 2u);
}

TEST(NotifyPayload, JsonTextIsParsedAndStamped) {
    auto out = signed_notify_payload(channel(true), Value(R"({"public": true, "owner": "alice"})"), "bob");
    EXPECT_EQ(find_field(out, "owner")->as<std::string>(), "bob");
    EXPECT_TRUE(find_field(out, "public")->as<bool>());
}

TEST(NotifyPayload, WithoutAnAudienceTheSenderIsNamed) {
    auto out = signed_notify_payload(channel(false), Value(Object{{"sent_by", "alice"}}), "bob");
    EXPECT_EQ(find_field(out, "sent_by")->as<std::string>(), "bob");
    EXPECT_EQ(out.size(), 1u);
    // An undisclosed caller on such a channel: no name, and no claimed one either.
    auto anonymous = signed_notify_payload(channel(false), Value(Object{{"sent_by", "alice"}}), "");
    EXPECT_EQ(find_field(anonymous, "sent_by"), nullptr);
}

TEST(NotifyPayload, RefusesWhatCannotBeSigned) {
    EXPECT_THROW(signed_notify_payload(channel(true), Value("not json"), "bob"), InvalidArgument);
    EXPECT_THROW(signed_notify_payload(channel(true), Value("[1, 2]"), "bob"), InvalidArgument);
    EXPECT_THROW(signed_notify_payload(channel(true), Value(std::int64_t{3}), "bob"), InvalidArgument);
    EXPECT_THROW(signed_notify_payload(channel(true), Value(Object{{"owner", "alice"}}), ""), NotAuthorized);
}

}  // namespace
}  // namespace pgwamp::service
