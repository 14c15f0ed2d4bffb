#include "config/names.hpp"
#include "config/parsers.hpp"
#include "config/wamp_uri.hpp"

namespace pgwamp::config::detail {

namespace {

// PostgreSQL truncates identifiers (and so channel names) to NAMEDATALEN-1 bytes.
constexpr std::size_t max_channel_bytes = 63;

NotificationConfig parse_notification(const Node& node, const std::string& channel) {
    Fields f(node, {"topic", "payload", "audience"});
    NotificationConfig n;
    n.channel = channel;
    const Node topic = f.require("topic");
    n.topic = topic.string();
    if (auto problem = wamp_uri_problem(n.topic)) topic.fail("not a valid topic URI: " + *problem);
    if (auto p = f.get("payload")) n.payload = p->choice<PayloadFormat>(payload_formats);
    if (auto a = f.get("audience")) {
        if (n.payload != PayloadFormat::json) a->fail("an audience reads JSON fields: needs \"payload\": \"json\"");
        n.audience = parse_audience(*a);
    }
    return n;
}

}  // namespace

std::map<std::string, NotificationConfig> parse_notifications(const Node& node) {
    node.expect_object();
    std::map<std::string, NotificationConfig> out;
    for (const auto& [channel, value] : node.json().items()) {
        const Node entry = node.entry(channel);
        if (channel.empty() || channel.size() > max_channel_bytes ||
            channel.find('\0') != std::string::npos)
            entry.fail("a channel name is 1 to 63 bytes (PostgreSQL's identifier limit), without NUL");
        out.emplace(channel, parse_notification(entry, channel));
    }
    return out;
}

}  // namespace pgwamp::config::detail
