#pragma once
// NOTIFY -> WAMP event. LISTENs on every configured channel and publishes
// each notification on the channel's topic, in the order PostgreSQL delivered
// them (the pool keeps that order; publishing is synchronous on the loop).
//
// Event shape: args = [payload], kwargs = {channel, json, pid}. With
// "payload": "json" the payload is parsed; a payload that is not JSON is
// published as the original text with json=false, never dropped.
//
// Also serves the notify procedure: (channel, payload) -> pg_notify, limited
// to the configured channels so a browser cannot signal arbitrary listeners.

#include <map>
#include <string>

#include "config/config.hpp"
#include "db/notification.hpp"
#include "db/pool.hpp"
#include "service/call_context.hpp"
#include "wamp/client.hpp"

namespace pgwamp::service {

class NotificationBridge {
public:
    NotificationBridge(db::Pool& pool, wamp::Client& client,
                       const std::map<std::string, config::NotificationConfig>& channels);
    ~NotificationBridge();

    void start();
    void serve_notify(wamp::Invocation call, CallTracker& tracker, std::chrono::milliseconds timeout);

    std::uint64_t published() const { return published_; }

private:
    void on_notification(const db::Notification& n);

    db::Pool& pool_;
    wamp::Client& client_;
    const std::map<std::string, config::NotificationConfig>& channels_;
    db::ObserverId observer_ = 0;
    bool observing_ = false;
    std::uint64_t published_ = 0;
};

}  // namespace pgwamp::service
