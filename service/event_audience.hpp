#pragma once
// Who may receive an event about a row (config::EventAudience). The router
// does the filtering (PUBLISH options eligible_authid / exclude_authid): one
// publish per audience, whatever the number of subscribers, and a subscriber
// never sees an event it may not.
//
// The rules, for one row (a change's old or new row, or a NOTIFY's JSON
// object), judged on the whole row before any column is left out:
//   the public flag is true                           -> everyone
//   the owner is a non-empty string/integer           -> that authid only
//   no owner, the public flag is there and not true   -> nobody (but the service)
//   no owner and no public flag (none configured, or
//   a key-only old row under REPLICA IDENTITY DEFAULT) -> everyone
// An UPDATE is judged on its old and its new row (service/row_event_versions.hpp).
//
// The service's own authid is never a browser principal (sign-up and the
// ticket authenticator refuse it: service/reserved_names.hpp), which is what
// makes it safe for the service's other processes to hear private events.

#include <optional>
#include <string>
#include <vector>

#include "common/value.hpp"
#include "config/config.hpp"

namespace pgwamp::service {

class Audience {
public:
    enum class Kind { everyone, only, all_but, nobody };

    static Audience everyone() { return {Kind::everyone, {}}; }
    static Audience only(std::string authid) { return {Kind::only, std::move(authid)}; }
    static Audience all_but(std::string authid) { return {Kind::all_but, std::move(authid)}; }
    static Audience nobody() { return {Kind::nobody, {}}; }

    Kind kind() const { return kind_; }
    const std::string& authid() const { return authid_; }  // for only and all_but
    bool admits(const std::string& caller_authid) const;
    bool operator==(const Audience&) const = default;

    // Who is in both; who is in this one and not in `other`.
    Audience intersect(const Audience& other) const;
    Audience minus(const Audience& other) const;

    // "everyone", "only:alice", "all_but:alice", "nobody": for logs and tests.
    std::string describe() const;

private:
    Audience(Kind kind, std::string authid) : kind_(kind), authid_(std::move(authid)) {}
    Kind kind_;
    std::string authid_;
};

// Who may see `row` (an Object; anything else: everyone).
Audience audience_of(const config::EventAudience& audience, const Value& row);
Audience audience_of(const config::EventAudience& audience, const Object& row);

}  // namespace pgwamp::service
