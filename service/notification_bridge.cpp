#include "service/notification_bridge.hpp"

#include <spdlog/spdlog.h>

#include "db/error.hpp"
#include "db/value_json.hpp"
#include "service/error_mapping.hpp"

namespace pgwamp::service {

NotificationBridge::NotificationBridge(db::Pool& pool, wamp::Client& client,
                                       const std::map<std::string, config::NotificationConfig>& channels)
    : pool_(pool), client_(client), channels_(channels) {}

NotificationBridge::~NotificationBridge() {
    if (observing_) pool_.remove_notify_observer(observer_);
}

void NotificationBridge::start() {
    observer_ = pool_.add_notify_observer([this](const db::Notification& n) { on_notification(n); });
    observing_ = true;
    for (const auto& [channel, _] : channels_) pool_.listen(channel);
}

void NotificationBridge::on_notification(const db::Notification& n) {
    const auto found = channels_.find(n.channel);
    if (found == channels_.end()) return;  // LISTENed by someone else on the pool
    const auto& route = found->second;

    db::Value payload = n.payload;
    bool is_json = false;
    if (route.payload == config::PayloadFormat::json) {
        try {
            payload = db::parse_json(n.payload);
            is_json = true;
        } catch (const db::Error&) {
            // Not JSON: publish the text as it came, flagged, rather than drop it.
        }
    }
    client_.publish(route.topic, {std::move(payload)},
                    {{"channel", n.channel}, {"json", is_json}, {"pid", std::int64_t{n.backend_pid}}});
    ++published_;
}

void NotificationBridge::serve_notify(wamp::Invocation call, CallTracker& tracker,
                                      std::chrono::milliseconds timeout) {
    auto context = begin_call(call, tracker, timeout);
    if (!context) return;
    try {
        const auto& args = call.args();
        db::Value channel = args.size() > 0 ? args[0] : db::Value();
        db::Value payload = args.size() > 1 ? args[1] : db::Value(std::string());
        for (const auto& [key, value] : call.kwargs()) {
            if (key == "channel") channel = value;
            else if (key == "payload") payload = value;
            else throw InvalidArgument("notify has no argument '" + key + "'");
        }
        if (args.size() > 2) throw InvalidArgument("notify takes (channel, payload)");
        if (!channel.is<std::string>() || !channels_.contains(channel.as<std::string>())) {
            std::string allowed;
            for (const auto& [name, _] : channels_) allowed += (allowed.empty() ? "" : ", ") + name;
            throw InvalidArgument("channel must be one of: " + allowed);
        }
        // A non-string payload is sent as its JSON text, which the bridge parses back.
        std::string text = payload.is<std::string>() ? payload.as<std::string>() : db::to_json(payload);
        if (text.size() >= 8000) throw InvalidArgument("payload must be shorter than 8000 bytes");

        pool_.async_query("SELECT pg_notify($1, $2)", {channel, std::move(text)}, context->statement_options(),
                          [context](std::exception_ptr error, db::Result) {
                              if (error) return context->fail(error);
                              context->reply(db::Null{});
                          });
    } catch (...) {
        context->fail(std::current_exception());
    }
}

}  // namespace pgwamp::service
