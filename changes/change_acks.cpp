#include "changes/change_acks.hpp"

#include <algorithm>

namespace pgwamp::db {

void ChangeAcks::reset(Lsn confirmed) {
    pending_.clear();
    confirmed_ = confirmed;
    unacknowledged_ = 0;
}

std::uint64_t ChangeAcks::begin() {
    pending_.push_back({next_id_, 0, false, 0});
    return next_id_++;
}

ChangeAcks::Transaction* ChangeAcks::find(std::uint64_t id) {
    // Ids are consecutive in the deque: the position is the distance from the front.
    if (pending_.empty() || id < pending_.front().id) return nullptr;
    const auto index = id - pending_.front().id;
    return index < pending_.size() ? &pending_[index] : nullptr;
}

void ChangeAcks::add_change(std::uint64_t transaction) {
    if (auto* t = find(transaction)) {
        ++t->outstanding;
        ++unacknowledged_;
    }
}

void ChangeAcks::commit(std::uint64_t transaction, Lsn end_lsn) {
    if (auto* t = find(transaction)) {
        t->committed = true;
        t->end_lsn = end_lsn;
        advance();
    }
}

void ChangeAcks::acknowledge(std::uint64_t transaction) {
    auto* t = find(transaction);
    if (!t || t->outstanding == 0) return;
    --t->outstanding;
    --unacknowledged_;
    advance();
}

void ChangeAcks::confirm_idle(Lsn server_position) {
    if (idle()) confirmed_ = std::max(confirmed_, server_position);
}

void ChangeAcks::advance() {
    while (!pending_.empty() && pending_.front().committed && pending_.front().outstanding == 0) {
        confirmed_ = std::max(confirmed_, pending_.front().end_lsn);
        pending_.pop_front();
    }
}

}  // namespace pgwamp::db
