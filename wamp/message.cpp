#include "wamp/message.hpp"

#include "wamp/value_msgpack.hpp"

namespace pgwamp::wamp::message {
namespace {

void str(Packer& pk, const std::string& s) {
    pk.pack_str(static_cast<std::uint32_t>(s.size()));
    pk.pack_str_body(s.data(), static_cast<std::uint32_t>(s.size()));
}

void empty_map(Packer& pk) { pk.pack_map(0); }

std::string bytes(const msgpack::sbuffer& buf) { return std::string(buf.data(), buf.size()); }

// Args and kwargs are always sent, even when empty: simpler, and every router accepts it.
void payload(Packer& pk, const Array& args, const Object& kwargs) {
    pack(pk, args);
    pack(pk, kwargs);
}

void features(Packer& pk, std::initializer_list<const char*> names) {
    pk.pack_map(1);
    str(pk, "features");
    pk.pack_map(static_cast<std::uint32_t>(names.size()));
    for (const char* n : names) {
        str(pk, n);
        pk.pack_true();
    }
}

}  // namespace

std::string encode_hello(const std::string& realm, const std::string& authid,
                         const std::vector<std::string>& authmethods) {
    msgpack::sbuffer buf;
    Packer pk(buf);
    pk.pack_array(3);
    pk.pack_uint64(hello);
    str(pk, realm);
    pk.pack_map(authid.empty() ? 2 : 3);
    str(pk, "roles");
    pk.pack_map(4);
    str(pk, "caller");
    features(pk, {"call_canceling", "call_timeout"});
    str(pk, "callee");
    features(pk, {"call_canceling", "call_timeout", "shared_registration"});
    str(pk, "publisher");
    empty_map(pk);
    str(pk, "subscriber");
    empty_map(pk);
    str(pk, "authmethods");
    pk.pack_array(static_cast<std::uint32_t>(authmethods.size()));
    for (const auto& m : authmethods) str(pk, m);
    if (!authid.empty()) {
        str(pk, "authid");
        str(pk, authid);
    }
    return bytes(buf);
}

std::string encode_authenticate(const std::string& signature) {
    msgpack::sbuffer buf;
    Packer pk(buf);
    pk.pack_array(3);
    pk.pack_uint64(authenticate);
    str(pk, signature);
    empty_map(pk);
    return bytes(buf);
}

std::string encode_goodbye(const std::string& reason) {
    msgpack::sbuffer buf;
    Packer pk(buf);
    pk.pack_array(3);
    pk.pack_uint64(goodbye);
    empty_map(pk);
    str(pk, reason);
    return bytes(buf);
}

std::string encode_call(std::uint64_t request, const std::string& procedure, const Array& args,
                        const Object& kwargs, std::uint64_t timeout_ms, bool receive_progress) {
    msgpack::sbuffer buf;
    Packer pk(buf);
    pk.pack_array(6);
    pk.pack_uint64(call);
    pk.pack_uint64(request);
    pk.pack_map((timeout_ms > 0 ? 1 : 0) + (receive_progress ? 1 : 0));
    if (timeout_ms > 0) {
        str(pk, "timeout");
        pk.pack_uint64(timeout_ms);
    }
    if (receive_progress) {
        str(pk, "receive_progress");
        pk.pack_true();
    }
    str(pk, procedure);
    payload(pk, args, kwargs);
    return bytes(buf);
}

std::string encode_cancel(std::uint64_t request, const std::string& mode) {
    msgpack::sbuffer buf;
    Packer pk(buf);
    pk.pack_array(3);
    pk.pack_uint64(cancel);
    pk.pack_uint64(request);
    pk.pack_map(1);
    str(pk, "mode");
    str(pk, mode);
    return bytes(buf);
}

std::string encode_register(std::uint64_t request, const std::string& procedure, const std::string& invoke) {
    msgpack::sbuffer buf;
    Packer pk(buf);
    pk.pack_array(4);
    pk.pack_uint64(register_);
    pk.pack_uint64(request);
    pk.pack_map(1);
    str(pk, "invoke");
    str(pk, invoke);
    str(pk, procedure);
    return bytes(buf);
}

std::string encode_unregister(std::uint64_t request, std::uint64_t registration) {
    msgpack::sbuffer buf;
    Packer pk(buf);
    pk.pack_array(3);
    pk.pack_uint64(unregister);
    pk.pack_uint64(request);
    pk.pack_uint64(registration);
    return bytes(buf);
}

std::string encode_subscribe(std::uint64_t request, const std::string& topic) {
    msgpack::sbuffer buf;
    Packer pk(buf);
    pk.pack_array(4);
    pk.pack_uint64(subscribe);
    pk.pack_uint64(request);
    empty_map(pk);
    str(pk, topic);
    return bytes(buf);
}

std::string encode_publish(std::uint64_t request, const std::string& topic, const Array& args,
                           const Object& kwargs, bool acknowledge, const std::vector<std::string>& eligible_authid,
                           const std::vector<std::string>& exclude_authid) {
    msgpack::sbuffer buf;
    Packer pk(buf);
    pk.pack_array(6);
    pk.pack_uint64(publish);
    pk.pack_uint64(request);
    pk.pack_map((acknowledge ? 1 : 0) + (eligible_authid.empty() ? 0 : 1) + (exclude_authid.empty() ? 0 : 1));
    if (acknowledge) {
        str(pk, "acknowledge");
        pk.pack_true();
    }
    if (!eligible_authid.empty()) {
        str(pk, "eligible_authid");
        pk.pack_array(static_cast<std::uint32_t>(eligible_authid.size()));
        for (const auto& authid : eligible_authid) str(pk, authid);
    }
    if (!exclude_authid.empty()) {
        str(pk, "exclude_authid");
        pk.pack_array(static_cast<std::uint32_t>(exclude_authid.size()));
        for (const auto& authid : exclude_authid) str(pk, authid);
    }
    str(pk, topic);
    payload(pk, args, kwargs);
    return bytes(buf);
}

std::string encode_yield(std::uint64_t request, const Array& args, const Object& kwargs, bool progress) {
    msgpack::sbuffer buf;
    Packer pk(buf);
    pk.pack_array(5);
    pk.pack_uint64(yield);
    pk.pack_uint64(request);
    if (progress) {
        pk.pack_map(1);
        str(pk, "progress");
        pk.pack_true();
    } else {
        empty_map(pk);
    }
    payload(pk, args, kwargs);
    return bytes(buf);
}

std::string encode_invocation_error(std::uint64_t request, const std::string& uri, const Array& args,
                                    const Object& kwargs) {
    msgpack::sbuffer buf;
    Packer pk(buf);
    pk.pack_array(7);
    pk.pack_uint64(error);
    pk.pack_uint64(invocation);
    pk.pack_uint64(request);
    empty_map(pk);
    str(pk, uri);
    payload(pk, args, kwargs);
    return bytes(buf);
}

}  // namespace pgwamp::wamp::message
