#pragma once
// Host names in a conninfo, resolved without blocking the event loop.
//
// Given host=<name>, libpq's PQconnectPoll calls getaddrinfo on the calling
// thread: a slow DNS server stalls every call and event of the process. So
// before libpq sees a conninfo, each name in it is resolved through a
// HostResolver (Asio's, on its own thread) and libpq gets hostaddr= for every
// host entry. host= stays, repeated once per address, because libpq still
// needs the name for TLS verification (sslmode=verify-full), ~/.pgpass and
// GSSAPI; trying the entries in order (target_session_attrs, a refused
// address) stays libpq's job, now without any lookup.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "db/host_resolver.hpp"

namespace pgwamp::db {

struct HostResolution {
    std::string conninfo;              // for libpq; unchanged when there was nothing to resolve
    std::vector<std::string> dropped;  // "name (why)" for each name that did not resolve
    std::string error;                 // set when no host is left to try (conninfo is then empty)
    bool ok() const { return error.empty(); }
};

// True when the conninfo names a host that is neither a numeric address, a
// Unix-socket directory nor given a hostaddr= (so libpq would look it up).
// A conninfo libpq cannot parse, or whose host/hostaddr/port lists do not
// match, is left to libpq to refuse with its own message: false. Keywords
// the conninfo leaves out come from PGHOST, PGHOSTADDR and PGPORT, as in
// libpq; a `service=` file is not read.
bool has_host_names(const std::string& conninfo);

// Resolves the conninfo's host names with `resolver` (null: Asio's) and
// calls `done` on `ex` from a handler, never inline. A conninfo with no
// names to resolve does not reach the resolver. A name that does not resolve
// is dropped (and logged); if no host is left, `done` gets an error naming
// each host and why. Every keyword other than host, hostaddr and port is
// kept as given. The conninfo (it may hold a password) is never logged.
void async_resolve_hosts(boost::asio::any_io_executor ex, std::shared_ptr<HostResolver> resolver,
                         const std::string& conninfo, std::function<void(HostResolution)> done);

}  // namespace pgwamp::db
