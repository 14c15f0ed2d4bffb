#pragma once
// What each recipient of a row change may receive, as the router will be
// asked to deliver it. An UPDATE is judged on its old row and its new one:
//   may see both      -> the update as it happened
//   may see old only  -> a delete (the row left their view; their copy goes)
//   may see new only  -> an insert with no old row (the private past stays private)
//   may see neither   -> nothing
// Inserts go by the new row, deletes by the old one, a truncate to everyone.
// Without an old row (an UPDATE under REPLICA IDENTITY DEFAULT that kept the
// key) the old audience is taken to be the new one: tables with an audience
// need REPLICA IDENTITY FULL for visibility changes to reach everyone
// (docs/security.md).

#include <optional>
#include <string>
#include <vector>

#include "service/event_audience.hpp"
#include "wamp/types.hpp"

namespace pgwamp::service {

struct RowEventVersion {
    std::string op;         // "insert", "update", "delete" or "truncate" as this audience sees it
    bool with_old = false;  // carries the old row (else old is null)
    bool with_new = false;  // carries the new row (else new is null)
    Audience to = Audience::everyone();
};

// The versions of one change, never one whose audience is nobody.
std::vector<RowEventVersion> row_event_versions(const std::string& op, const Audience& old_row,
                                                const Audience& new_row);

// The one version `caller_authid` receives, if any (replay uses the same rule).
std::optional<RowEventVersion> row_event_version_for(const std::string& op, const Audience& old_row,
                                                     const Audience& new_row, const std::string& caller_authid);

// The event `version` makes of a change's whole kwargs {op, table, new, old, ...}.
Object version_kwargs(const Object& change, const RowEventVersion& version);

// What to publish for one change of a table with an audience: each version
// to its audience, and the whole change to the service's own principal only
// (its other processes keep the replay history from it) with the two
// audiences under "audience" (see audiences_of_service_copy). The versions
// leave the service out, so it hears each change once. All acknowledged.
struct Publication {
    Object kwargs;
    wamp::PublishOptions options;
};
std::vector<Publication> row_event_publications(const Object& change, const Audience& old_row,
                                                const Audience& new_row, const std::string& service_authid);

// The audiences a service copy carries; nullopt for an event that is not one.
struct RowAudiences {
    Audience old_row;
    Audience new_row;
};
std::optional<RowAudiences> audiences_of_service_copy(const Object& event);

}  // namespace pgwamp::service
