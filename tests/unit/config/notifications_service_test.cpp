// notifications (channel → topic) and service settings.

#include "test_support.hpp"

namespace pgwamp::config::test {
namespace {

TEST(Notifications, ChannelToTopic) {
    auto doc = minimal_doc();
    doc["notifications"] = {{"notes", {{"topic", "com.example.notes.on_insert"}}},
                            {"Demo Channel", {{"topic", "com.example.demo"}, {"payload", "text"}}}};
    const auto c = parse(doc);
    ASSERT_EQ(c.notifications.size(), 2u);
    EXPECT_EQ(c.notifications.at("notes").channel, "notes");
    EXPECT_EQ(c.notifications.at("notes").payload, PayloadFormat::json);  // the default
    EXPECT_EQ(c.notifications.at("Demo Channel").payload, PayloadFormat::text);
}

TEST(Notifications, Rules) {
    auto doc = minimal_doc();
    doc["notifications"] = {{"notes", {{"payload", "json"}}}};
    expect_error(doc, "notifications[\"notes\"].topic", "required key is missing");
    doc["notifications"] = {{"notes", {{"topic", "com..x"}}}};
    expect_error(doc, "notifications[\"notes\"].topic", "not a valid topic URI");
    doc["notifications"] = {{"notes", {{"topic", "com.x"}, {"payload", "binary"}}}};
    expect_error(doc, "notifications[\"notes\"].payload", "expected one of \"json\", \"text\", found \"binary\"");
    doc["notifications"] = {{std::string(64, 'c'), {{"topic", "com.x"}}}};
    expect_error(doc, "notifications[\"" + std::string(64, 'c') + "\"]", "1 to 63 bytes");
    doc["notifications"] = {{"", {{"topic", "com.x"}}}};
    expect_error(doc, "notifications[\"\"]", "1 to 63 bytes");
    doc["notifications"] = {{"notes", "com.x"}};
    expect_error(doc, "notifications[\"notes\"]", "expected an object");
    doc["notifications"] = {{"notes", {{"topic", "com.x"}, {"tpoic", "com.y"}}}};
    expect_error(doc, "notifications[\"notes\"].tpoic", "did you mean \"topic\"?");
}

TEST(Service, AllKeys) {
    auto doc = minimal_doc();
    doc["service"] = {{"log_level", "debug"}, {"shutdown_grace_ms", 100}, {"register_invoke", "single"},
                      {"notify_procedure", "org.acme.notify"}};
    const auto s = parse(doc).service;
    EXPECT_EQ(s.log_level, LogLevel::debug);
    EXPECT_EQ(s.shutdown_grace, Milliseconds(100));
    EXPECT_EQ(s.register_invoke, InvokePolicy::single);
    EXPECT_EQ(s.notify_procedure, "org.acme.notify");
}

TEST(Service, NotifyLeadershipDefaultsToOnePublisherRetryingEverySecond) {
    const auto s = parse(minimal_doc()).service;
    EXPECT_EQ(s.notify_publishers, NotifyPublishers::one);
    EXPECT_EQ(s.notify_leader_retry, Milliseconds(1000));
}

TEST(Service, NotifyLeadershipKeys) {
    auto doc = minimal_doc();
    doc["service"] = {{"notify_publishers", "every"}, {"notify_leader_retry_ms", 250}};
    const auto s = parse(doc).service;
    EXPECT_EQ(s.notify_publishers, NotifyPublishers::every);
    EXPECT_EQ(s.notify_leader_retry, Milliseconds(250));
}

TEST(Service, NotifyLeadershipRules) {
    auto doc = minimal_doc();
    doc["service"] = {{"notify_publishers", "all"}};
    expect_error(doc, "service.notify_publishers", "expected one of \"one\", \"every\", found \"all\"");
    doc["service"] = {{"notify_publishers", true}};
    expect_error(doc, "service.notify_publishers", "expected one of");
    doc["service"] = {{"notify_leader_retry_ms", 5}};
    expect_error(doc, "service.notify_leader_retry_ms", "an integer from 10 to 600000");
    doc["service"] = {{"notify_leader_retry_ms", 600'001}};
    expect_error(doc, "service.notify_leader_retry_ms", "an integer from 10 to 600000");
    doc["service"] = {{"notify_leader_retry_ms", "1s"}};
    expect_error(doc, "service.notify_leader_retry_ms", "an integer from 10 to 600000");
    doc["service"] = {{"notify_leader_retry", 1000}};
    expect_error(doc, "service.notify_leader_retry", "unknown key");
}

TEST(Service, NotifyProcedureNullDisablesIt) {
    auto doc = minimal_doc();
    doc["service"] = {{"notify_procedure", nullptr}};
    EXPECT_FALSE(parse(doc).service.notify_procedure);
}

TEST(Service, Rules) {
    auto doc = minimal_doc();
    doc["service"] = {{"log_level", "verbose"}};
    expect_error(doc, "service.log_level", "expected one of \"trace\", \"debug\", \"info\"");
    doc["service"] = {{"register_invoke", "round_robin"}};
    expect_error(doc, "service.register_invoke", "did you mean \"roundrobin\"?");
    doc["service"] = {{"notify_procedure", "wamp.x"}};
    expect_error(doc, "service.notify_procedure", "reserved");
    doc["service"] = {{"notify_procedure", 3}};
    expect_error(doc, "service.notify_procedure", "expected a string");
}

TEST(Names, RoundTrip) {
    EXPECT_EQ(to_string(InvokePolicy::roundrobin), "roundrobin");
    EXPECT_EQ(to_string(NotifyPublishers::every), "every");
    EXPECT_EQ(to_string(ArgType::integer), "int");
    EXPECT_EQ(to_string(ArgType::boolean), "bool");
    EXPECT_EQ(to_string(Mode::interaction), "interaction");
    EXPECT_EQ(to_string(Single::none), "none");
    EXPECT_EQ(to_string(LogLevel::warn), "warn");
    EXPECT_EQ(to_string(AuthMethod::wampcra), "wampcra");
    EXPECT_EQ(to_string(TransportKind::websocket), "websocket");
    EXPECT_EQ(to_string(PayloadFormat::text), "text");
    EXPECT_EQ(to_string(RowFormat::tuples), "tuples");
}

}  // namespace
}  // namespace pgwamp::config::test
