#pragma once
// Value <-> MessagePack, the payload encoding of every WAMP message we
// send or receive. Integers stay integers (int64), bytes stay bytes (bin),
// maps keep their key order.
//
// Incoming data is untrusted: to_value() refuses what Value cannot carry
// (extension types, non-string map keys, unsigned integers above INT64_MAX,
// nesting deeper than max_depth) with a ValueError rather than guessing.

#include <msgpack.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

#include "common/value.hpp"

namespace pgwamp::wamp {

class ValueError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

inline constexpr int max_depth = 64;

class Packer : public msgpack::packer<msgpack::sbuffer> {
public:
    explicit Packer(msgpack::sbuffer& buf) : msgpack::packer<msgpack::sbuffer>(buf), buf_(buf) {}
    // msgpack-c 4.x's pack_double() writes 2.0 as the integer 2; a float8
    // column must reach the browser as a float, so write float64 ourselves.
    void pack_float64(double d);

private:
    msgpack::sbuffer& buf_;
};

void pack(Packer& pk, const Value& value);
void pack(Packer& pk, const Array& array);
void pack(Packer& pk, const Object& object);

Value to_value(const msgpack::object& o, int depth = 0);
Array to_array(const msgpack::object& o);    // o must be an array
Object to_object(const msgpack::object& o);  // o must be a map with string keys

// Whole-buffer helpers (tests, tools).
std::string encode(const Value& value);
Value decode(std::string_view bytes);

// Limits for msgpack::unpack on untrusted input: bounds element counts and
// nesting so a few hostile bytes cannot make us allocate gigabytes.
msgpack::unpack_limit unpack_limits(std::size_t max_message_size);

}  // namespace pgwamp::wamp
