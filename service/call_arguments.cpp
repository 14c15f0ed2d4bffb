#include "service/call_arguments.hpp"

#include <cmath>
#include <optional>
#include <string>

#include "service/error_mapping.hpp"

namespace pgwamp::service {
namespace {

// Checks `value` against the declared type; a JavaScript caller may send an
// integral 3.0 where an integer is declared, which we accept as 3.
// Characters as a caller counts them: UTF-8 continuation bytes are not one.
std::size_t code_points(const std::string& text) {
    std::size_t n = 0;
    for (const char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return n;
}

Value check_type(const config::ArgConfig& arg, Value value) {
    using config::ArgType;
    if (value.is_null() || arg.type == ArgType::any) return value;
    bool ok = false;
    switch (arg.type) {
        case ArgType::string: ok = value.is<std::string>(); break;
        case ArgType::boolean: ok = value.is<bool>(); break;
        case ArgType::number: ok = value.is<std::int64_t>() || value.is<double>(); break;
        case ArgType::array: ok = value.is<Array>(); break;
        case ArgType::object: ok = value.is<Object>(); break;
        case ArgType::integer:
            if (value.is<double>()) {
                const double d = value.as<double>();
                if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 9.0e15) {
                    return Value(static_cast<std::int64_t>(d));
                }
            }
            ok = value.is<std::int64_t>();
            break;
        case ArgType::any: ok = true; break;
    }
    if (!ok) {
        throw InvalidArgument("argument '" + arg.name + "' must be " +
                              std::string(config::to_string(arg.type)) + ", got " +
                              std::string(type_name(value)));
    }
    if (arg.min || arg.max) {
        const double v = value.is<std::int64_t>() ? static_cast<double>(value.as<std::int64_t>()) : value.as<double>();
        if ((arg.min && v < *arg.min) || (arg.max && v > *arg.max) || std::isnan(v)) {
            auto bound = [](double b) {
                return std::trunc(b) == b ? std::to_string(static_cast<std::int64_t>(b)) : std::to_string(b);
            };
            throw InvalidArgument("argument '" + arg.name + "' must be " +
                                  (arg.min && arg.max ? "between " + bound(*arg.min) + " and " + bound(*arg.max)
                                   : arg.min          ? "at least " + bound(*arg.min)
                                                      : "at most " + bound(*arg.max)));
        }
    }
    if (arg.min_length || arg.max_length) {
        const std::size_t length = code_points(value.as<std::string>());
        if ((arg.min_length && length < *arg.min_length) || (arg.max_length && length > *arg.max_length)) {
            auto chars = [](std::size_t n) { return std::to_string(n) + (n == 1 ? " character" : " characters"); };
            throw InvalidArgument("argument '" + arg.name + "' must have " +
                                  (arg.min_length && arg.max_length
                                       ? std::to_string(*arg.min_length) + " to " + chars(*arg.max_length)
                                   : arg.min_length ? "at least " + chars(*arg.min_length)
                                                    : "at most " + chars(*arg.max_length)));
        }
    }
    return value;
}

}  // namespace

Value value_from_json(const nlohmann::json& json) {
    switch (json.type()) {
        case nlohmann::json::value_t::null: return Null{};
        case nlohmann::json::value_t::boolean: return json.get<bool>();
        case nlohmann::json::value_t::number_integer: return json.get<std::int64_t>();
        case nlohmann::json::value_t::number_unsigned: {
            const auto u = json.get<std::uint64_t>();
            if (u > static_cast<std::uint64_t>(INT64_MAX)) return static_cast<double>(u);
            return static_cast<std::int64_t>(u);
        }
        case nlohmann::json::value_t::number_float: return json.get<double>();
        case nlohmann::json::value_t::string: return json.get<std::string>();
        case nlohmann::json::value_t::array: {
            Array out;
            for (const auto& item : json) out.push_back(value_from_json(item));
            return out;
        }
        case nlohmann::json::value_t::object: {
            Object out;
            for (const auto& [key, item] : json.items()) out.emplace_back(key, value_from_json(item));
            return out;
        }
        default: return Null{};
    }
}

std::vector<Value> bind_arguments(const config::ProcedureConfig& procedure, const Array& args,
                                      const Object& kwargs) {
    const auto& declared = procedure.args;
    if (args.size() > declared.size()) {
        throw InvalidArgument(procedure.uri + " takes at most " + std::to_string(declared.size()) +
                              " argument(s), got " + std::to_string(args.size()));
    }
    std::vector<std::optional<Value>> given(declared.size());
    for (std::size_t i = 0; i < args.size(); ++i) given[i] = args[i];

    for (const auto& [name, value] : kwargs) {
        std::size_t index = 0;
        while (index < declared.size() && declared[index].name != name) ++index;
        if (index == declared.size()) {
            throw InvalidArgument(procedure.uri + " has no argument '" + name + "'");
        }
        if (given[index]) {
            throw InvalidArgument("argument '" + name + "' given both by position and by name");
        }
        given[index] = value;
    }

    std::vector<Value> bound;
    bound.reserve(declared.size());
    for (std::size_t i = 0; i < declared.size(); ++i) {
        const auto& arg = declared[i];
        if (!given[i]) {
            if (arg.default_value) {
                given[i] = value_from_json(*arg.default_value);
            } else if (arg.required) {
                throw InvalidArgument("missing argument '" + arg.name + "'");
            } else {
                given[i] = Null{};
            }
        }
        bound.push_back(check_type(arg, std::move(*given[i])));
    }
    return bound;
}

std::vector<Value> statement_params(const config::StatementConfig& statement,
                                        const std::vector<Value>& bound) {
    std::vector<Value> params;
    params.reserve(statement.params.size());
    for (const auto index : statement.params) params.push_back(bound.at(index));
    return params;
}

}  // namespace pgwamp::service
