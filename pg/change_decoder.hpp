#pragma once
// pgoutput messages → row changes: keeps the relations the server described
// (it sends a Relation before the first change of a table on each stream, and
// again after the table changes), casts each column's text with the pool's
// TypeRegistry (so a row looks the same as in a query result), and numbers
// the changes of a transaction for their positions. No I/O.

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "pg/replication_messages.hpp"
#include "pg/row_change.hpp"
#include "pg/type_registry.hpp"

namespace pgwamp::db {

class ChangeDecoder {
public:
    enum class Step {
        other,   // nothing for the caller (a relation, a type, an origin)
        begin,   // a transaction starts: its changes follow
        change,  // `out` got the transaction's next changes (several for a truncate)
        commit,  // the transaction ended; commit_end_lsn() says where
    };

    explicit ChangeDecoder(std::shared_ptr<const TypeRegistry> types);

    // A new stream: the server describes every relation again.
    void reset();
    // Throws db::Error(connection_lost) for a change of a relation it never described.
    Step feed(const replication::PgoutputMessage& message, std::vector<RowChange>& out);

    replication::Lsn commit_end_lsn() const { return commit_end_lsn_; }
    bool in_transaction() const { return in_transaction_; }

private:
    struct Relation {
        std::string schema;
        std::string table;
        std::vector<replication::RelationColumn> columns;
    };

    const Relation& relation(replication::Oid oid) const;
    RowChange make_change(const char* op, const Relation& rel);
    Object row(const Relation& rel, const replication::TupleData& tuple, bool key_only) const;
    Value cast(const replication::RelationColumn& column, const std::string& text) const;

    std::shared_ptr<const TypeRegistry> types_;
    std::unordered_map<replication::Oid, Relation> relations_;
    bool in_transaction_ = false;
    replication::Lsn final_lsn_ = 0;
    std::uint32_t xid_ = 0;
    std::string commit_time_;
    std::uint32_t index_ = 0;  // changes so far in this transaction
    replication::Lsn commit_end_lsn_ = 0;
};

// "%016X/%08X" of a commit LSN and a change's index: RowChange::position.
std::string change_position(replication::Lsn commit_lsn, std::uint32_t index);
// ISO 8601 UTC with microseconds, from PostgreSQL's replication timestamp.
std::string iso_time_utc(std::int64_t pg_us);

}  // namespace pgwamp::db
