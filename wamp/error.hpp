#pragma once
// Errors of the WAMP layer. Local failures (queue full, message too large,
// connection lost) are std::error_code values in our own category; what a
// router or a remote callee said comes back as a CallError that keeps the
// WAMP error URI and its payload apart.

#include <stdexcept>
#include <string>
#include <system_error>

#include "common/error_uris.hpp"
#include "common/value.hpp"
#include "wamp/errc.hpp"

namespace pgwamp::wamp {

// Error URIs we use for failures that happen on our side of a call, so a call
// handler only ever needs to look at CallError::uri: the WAMP spec's own here,
// ours (not joined, lost mid-call, send queue full) from common/error_uris.hpp.
namespace uri {
inline constexpr const char* payload_size_exceeded = "wamp.error.payload_size_exceeded";
inline constexpr const char* canceled = "wamp.error.canceled";
inline constexpr const char* invalid_argument = "wamp.error.invalid_argument";
inline constexpr const char* not_authorized = "wamp.error.not_authorized";
inline constexpr const char* runtime_error = "wamp.error.runtime_error";
}  // namespace uri

// The outcome of a failed call: the error URI plus the args/kwargs that came
// with it. what() is the URI (and the first string argument when there is one).
class CallError : public std::runtime_error {
public:
    CallError(std::string uri, Array args = {}, Object kwargs = {});

    const std::string& uri() const noexcept { return uri_; }
    const Array& args() const noexcept { return args_; }
    const Object& kwargs() const noexcept { return kwargs_; }

private:
    std::string uri_;
    Array args_;
    Object kwargs_;
};

// Maps a local error_code to the URI a call handler sees.
const char* uri_for(std::error_code ec);

}  // namespace pgwamp::wamp
