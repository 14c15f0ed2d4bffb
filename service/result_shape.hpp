#pragma once
// Shapes a statement's rows into what a config-declared procedure returns:
// a list of maps or tuples, a single row, or a single value.

#include "config/config.hpp"
#include "pg/result.hpp"

namespace pgwamp::service {

// Throws ResultRejected when the rows exceed max_rows, or when `single`
// was declared and more than one row came back.
Value shape_result(const config::ProcedureConfig& procedure, const db::Result& result);

}  // namespace pgwamp::service
