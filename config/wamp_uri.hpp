#pragma once
// WAMP URI rules for the procedures and topics pgwamp registers/publishes.

#include <optional>
#include <string>
#include <string_view>

namespace pgwamp::config {

// nullopt when `uri` is a valid dotted WAMP URI we may use, else why not.
// Rules (WAMP spec, "loose" URIs): one or more components separated by
// single dots; no empty component, no whitespace, no '#'; the "wamp." and
// "crossbar." prefixes are reserved for the router.
std::optional<std::string> wamp_uri_problem(std::string_view uri);

}  // namespace pgwamp::config
