#pragma once
// NOTIFY -> WAMP event. LISTENs on every configured channel and publishes
// each notification on the channel's topic, in the order PostgreSQL delivered
// them (the pool keeps that order; publishing is synchronous on the loop).
//
// Event shape: args = [payload], kwargs = {channel, json, pid}. With
// "payload": "json" the payload is parsed; a payload that is not JSON is
// published as the original text with json=false, never dropped.
//
// With several pgwamp processes on one database, by default only the
// channel's leader publishes (db::LeaderListener: an advisory lock per
// channel on the connection that LISTENs), so each NOTIFY becomes one event;
// NotifyPublishers::every keeps the old way, where every process LISTENs on
// the pool's control connection and publishes.
//
// Also serves the notify procedure: (channel, payload) -> pg_notify, limited
// to the configured channels so a browser cannot signal arbitrary listeners,
// to the roles in service.notify_roles, and with the caller's authid stamped
// into JSON payloads (service/notify_payload.hpp) so nobody speaks in another's name.

#include <map>
#include <memory>
#include <string>

#include "config/config.hpp"
#include "db/leader_listener.hpp"
#include "db/notification.hpp"
#include "db/pool.hpp"
#include "service/call_context.hpp"
#include "wamp/client.hpp"

namespace pgwamp::service {

class Metrics;

class NotificationBridge {
public:
    // `leadership` is used with NotifyPublishers::one (its own connection).
    NotificationBridge(db::Pool& pool, wamp::Client& client,
                       const std::map<std::string, config::NotificationConfig>& channels,
                       config::NotifyPublishers publishers, db::LeaderListenerOptions leadership);
    ~NotificationBridge();

    void start();
    // Gives up every channel at once (ending the leader's session releases
    // its locks), so a follower takes over within its retry interval.
    void stop();
    void serve_notify(wamp::Invocation call, CallTracker& tracker, std::chrono::milliseconds timeout,
                      const CallerAccess* access);

    std::uint64_t published() const { return published_; }
    // NOTIFYs on a channel with an audience that no one may receive (no owner, not public; or not JSON).
    std::uint64_t withheld() const { return withheld_; }
    std::size_t channels() const { return channels_.size(); }
    // Channels this process publishes: the ones it leads, or all with "every".
    std::size_t channels_led() const;
    // Counts each publish per topic from now on.
    void set_metrics(Metrics& metrics) { metrics_ = &metrics; }

private:
    void on_notification(const db::Notification& n);
    void start_leading();

    db::Pool& pool_;
    wamp::Client& client_;
    const std::map<std::string, config::NotificationConfig>& channels_;
    config::NotifyPublishers publishers_;
    db::LeaderListenerOptions leadership_;
    std::shared_ptr<db::LeaderListener> leader_;
    db::ObserverId observer_ = 0;
    bool observing_ = false;
    std::uint64_t published_ = 0;
    std::uint64_t withheld_ = 0;
    Metrics* metrics_ = nullptr;
};

}  // namespace pgwamp::service
