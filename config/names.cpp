#include "config/names.hpp"

namespace pgwamp::config {

namespace {
template <class E, std::size_t N>
std::string_view name_in(const std::array<detail::Choice<E>, N>& choices, E v) noexcept {
    for (const auto& c : choices)
        if (c.value == v) return c.name;
    return "?";
}
}  // namespace

std::string_view to_string(TransportKind v) noexcept {
    return v == TransportKind::websocket ? "websocket" : "rawsocket";
}
std::string_view to_string(AuthMethod v) noexcept { return name_in(detail::auth_methods, v); }
std::string_view to_string(Mode v) noexcept { return name_in(detail::modes, v); }
std::string_view to_string(RowFormat v) noexcept { return name_in(detail::row_formats, v); }
std::string_view to_string(Single v) noexcept {
    return v == Single::none ? "none" : name_in(detail::singles, v);
}
std::string_view to_string(ArgType v) noexcept { return name_in(detail::arg_types, v); }
std::string_view to_string(PayloadFormat v) noexcept { return name_in(detail::payload_formats, v); }
std::string_view to_string(LogLevel v) noexcept { return name_in(detail::log_levels, v); }
std::string_view to_string(InvokePolicy v) noexcept { return name_in(detail::invoke_policies, v); }
std::string_view to_string(NotifyPublishers v) noexcept { return name_in(detail::notify_publishers, v); }

bool arg_type_accepts(ArgType t, const nlohmann::json& value) noexcept {
    if (value.is_null()) return true;
    switch (t) {
        case ArgType::any: return true;
        case ArgType::string: return value.is_string();
        case ArgType::integer: return value.is_number_integer();
        case ArgType::number: return value.is_number();
        case ArgType::boolean: return value.is_boolean();
        case ArgType::object: return value.is_object();
        case ArgType::array: return value.is_array();
    }
    return false;
}

}  // namespace pgwamp::config
