#pragma once
// A blocking libpq session for these tests only (the product's connections
// are asynchronous; here blocking keeps each check one line). It connects to
// the shared test cluster with the session settings pgwamp requires.

#include <libpq-fe.h>

#include <memory>
#include <string>
#include <vector>

#include "common/value.hpp"
#include "pg/result.hpp"
#include "pg/session_settings.hpp"
#include "pg/type_registry.hpp"

namespace pgwamp::test {

class PgSession {
public:
    // Connects to PostgresCluster::shared() with `options` (by default the
    // session settings pgwamp requires); throws on failure.
    explicit PgSession(const std::string& options = db::required_session_options);

    const PGconn* conn() const { return conn_.get(); }

    void set_types(std::shared_ptr<const db::TypeRegistry> types) { types_ = std::move(types); }

    // Runs SQL, with params bound through db::bind_params; throws
    // std::runtime_error with the server's message (and SQLSTATE) on error.
    db::Result query(const std::string& sql, const std::vector<Value>& params = {});
    // The single value of a one-row, one-column query.
    Value value(const std::string& sql, const std::vector<Value>& params = {});
    // The SQLSTATE the statement fails with ("" if it succeeds).
    std::string sqlstate(const std::string& sql, const std::vector<Value>& params = {});
    // The type OID the server chose for the first result column.
    db::Oid column_type(const std::string& sql, const std::vector<Value>& params = {});

private:
    using ResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;
    ResultPtr exec(const std::string& sql, const std::vector<Value>& params);

    std::unique_ptr<PGconn, decltype(&PQfinish)> conn_;
    std::shared_ptr<const db::TypeRegistry> types_ = db::TypeRegistry::defaults();
};

}  // namespace pgwamp::test
