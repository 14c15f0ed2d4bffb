#pragma once
// Who may receive an event about a row (config::EventAudience): everyone, or
// only the row's owner. The router does the filtering (PUBLISH option
// eligible_authid): one publish per change, whatever the number of
// subscribers, and a subscriber never sees an event it may not.
//
// The rules, for a row (a change's new row, or its old one for a delete, or
// a NOTIFY's JSON object):
//   the public flag is true                  -> everyone
//   the owner is a non-empty string/integer  -> that authid only
//   no owner (null, absent)                  -> everyone (nobody owns it)
// A delete whose old row has only the key (REPLICA IDENTITY DEFAULT) has no
// owner: everyone learns that key went away. REPLICA IDENTITY FULL keeps
// the owner in old, so the delete goes to the owner only.

#include <optional>
#include <string>
#include <vector>

#include "common/value.hpp"
#include "config/config.hpp"

namespace pgwamp::service {

// The owner's authid when only they may receive it; nullopt: everyone.
std::optional<std::string> restricted_to(const config::EventAudience& audience, const Value& row);
// For a row change: the new row, or the old one when there is no new (delete).
std::optional<std::string> restricted_to(const config::EventAudience& audience, const Value& new_row,
                                         const Value& old_row);

// The eligible_authid list to publish with: the owner and the service's own
// principal (its other processes keep the replay history from what they
// hear). Empty: everyone.
std::vector<std::string> eligible_authids(const std::optional<std::string>& owner, const std::string& service_authid);

// May the caller see an event restricted to `owner`? Everyone may see an unrestricted one.
bool may_see(const std::optional<std::string>& owner, const std::string& caller_authid);

}  // namespace pgwamp::service
