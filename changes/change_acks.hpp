#pragma once
// Which part of the replication stream may be forgotten: the slot's confirmed
// position moves past a transaction only once it has committed (its Commit
// message arrived) and every change in it was acknowledged, and only in
// commit order. Plain bookkeeping, no I/O (unit-tested on its own).

#include <cstddef>
#include <cstdint>
#include <deque>

#include "pg/replication_messages.hpp"

namespace pgwamp::db {

class ChangeAcks {
public:
    using Lsn = replication::Lsn;

    // A new stream starts from the slot: nothing pending.
    void reset(Lsn confirmed);

    // The transaction now being read; its changes follow, then commit().
    std::uint64_t begin();
    void add_change(std::uint64_t transaction);
    void commit(std::uint64_t transaction, Lsn end_lsn);
    // One change of `transaction` acknowledged. Unknown ones are ignored.
    void acknowledge(std::uint64_t transaction);

    // Nothing read is waiting for an acknowledgement, and no transaction is
    // half read: the server's position (a keepalive's wal_end) may be
    // confirmed as is, so an idle slot keeps advancing.
    bool idle() const { return pending_.empty(); }
    void confirm_idle(Lsn server_position);

    Lsn confirmed() const { return confirmed_; }
    std::size_t unacknowledged() const { return unacknowledged_; }

private:
    struct Transaction {
        std::uint64_t id = 0;
        Lsn end_lsn = 0;
        bool committed = false;
        std::size_t outstanding = 0;
    };
    Transaction* find(std::uint64_t id);
    void advance();

    std::deque<Transaction> pending_;
    std::uint64_t next_id_ = 1;
    Lsn confirmed_ = 0;
    std::size_t unacknowledged_ = 0;
};

}  // namespace pgwamp::db
