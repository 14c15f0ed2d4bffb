#pragma once
// Turns a WAMP call's positional args and kwargs into the values bound to a
// config-declared procedure's SQL placeholders. The caller never sends SQL:
// only values, checked against the declared names and types.

#include <vector>

#include "common/value.hpp"
#include "config/config.hpp"

namespace pgwamp::service {

// One value per declared argument, in declaration order. Positional args fill
// the first declared names, kwargs fill by name; defaults fill the rest.
// Throws InvalidArgument naming the argument and what was wrong.
std::vector<Value> bind_arguments(const config::ProcedureConfig& procedure, const Array& args,
                                      const Object& kwargs);

// The parameters of one statement ($1..$n), picked from the bound arguments.
std::vector<Value> statement_params(const config::StatementConfig& statement,
                                        const std::vector<Value>& bound);

// JSON (config defaults) to a Value.
Value value_from_json(const nlohmann::json& json);

}  // namespace pgwamp::service
