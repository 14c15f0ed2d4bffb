#include "pg/pg_result.hpp"

#include <charconv>
#include <string_view>

#include "pg/casts.hpp"
#include "pg/error.hpp"

namespace pgwamp::db {
namespace {

std::string field(const PGresult* res, int code) {
    const char* s = PQresultErrorField(res, code);
    return s ? s : "";
}

[[noreturn]] void throw_result_error(const PGresult* res) {
    ExecStatusType status = PQresultStatus(res);
    // The server's words only: with none, the status names the problem below.
    Diagnostics d{field(res, PG_DIAG_SQLSTATE), field(res, PG_DIAG_MESSAGE_PRIMARY),
                  field(res, PG_DIAG_MESSAGE_DETAIL), field(res, PG_DIAG_MESSAGE_HINT)};
    std::string what = d.message.empty() ? std::string("unexpected result status ") +
                                               PQresStatus(status)
                                         : d.message;
    throw Error(make_error_code(Errc::sql_error), std::move(what), std::move(d));
}

std::uint64_t affected_rows(const PGresult* res) {
    // PQcmdTuples takes a non-const PGresult* in older libpq headers.
    std::string_view s = PQcmdTuples(const_cast<PGresult*>(res));
    std::uint64_t n = 0;
    std::from_chars(s.data(), s.data() + s.size(), n);  // "" (no count) leaves 0
    return n;
}

Value cell(const PGresult* res, int row, int col, Oid type, const TypeRegistry& types) {
    if (PQgetisnull(res, row, col)) return Null{};
    const char* data = PQgetvalue(res, row, col);
    auto len = static_cast<std::size_t>(PQgetlength(res, row, col));
    if (PQfformat(res, col) == 0) return types.cast(type, std::string_view(data, len));
    if (type == pg_type::bytea) return Bytes(data, data + len);
    throw_bad_value("column " + std::to_string(col + 1) + " (type OID " + std::to_string(type) +
                    ") is in binary format; only bytea may be requested in binary");
}

// Where each column lands in a row object: duplicates of a name share the
// slot of its first occurrence (a dict's behaviour: last value wins).
std::vector<std::size_t> map_slots(const std::vector<Column>& columns,
                                   std::vector<std::string>& keys) {
    std::vector<std::size_t> slot(columns.size());
    for (std::size_t c = 0; c < columns.size(); ++c) {
        std::size_t k = 0;
        while (k < keys.size() && keys[k] != columns[c].name) ++k;
        if (k == keys.size()) keys.push_back(columns[c].name);
        slot[c] = k;
    }
    return slot;
}

// Shared by the copying and the moving versions: Row is a const or a
// non-const row, and take() copies or moves a Value out of it.
template <class Rows, class Take>
Array as_maps(const std::vector<Column>& columns, Rows& rows, Take take) {
    std::vector<std::string> keys;
    std::vector<std::size_t> slot = map_slots(columns, keys);
    Array out;
    out.reserve(rows.size());
    for (auto& row : rows) {
        Object object;
        object.reserve(keys.size());
        for (const auto& key : keys) object.emplace_back(key, Null{});
        for (std::size_t c = 0; c < row.size() && c < slot.size(); ++c) {
            object[slot[c]].second = take(row[c]);
        }
        out.emplace_back(std::move(object));
    }
    return out;
}

}  // namespace

std::string trimmed_message(const char* text) {
    std::string s = text ? text : "";
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

Diagnostics server_diagnostics(const PGresult* res) {
    Diagnostics d{field(res, PG_DIAG_SQLSTATE), field(res, PG_DIAG_MESSAGE_PRIMARY),
                  field(res, PG_DIAG_MESSAGE_DETAIL), field(res, PG_DIAG_MESSAGE_HINT)};
    if (d.message.empty()) d.message = trimmed_message(PQresultErrorMessage(res));
    return d;
}

Array Result::rows_as_tuples() const& {
    Array out;
    out.reserve(rows.size());
    for (const auto& row : rows) out.emplace_back(Array(row.begin(), row.end()));
    return out;
}

Array Result::rows_as_tuples() && {
    Array out;
    out.reserve(rows.size());
    for (auto& row : rows) out.emplace_back(Array(std::move(row)));
    rows.clear();
    return out;
}

Array Result::rows_as_maps() const& {
    return as_maps(columns, rows, [](const Value& v) { return v; });
}

Array Result::rows_as_maps() && {
    Array out = as_maps(columns, rows, [](Value& v) { return std::move(v); });
    rows.clear();
    return out;
}

Result make_result(const PGresult* res, const TypeRegistry& types) {
    if (res == nullptr) throw_bad_value("make_result: no result (nullptr)");
    switch (PQresultStatus(res)) {
        case PGRES_TUPLES_OK:
        case PGRES_SINGLE_TUPLE:
        case PGRES_COMMAND_OK:
        case PGRES_EMPTY_QUERY: break;
        default: throw_result_error(res);
    }
    Result out;
    const int ncols = PQnfields(res);
    const int nrows = PQntuples(res);
    out.columns.reserve(ncols);
    for (int c = 0; c < ncols; ++c) out.columns.push_back({PQfname(res, c), PQftype(res, c)});
    out.rows.reserve(nrows);
    for (int r = 0; r < nrows; ++r) {
        std::vector<Value> row;
        row.reserve(ncols);
        for (int c = 0; c < ncols; ++c) row.push_back(cell(res, r, c, out.columns[c].type, types));
        out.rows.push_back(std::move(row));
    }
    out.affected_rows = affected_rows(res);
    return out;
}

}  // namespace pgwamp::db
