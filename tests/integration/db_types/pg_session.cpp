#include "pg_session.hpp"

#include <stdexcept>

#include "pg/params.hpp"
#include "pg/pg_result.hpp"
#include "tests/support/postgres_cluster.hpp"

namespace pgwamp::test {

PgSession::PgSession(const std::string& options)
    : conn_(PQconnectdb(
                (PostgresCluster::shared().conninfo() + " options='" + options + "'").c_str()),
            &PQfinish) {
    if (PQstatus(conn_.get()) != CONNECTION_OK) {
        throw std::runtime_error(std::string("connect: ") + PQerrorMessage(conn_.get()));
    }
}

PgSession::ResultPtr PgSession::exec(const std::string& sql, const std::vector<Value>& params) {
    db::BoundParams p = db::bind_params(params);
    return ResultPtr(PQexecParams(conn_.get(), sql.c_str(), p.size(), p.types.data(),
                                  p.values.data(), p.lengths.data(), p.formats.data(), 0),
                     &PQclear);
}

db::Result PgSession::query(const std::string& sql, const std::vector<Value>& params) {
    ResultPtr res = exec(sql, params);
    auto status = PQresultStatus(res.get());
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        const char* state = PQresultErrorField(res.get(), PG_DIAG_SQLSTATE);
        throw std::runtime_error(sql + ": [" + (state ? state : "") + "] " +
                                 PQresultErrorMessage(res.get()));
    }
    return db::make_result(res.get(), *types_);
}

Value PgSession::value(const std::string& sql, const std::vector<Value>& params) {
    db::Result r = query(sql, params);
    if (r.rows.size() != 1 || r.rows[0].size() != 1) {
        throw std::runtime_error(sql + ": expected one row with one column");
    }
    return r.rows[0][0];
}

std::string PgSession::sqlstate(const std::string& sql, const std::vector<Value>& params) {
    ResultPtr res = exec(sql, params);
    const char* state = PQresultErrorField(res.get(), PG_DIAG_SQLSTATE);
    return state ? state : "";
}

db::Oid PgSession::column_type(const std::string& sql, const std::vector<Value>& params) {
    return query(sql, params).columns.at(0).type;
}

}  // namespace pgwamp::test
