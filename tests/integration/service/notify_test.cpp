// NOTIFY -> WAMP event through the whole product: NOTIFYs sent with psql (a
// connection pgwamp knows nothing about) or through com.example.notify must
// reach a browser-like subscriber on Crossbar's WebSocket path, intact.

#include <gtest/gtest.h>

#include <map>

#include "tests/integration/service/stack_suite.hpp"

namespace pgwamp::test::service {
namespace {

constexpr const char* demo_topic = "com.example.demo";
constexpr const char* notes_topic = "com.example.notes.on_insert";
constexpr const char* plain_topic = "com.example.test.plain";

// A channel whose payload is always text, even when it looks like JSON.
void add_text_channel(nlohmann::json& config) {
    config["notifications"]["plain"] = {{"topic", plain_topic}, {"payload", "text"}};
}

class ServiceNotify : public StackSuite<ServiceNotify> {
protected:
    static void SetUpTestSuite() { start_stack({.edit_config = add_text_channel}); }
    void SetUp() override { join_caller({demo_topic, notes_topic, plain_topic}); }

    // Waits for the next `count` events on the topic (beyond those seen already).
    std::vector<wamp::Event> next_events(const std::string& topic, std::size_t count,
                                         std::chrono::milliseconds limit = 15s) {
        const auto& events = caller_->events(topic);
        const std::size_t wanted = seen_[topic] + count;
        caller_->run_until([&] { return events.size() >= wanted; }, limit);
        std::vector<wamp::Event> out(events.begin() + static_cast<std::ptrdiff_t>(seen_[topic]), events.end());
        seen_[topic] = events.size();
        return out;
    }
    wamp::Event next_event(const std::string& topic) {
        auto events = next_events(topic, 1);
        EXPECT_EQ(events.size(), 1u) << "expected exactly one event on " << topic;
        return events.empty() ? wamp::Event{} : events.front();
    }

    static void expect_meta(const wamp::Event& event, const std::string& channel, bool json) {
        const auto* c = find_kwarg(event.kwargs, "channel");
        ASSERT_NE(c, nullptr) << to_text(Value(event.kwargs));
        EXPECT_EQ(*c, Value(channel));
        const auto* j = find_kwarg(event.kwargs, "json");
        ASSERT_NE(j, nullptr) << to_text(Value(event.kwargs));
        EXPECT_EQ(*j, Value(json));
        const auto* pid = find_kwarg(event.kwargs, "pid");
        ASSERT_NE(pid, nullptr) << to_text(Value(event.kwargs));
        EXPECT_TRUE(pid->is<std::int64_t>() && pid->as<std::int64_t>() > 0) << to_text(*pid);
    }

