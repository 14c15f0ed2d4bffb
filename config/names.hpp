#pragma once
// Internal to config/: the words the config file uses for each enum, in one
// place, so parsing and to_string() cannot disagree.

#include <array>

#include "config/config.hpp"
#include "config/node.hpp"

namespace pgwamp::config::detail {

inline constexpr std::array<Choice<AuthMethod>, 3> auth_methods{{
    {"anonymous", AuthMethod::anonymous}, {"ticket", AuthMethod::ticket}, {"wampcra", AuthMethod::wampcra}}};

inline constexpr std::array<Choice<Mode>, 3> modes{{
    {"query", Mode::query}, {"operation", Mode::operation}, {"interaction", Mode::interaction}}};

inline constexpr std::array<Choice<RowFormat>, 2> row_formats{{
    {"maps", RowFormat::maps}, {"tuples", RowFormat::tuples}}};

inline constexpr std::array<Choice<Single>, 2> singles{{{"row", Single::row}, {"value", Single::value}}};

inline constexpr std::array<Choice<ArgType>, 7> arg_types{{
    {"any", ArgType::any}, {"string", ArgType::string}, {"int", ArgType::integer},
    {"number", ArgType::number}, {"bool", ArgType::boolean}, {"object", ArgType::object},
    {"array", ArgType::array}}};

inline constexpr std::array<Choice<PayloadFormat>, 2> payload_formats{{
    {"json", PayloadFormat::json}, {"text", PayloadFormat::text}}};

inline constexpr std::array<Choice<SqlErrorText>, 2> sql_error_texts{{{"code", SqlErrorText::code},
                                                                     {"full", SqlErrorText::full}}};
inline constexpr std::array<Choice<LogLevel>, 7> log_levels{{
    {"trace", LogLevel::trace}, {"debug", LogLevel::debug}, {"info", LogLevel::info},
    {"warn", LogLevel::warn}, {"error", LogLevel::error}, {"critical", LogLevel::critical},
    {"off", LogLevel::off}}};

inline constexpr std::array<Choice<InvokePolicy>, 5> invoke_policies{{
    {"single", InvokePolicy::single}, {"roundrobin", InvokePolicy::roundrobin},
    {"random", InvokePolicy::random}, {"first", InvokePolicy::first}, {"last", InvokePolicy::last}}};

inline constexpr std::array<Choice<NotifyPublishers>, 2> notify_publishers{{
    {"one", NotifyPublishers::one}, {"every", NotifyPublishers::every}}};

}  // namespace pgwamp::config::detail
