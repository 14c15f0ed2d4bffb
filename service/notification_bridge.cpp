#include "service/notification_bridge.hpp"

#include <unistd.h>

#include <spdlog/spdlog.h>

#include "pg/error.hpp"
#include "pg/value_json.hpp"
#include "service/error_mapping.hpp"
#include "service/event_audience.hpp"
#include "service/metrics.hpp"
#include "service/notify_payload.hpp"

namespace pgwamp::service {

NotificationBridge::NotificationBridge(db::Pool& pool, wamp::Client& client,
                                       const std::map<std::string, config::NotificationConfig>& channels,
                                       config::NotifyPublishers publishers, db::LeaderListenerOptions leadership)
    : pool_(pool),
      client_(client),
      channels_(channels),
      publishers_(publishers),
      leadership_(std::move(leadership)) {}

NotificationBridge::~NotificationBridge() {
    if (observing_) pool_.remove_notify_observer(observer_);
    stop();
}

void NotificationBridge::start() {
    if (channels_.empty()) return;
    if (publishers_ == config::NotifyPublishers::one) return start_leading();
    observer_ = pool_.add_notify_observer([this](const db::Notification& n) { on_notification(n); });
    observing_ = true;
    for (const auto& [channel, _] : channels_) pool_.listen(channel);
}

void NotificationBridge::start_leading() {
    std::vector<std::string> names;
    for (const auto& [channel, _] : channels_) names.push_back(channel);
    auto on_role = [this](const std::string& channel, db::ChannelRole role, const std::string& reason) {
        // Each process logs its own role per channel: grep role=leader across
        // the processes' logs to see who publishes what.
        spdlog::info("event=notify_role channel=\"{}\" role={} reason={} pid={} backend_pid={}", channel,
                     db::to_string(role), reason, ::getpid(), leader_ ? leader_->backend_pid() : 0);
    };
    leader_ = db::LeaderListener::create(pool_.executor(), leadership_, names,
                                         [this](const db::Notification& n) { on_notification(n); }, on_role);
    leader_->start();
}

void NotificationBridge::stop() {
    if (leader_) leader_->close();
}

void NotificationBridge::on_notification(const db::Notification& n) {
    const auto found = channels_.find(n.channel);
    if (found == channels_.end()) return;  // LISTENed by someone else on the pool
    const auto& route = found->second;

    Value payload = n.payload;
    bool is_json = false;
    if (route.payload == config::PayloadFormat::json) {
        try {
            payload = db::parse_json(n.payload);
            is_json = true;
        } catch (const db::Error&) {
            // Not JSON: publish the text as it came, flagged, rather than drop it.
        }
    }
    // Text cannot say whose it is: a channel with an audience publishes only JSON objects.
    const Audience audience = is_json ? audience_of(route.audience, payload)
                                      : (route.audience.restricted() ? Audience::nobody() : Audience::everyone());
    if (audience.kind() == Audience::Kind::nobody) {
        ++withheld_;
        return;
    }
    wamp::PublishOptions options;
    if (audience.kind() == Audience::Kind::only) options.eligible_authid = {audience.authid()};
    client_.publish(route.topic, {std::move(payload)},
                    {{"channel", n.channel}, {"json", is_json}, {"pid", std::int64_t{n.backend_pid}}},
                    std::move(options), nullptr);
    ++published_;
    if (metrics_) metrics_->topic(route.topic).count_published();
}

std::size_t NotificationBridge::channels_led() const {
    if (publishers_ == config::NotifyPublishers::every) return channels_.size();
    if (!leader_) return 0;
    std::size_t led = 0;
    for (const auto& [channel, _] : channels_)
        if (leader_->role(channel) == db::ChannelRole::leader) ++led;
    return led;
}

void NotificationBridge::serve_notify(wamp::Invocation call, CallTracker& tracker, std::chrono::milliseconds timeout,
                                      const CallerAccess* access) {
    auto context = begin_call(call, tracker, timeout, access);
    if (!context) return;
    try {
        const auto& args = call.args();
        Value channel = args.size() > 0 ? args[0] : Value();
        Value payload = args.size() > 1 ? args[1] : Value(std::string());
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
        const auto& route = channels_.at(channel.as<std::string>());
        std::string text = route.payload == config::PayloadFormat::json
                               ? db::to_json(signed_notify_payload(route, payload, call.caller_authid()))
                               : (payload.is<std::string>() ? payload.as<std::string>() : db::to_json(payload));
        if (text.size() >= 8000) throw InvalidArgument("payload must be shorter than 8000 bytes");

        pool_.async_query("SELECT pg_notify($1, $2)", {channel, std::move(text)}, context->statement_options(),
                          [context](std::exception_ptr error, db::Result) {
                              if (error) return context->fail(error);
                              context->reply(Null{});
                          });
    } catch (...) {
        context->fail(std::current_exception());
    }
}

}  // namespace pgwamp::service