    std::map<std::string, std::size_t> seen_;
};

TEST_F(ServiceNotify, TextPayloadArrivesIntactAndFlaggedNotJson) {
    const std::string text = "héllo wörld ✓ 日本語 🐘 it's";
    stack_->postgres().psql("NOTIFY demo, 'héllo wörld ✓ 日本語 🐘 it''s'");
    const auto event = next_event(demo_topic);
    ASSERT_EQ(event.args.size(), 1u);
    EXPECT_EQ(event.args[0], Value(text));
    expect_meta(event, "demo", false);
    // The pid is the sender's backend, not pgwamp's.
    EXPECT_GT(find_kwarg(event.kwargs, "pid")->as<std::int64_t>(), 0);
}

TEST_F(ServiceNotify, JsonPayloadIsParsed) {
    stack_->postgres().psql(R"(SELECT pg_notify('demo', '{"a": 1, "b": [true, null, "ü"], "c": {"d": 2.5}}'))");
    const auto event = next_event(demo_topic);
    ASSERT_EQ(event.args.size(), 1u);
    const Value expected = Object{
        {"a", 1}, {"b", Array{true, Null{}, "ü"}}, {"c", Object{{"d", 2.5}}}};
    EXPECT_EQ(event.args[0], expected) << to_text(event.args[0]);
    expect_meta(event, "demo", true);
}

TEST_F(ServiceNotify, LargestPayloadArrivesWhole) {
    // PostgreSQL's limit is "shorter than 8000 bytes": 7,999 bytes, multibyte included.
    std::string payload;
    while (payload.size() + 3 <= 7999 - 10) payload += "€";  // 3 bytes each
    while (payload.size() < 7999) payload += 'x';
    ASSERT_EQ(payload.size(), 7999u);
    stack_->postgres().psql("SELECT pg_notify('demo', '" + payload + "')");
    const auto event = next_event(demo_topic);
    ASSERT_EQ(event.args.size(), 1u);
    ASSERT_TRUE(event.args[0].is<std::string>());
    EXPECT_EQ(event.args[0].as<std::string>().size(), 7999u);
    EXPECT_TRUE(event.args[0].as<std::string>() == payload) << "payload changed on the way";
    expect_meta(event, "demo", false);
}

TEST_F(ServiceNotify, ThousandNotifiesArriveCompleteAndInOrder) {
    stack_->postgres().psql(
        "SELECT pg_notify('demo', json_build_object('seq', i)::text) FROM generate_series(1, 1000) AS i");
    const auto events = next_events(demo_topic, 1000, 60s);
    ASSERT_EQ(events.size(), 1000u);
    for (std::size_t i = 0; i < events.size(); ++i) {
        ASSERT_EQ(events[i].args.size(), 1u);
        const Value expected = Object{{"seq", static_cast<std::int64_t>(i + 1)}};
        ASSERT_EQ(events[i].args[0], expected) << "event " << i << ": " << to_text(events[i].args[0]);
    }
    EXPECT_EQ(caller_->client().dropped_publications(), 0u);
}

TEST_F(ServiceNotify, InsertedNoteIsAnnounced) {
    const auto added = caller_->call("com.example.notes.add", {"announced note ✓"});
    ASSERT_TRUE(added.ok()) << added.describe();
    const auto event = next_event(notes_topic);
    ASSERT_EQ(event.args.size(), 1u);
    ASSERT_TRUE(event.args[0].is<Object>()) << to_text(event.args[0]);
    const auto& row = event.args[0].as<Object>();
    ASSERT_NE(find_kwarg(row, "body"), nullptr);
    EXPECT_EQ(*find_kwarg(row, "body"), Value("announced note ✓"));
    EXPECT_EQ(*find_kwarg(row, "id"), *find_kwarg(added.args.at(0).as<Object>(), "id"));
    expect_meta(event, "notes", true);
}

TEST_F(ServiceNotify, NoteTooLargeForNotifyIsAnnouncedTruncated) {
    // The demo schema's trigger cuts the body rather than fail the INSERT.
    const std::string body(9000, 'n');
    const auto added = caller_->call("com.example.notes.add", {body});
    ASSERT_TRUE(added.ok()) << added.describe();
    const auto event = next_event(notes_topic);
    ASSERT_TRUE(event.args.at(0).is<Object>()) << to_text(event.args.at(0));
    const auto& row = event.args[0].as<Object>();
    ASSERT_NE(find_kwarg(row, "truncated"), nullptr) << to_text(event.args[0]);
    EXPECT_EQ(*find_kwarg(row, "truncated"), Value(true));
    EXPECT_EQ(find_kwarg(row, "body")->as<std::string>(), std::string(1000, 'n'));
    EXPECT_EQ(stack_->postgres().psql("SELECT length(body) FROM notes WHERE id = " +
                                      to_text(*find_kwarg(added.args.at(0).as<Object>(), "id"))),
              "9000");
}

TEST_F(ServiceNotify, TextChannelNeverParses) {
    stack_->postgres().psql(R"(NOTIFY plain, '{"looks": "like json"}')");
    const auto event = next_event(plain_topic);
    ASSERT_EQ(event.args.size(), 1u);
    EXPECT_EQ(event.args[0], Value(R"({"looks": "like json"})"));
    expect_meta(event, "plain", false);
    // The demo topic did not receive it: its next event is the marker sent after.
    stack_->postgres().psql("NOTIFY demo, 'marker'");
    EXPECT_EQ(next_event(demo_topic).args.at(0), Value("marker"));
}

TEST_F(ServiceNotify, NotifyProcedureClosesTheLoop) {
    const auto text = caller_->call("com.example.notify", {"plain", "via procedure ✓"});
    ASSERT_TRUE(text.ok()) << text.describe();
    auto event = next_event(plain_topic);
    ASSERT_EQ(event.args.size(), 1u);
    EXPECT_EQ(event.args[0], Value("via procedure ✓"));
    expect_meta(event, "plain", false);

    // A structured payload goes as JSON text and comes back parsed, signed by the caller.
    const Value object = Object{{"x", 1}, {"y", Array{"a", "b"}}};
    const auto structured = caller_->call("com.example.notify", {}, {{"channel", "demo"}, {"payload", object}});
    ASSERT_TRUE(structured.ok()) << structured.describe();
    event = next_event(demo_topic);
    ASSERT_EQ(event.args.size(), 1u);
    const Value signed_object = Object{{"x", 1}, {"y", Array{"a", "b"}}, {"sent_by", "tester"}};
    EXPECT_EQ(event.args[0], signed_object) << to_text(event.args[0]);
    expect_meta(event, "demo", true);
}

TEST_F(ServiceNotify, NotifyProcedureRefusesUnconfiguredChannelAndOversizePayload) {
    const auto other = caller_->call("com.example.notify", {"not_configured", "x"});
    EXPECT_EQ(other.error_uri, "wamp.error.invalid_argument") << other.describe();
    const auto no_channel = caller_->call("com.example.notify", {42, "x"});
    EXPECT_EQ(no_channel.error_uri, "wamp.error.invalid_argument") << no_channel.describe();
    const auto too_big = caller_->call("com.example.notify", {"plain", std::string(8000, 'x')});
    EXPECT_EQ(too_big.error_uri, "wamp.error.invalid_argument") << too_big.describe();
    const auto unknown = caller_->call("com.example.notify", {}, {{"channel", "demo"}, {"colour", "red"}});
    EXPECT_EQ(unknown.error_uri, "wamp.error.invalid_argument") << unknown.describe();
    // A JSON channel's payload must be an object, so that it can say who sent it.
    const auto text_on_json = caller_->call("com.example.notify", {"demo", "not an object"});
    EXPECT_EQ(text_on_json.error_uri, "wamp.error.invalid_argument") << text_on_json.describe();

    // Nothing was published for the refused calls; the procedure still works.
    const auto ok = caller_->call("com.example.notify", {"plain", "after refusals"});
    ASSERT_TRUE(ok.ok()) << ok.describe();
    const auto event = next_event(plain_topic);
    EXPECT_EQ(event.args.at(0), Value("after refusals")) << "an event of a refused call arrived first";
    stack_->postgres().psql("NOTIFY demo, 'marker'");
    EXPECT_EQ(next_event(demo_topic).args.at(0), Value("marker")) << "a refused call published on demo";
}

// Nobody speaks in another's name: the owner a payload claims is replaced by
// the caller the router names, so a "private note from alice" sent by tester
// is tester's, and goes to tester only.
TEST_F(ServiceNotify, NotifyCannotForgeAnotherUsersEvent) {
    auto alice = std::make_unique<Caller>(*stack_, demo_user(*stack_, "notify_alice"));
    alice->subscribe(notes_topic);
    ASSERT_TRUE(alice->join());
    const auto forged = caller_->call("com.example.notify",
                                      {"notes", Value(Object{{"owner", "notify_alice"}, {"body", "forged"}})});
    ASSERT_TRUE(forged.ok()) << forged.describe();
    const auto event = next_event(notes_topic);  // tester's own page gets it, as tester's
    ASSERT_EQ(event.args.size(), 1u);
    EXPECT_EQ(*find_field(event.args[0].as<Object>(), "owner"), Value("tester")) << to_text(event.args[0]);
    // A public note after it reaches alice; the forged one never did.
    const auto shared = caller_->call("com.example.notify",
                                      {"notes", Value(Object{{"public", true}, {"body", "shared"}})});
    ASSERT_TRUE(shared.ok()) << shared.describe();
    ASSERT_TRUE(alice->run_until([&] { return !alice->events(notes_topic).empty(); }, 15s));
    const auto& got = alice->events(notes_topic);
    ASSERT_EQ(got.size(), 1u) << to_text(got.front().args.at(0));
    EXPECT_EQ(*find_field(got.front().args.at(0).as<Object>(), "body"), Value("shared"));
    EXPECT_EQ(*find_field(got.front().args.at(0).as<Object>(), "owner"), Value("tester"));
}

// The demo's notify procedure is for signed-in users (service.notify_roles).
TEST_F(ServiceNotify, AnonymousVisitorsMayNotNotify) {
    Caller anonymous(*stack_);
    ASSERT_TRUE(anonymous.join());
    const auto refused = anonymous.call("com.example.notify", {"demo", Value(Object{{"x", 1}})});
    EXPECT_EQ(refused.error_uri, "wamp.error.not_authorized") << refused.describe();
}

}  // namespace
}  // namespace pgwamp::test::service
