#include "service/result_shape.hpp"

#include <string>

#include "service/error_mapping.hpp"

namespace pgwamp::service {
namespace {

Value shape_row(const db::Result& result, std::size_t index, config::RowFormat format) {
    const auto& row = result.rows[index];
    if (format == config::RowFormat::tuples) return Array(row.begin(), row.end());
    Object object;
    object.reserve(row.size());
    for (std::size_t c = 0; c < row.size(); ++c) object.emplace_back(result.columns[c].name, row[c]);
    return object;
}

}  // namespace

Value shape_result(const config::ProcedureConfig& procedure, const db::Result& result) {
    if (procedure.mode == config::Mode::operation) return Null{};
    const auto count = result.rows.size();
    if (count > procedure.max_rows) {
        // Failing beats truncating: a silently cut list looks complete.
        throw ResultRejected(procedure.uri + " returned " + std::to_string(count) +
                             " rows, more than its max_rows " + std::to_string(procedure.max_rows));
    }
    if (procedure.single != config::Single::none && count > 1) {
        throw ResultRejected(procedure.uri + " is declared single but returned " + std::to_string(count) +
                             " rows");
    }
    switch (procedure.single) {
        case config::Single::row:
            return count == 0 ? Value() : shape_row(result, 0, procedure.rows);
        case config::Single::value:
            return count == 0 || result.rows[0].empty() ? Value() : result.rows[0][0];
        case config::Single::none: break;
    }
    Array rows;
    rows.reserve(count);
    for (std::size_t r = 0; r < count; ++r) rows.push_back(shape_row(result, r, procedure.rows));
    return rows;
}

}  // namespace pgwamp::service
