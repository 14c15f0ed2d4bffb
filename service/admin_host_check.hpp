#pragma once
// Which Host headers the admin listener answers. A web page on an attacker's
// domain can make a browser on the operator's machine send requests to
// 127.0.0.1:8089 by re-pointing its own name there (DNS rebinding); the
// request then carries the attacker's name in Host. Answering only requests
// addressed to an IP literal, "localhost", or a name the operator listed
// (admin.allowed_hosts) keeps /metrics and /ready from such pages.

#include <string>
#include <string_view>
#include <vector>

namespace pgwamp::service {

// `host`: the Host header as sent ("127.0.0.1:8089", "[::1]:8089",
// "localhost", "evil.example:8089"); empty (HTTP/1.0 without Host) is allowed.
// Names are compared without case.
bool admin_host_allowed(std::string_view host, const std::vector<std::string>& allowed_names);

}  // namespace pgwamp::service
