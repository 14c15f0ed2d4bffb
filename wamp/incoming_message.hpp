#pragma once
// Reading a message from the router one field at a time, envelope first.
//
// The payload (Arguments, ArgumentsKw) of an INVOCATION, EVENT, RESULT or call
// ERROR is written by another client, which may be any anonymous visitor, and
// may nest deeper than unpack_limits() allow. Unpacked in one piece, such a
// message failed in one piece: not even its code and request id were left to
// say whom to answer, so the session had to end, and with it every call in
// flight and every registration. Unpacked field by field, the fields before
// the one that cannot be read survive, and the session answers for that one
// message only (Session::on_unreadable).

#include <msgpack.hpp>
#include <string>
#include <string_view>

namespace pgwamp::wamp {

struct IncomingMessage {
    msgpack::zone zone;              // owns what `fields` points to
    msgpack::object_array fields{};  // the fields read, in order; the first is the message code
    std::string unreadable;          // why the field after them could not be read; empty: every field was
};

// Throws session_detail::ProtocolError unless `bytes` are a MessagePack list
// whose first field is a message code (an unsigned integer).
IncomingMessage read_message(std::string_view bytes);

}  // namespace pgwamp::wamp
