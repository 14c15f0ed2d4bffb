#pragma once
// Procedures declared in the config: URI -> SQL with bound arguments, in one
// of three modes (query, operation, interaction). Arguments are checked and
// bound by call_arguments, results shaped by result_shape; this file only
// decides which pool operation runs them.

#include <memory>

#include "config/config.hpp"
#include "db/pool.hpp"
#include "service/call_context.hpp"

namespace pgwamp::service {

void serve_config_procedure(db::Pool& pool, const config::ProcedureConfig& procedure,
                            std::shared_ptr<CallContext> context);

}  // namespace pgwamp::service
