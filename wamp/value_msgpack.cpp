#include "wamp/value_msgpack.hpp"

#include <cstdint>
#include <cstring>
#include <limits>

namespace pgwamp::wamp {

void Packer::pack_float64(double d) {
    std::uint64_t bits;
    std::memcpy(&bits, &d, sizeof bits);
    char out[9];
    out[0] = static_cast<char>(0xcb);
    for (int i = 0; i < 8; ++i) out[1 + i] = static_cast<char>(bits >> (56 - 8 * i));
    buf_.write(out, sizeof out);
}

void pack(Packer& pk, const Array& array) {
    pk.pack_array(static_cast<std::uint32_t>(array.size()));
    for (const auto& v : array) pack(pk, v);
}

void pack(Packer& pk, const Object& object) {
    pk.pack_map(static_cast<std::uint32_t>(object.size()));
    for (const auto& [key, v] : object) {
        pk.pack_str(static_cast<std::uint32_t>(key.size()));
        pk.pack_str_body(key.data(), static_cast<std::uint32_t>(key.size()));
        pack(pk, v);
    }
}

void pack(Packer& pk, const Value& value) {
    struct Visitor {
        Packer& pk;
        void operator()(Null) { pk.pack_nil(); }
        void operator()(bool b) { b ? pk.pack_true() : pk.pack_false(); }
        void operator()(std::int64_t i) { pk.pack_int64(i); }
        void operator()(double d) { pk.pack_float64(d); }
        void operator()(const std::string& s) {
            pk.pack_str(static_cast<std::uint32_t>(s.size()));
            pk.pack_str_body(s.data(), static_cast<std::uint32_t>(s.size()));
        }
        void operator()(const Bytes& b) {
            pk.pack_bin(static_cast<std::uint32_t>(b.size()));
            pk.pack_bin_body(reinterpret_cast<const char*>(b.data()), static_cast<std::uint32_t>(b.size()));
        }
        void operator()(const Array& a) { pack(pk, a); }
        void operator()(const Object& o) { pack(pk, o); }
    };
    std::visit(Visitor{pk}, value.data);
}

namespace {

Array array_of(const msgpack::object& o, int depth) {
    Array out;
    out.reserve(o.via.array.size);
    for (std::uint32_t i = 0; i < o.via.array.size; ++i) out.push_back(to_value(o.via.array.ptr[i], depth + 1));
    return out;
}

Object object_of(const msgpack::object& o, int depth) {
    Object out;
    out.reserve(o.via.map.size);
    for (std::uint32_t i = 0; i < o.via.map.size; ++i) {
        const auto& kv = o.via.map.ptr[i];
        if (kv.key.type != msgpack::type::STR) throw ValueError("map key is not a string");
        out.emplace_back(std::string(kv.key.via.str.ptr, kv.key.via.str.size), to_value(kv.val, depth + 1));
    }
    return out;
}

}  // namespace

Value to_value(const msgpack::object& o, int depth) {
    if (depth > max_depth) throw ValueError("nested deeper than " + std::to_string(max_depth) + " levels");
    switch (o.type) {
        case msgpack::type::NIL: return Null{};
        case msgpack::type::BOOLEAN: return o.via.boolean;
        case msgpack::type::POSITIVE_INTEGER:
            if (o.via.u64 > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
                throw ValueError("unsigned integer above the int64 range");
            }
            return static_cast<std::int64_t>(o.via.u64);
        case msgpack::type::NEGATIVE_INTEGER: return o.via.i64;
        case msgpack::type::FLOAT32:
        case msgpack::type::FLOAT64: return o.via.f64;
        case msgpack::type::STR: return std::string(o.via.str.ptr, o.via.str.size);
        case msgpack::type::BIN: {
            auto p = reinterpret_cast<const std::uint8_t*>(o.via.bin.ptr);
            return Bytes(p, p + o.via.bin.size);
        }
        case msgpack::type::ARRAY: return array_of(o, depth);
        case msgpack::type::MAP: return object_of(o, depth);
        default: throw ValueError("MessagePack extension types are not supported");
    }
}

Array to_array(const msgpack::object& o) {
    if (o.type != msgpack::type::ARRAY) throw ValueError("expected a list");
    return array_of(o, 0);
}

Object to_object(const msgpack::object& o) {
    if (o.type != msgpack::type::MAP) throw ValueError("expected a dictionary");
    return object_of(o, 0);
}

std::string encode(const Value& value) {
    msgpack::sbuffer buf;
    Packer pk(buf);
    pack(pk, value);
    return std::string(buf.data(), buf.size());
}

msgpack::unpack_limit unpack_limits(std::size_t max_message_size) {
    // No element can be smaller than one octet, so a message of N octets
    // holds at most N elements; depth is bounded separately.
    auto n = max_message_size;
    return msgpack::unpack_limit(n, n, n, n, n, max_depth + 8);
}

Value decode(std::string_view bytes) {
    try {
        auto handle = msgpack::unpack(bytes.data(), bytes.size(), nullptr, nullptr,
                                      unpack_limits(bytes.size()));
        return to_value(handle.get());
    } catch (const ValueError&) {
        throw;
    } catch (const std::exception& e) {
        throw ValueError(std::string("malformed MessagePack: ") + e.what());
    }
}

}  // namespace pgwamp::wamp
