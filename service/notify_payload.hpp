#pragma once
// What the notify procedure sends on a JSON channel: the caller's object with
// the caller's authid stamped in (service/notification_bridge.hpp).

#include <string>

#include "common/value.hpp"
#include "config/config.hpp"

namespace pgwamp::service {

// `payload` is an object or its JSON text (else InvalidArgument). The
// caller's authid replaces whatever the payload claims in the audience's
// owner field, or in "sent_by" on a channel without an audience; a channel
// with an audience refuses a caller the router does not name (NotAuthorized).
Object signed_notify_payload(const config::NotificationConfig& route, const Value& payload,
                             const std::string& caller_authid);

}  // namespace pgwamp::service
