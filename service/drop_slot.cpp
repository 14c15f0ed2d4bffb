#include "service/drop_slot.hpp"

#include <libpq-fe.h>

#include <iostream>
#include <memory>
#include <string>
#include <string_view>

#include "pg/sqlstate.hpp"

namespace pgwamp::service {

namespace {

using Connection = std::unique_ptr<PGconn, decltype(&PQfinish)>;
using ResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

std::string trimmed(const char* text) {
    std::string s = text ? text : "";
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

}  // namespace

int drop_slot(const config::Config& config) {
    if (!config.changes) {
        std::cerr << "pgwamp: " << config.source.string() << " has no \"changes\" section: no slot to drop\n";
        return 1;
    }
    const std::string& slot = config.changes->slot;
    // Empty conninfo: libpq reads PGHOST, PGPORT, ... as the service does.
    const std::string conninfo =
        config.database.conninfo || config.database.password ? config.database.effective_conninfo().reveal() : "";
    Connection conn(PQconnectdb(conninfo.c_str()), &PQfinish);
    if (PQstatus(conn.get()) != CONNECTION_OK) {
        std::cerr << "pgwamp: cannot connect to PostgreSQL: " << trimmed(PQerrorMessage(conn.get())) << "\n";
        return 4;
    }
    const char* params[] = {slot.c_str()};
    ResultPtr res(PQexecParams(conn.get(),
                               "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                               "WHERE slot_name = $1",
                               1, nullptr, params, nullptr, nullptr, 0),
                  &PQclear);
    if (PQresultStatus(res.get()) != PGRES_TUPLES_OK) {
        const char* state = PQresultErrorField(res.get(), PG_DIAG_SQLSTATE);
        std::cerr << "pgwamp: could not drop slot " << slot << ": " << trimmed(PQresultErrorMessage(res.get()));
        if (state && std::string_view(state) == db::sqlstate::object_in_use) std::cerr << " (stop the pgwamp that consumes it first)";
        std::cerr << "\n";
        return 4;
    }
    if (PQntuples(res.get()) == 0) {
        std::cout << "no replication slot " << slot << ": nothing to drop\n";
    } else {
        std::cout << "dropped replication slot " << slot << " (the publication " << config.changes->publication
                  << " stays; it keeps no WAL)\n";
    }
    return 0;
}

}  // namespace pgwamp::service
