#pragma once
// Helpers shared by the Session's source files (session.cpp: join, caller,
// pub/sub; session_callee.cpp: invocations and interrupts): reading fields
// of incoming messages, which throws ProtocolError when a field is missing or
// of the wrong type, and calling user callbacks without letting them throw
// into our message handler.

#include <msgpack.hpp>
#include <functional>
#include <type_traits>
#include <spdlog/spdlog.h>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

#include "wamp/error.hpp"
#include "wamp/value_msgpack.hpp"

namespace pgwamp::wamp::session_detail {

struct ProtocolError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

inline std::uint64_t id_at(const msgpack::object_array& m, std::uint32_t i, const char* what) {
    if (i >= m.size || m.ptr[i].type != msgpack::type::POSITIVE_INTEGER) {
        throw ProtocolError(std::string(what) + " must be an id");
    }
    return m.ptr[i].via.u64;
}

inline std::string str_at(const msgpack::object_array& m, std::uint32_t i, const char* what) {
    if (i >= m.size || m.ptr[i].type != msgpack::type::STR) throw ProtocolError(std::string(what) + " must be a string");
    return std::string(m.ptr[i].via.str.ptr, m.ptr[i].via.str.size);
}

inline const msgpack::object& map_at(const msgpack::object_array& m, std::uint32_t i, const char* what) {
    if (i >= m.size || m.ptr[i].type != msgpack::type::MAP) throw ProtocolError(std::string(what) + " must be a dict");
    return m.ptr[i];
}

inline Array args_at(const msgpack::object_array& m, std::uint32_t i) { return i < m.size ? to_array(m.ptr[i]) : Array{}; }
inline Object kwargs_at(const msgpack::object_array& m, std::uint32_t i) {
    return i < m.size ? to_object(m.ptr[i]) : Object{};
}

// nullptr too when `map` is not a map: options and details come from the peer.
inline const msgpack::object* find_key(const msgpack::object& map, std::string_view key) {
    if (map.type != msgpack::type::MAP) return nullptr;
    for (std::uint32_t i = 0; i < map.via.map.size; ++i) {
        const auto& kv = map.via.map.ptr[i];
        if (kv.key.type == msgpack::type::STR && std::string_view(kv.key.via.str.ptr, kv.key.via.str.size) == key) {
            return &kv.val;
        }
    }
    return nullptr;
}

// A pending request's completion, moved out: the handler itself, or the
// `done` of a pending register or subscribe.
template <class Signature>
std::function<Signature> completion_of(std::function<Signature>& handler) {
    return std::move(handler);
}
template <class Pending>
auto completion_of(Pending& pending) -> std::decay_t<decltype(pending.done)> {
    return std::move(pending.done);
}

// Ends the pending request `request` (an answer or an error ends it once):
// its completion, or an empty one when it is not pending (e.g. failed locally).
template <class Map>
auto take_pending(Map& pending, std::uint64_t request) {
    auto it = pending.find(request);
    decltype(completion_of(it->second)) done{};
    if (it == pending.end()) return done;
    done = completion_of(it->second);
    pending.erase(it);
    return done;
}

inline std::string string_in(const msgpack::object& map, std::string_view key) {
    auto v = find_key(map, key);
    if (!v || v->type != msgpack::type::STR) return {};
    return std::string(v->via.str.ptr, v->via.str.size);
}

inline std::exception_ptr call_error(std::string uri, Array args = {}, Object kwargs = {}) {
    return std::make_exception_ptr(CallError(std::move(uri), std::move(args), std::move(kwargs)));
}

// User callbacks run inside our message handler: one that throws must not
// be mistaken for a malformed message and end the session.
template <class F, class... Args>
void guarded(const char* what, F& f, Args&&... args) {
    try {
        f(std::forward<Args>(args)...);
    } catch (const std::exception& e) {
        spdlog::error("event=handler_threw handler=\"{}\" error=\"{}\"", what, e.what());
    } catch (...) {
        spdlog::error("event=handler_threw handler=\"{}\"", what);
    }
}

inline std::exception_ptr local_error(std::error_code ec) { return call_error(uri_for(ec), {ec.message()}); }

}  // namespace pgwamp::wamp::session_detail
