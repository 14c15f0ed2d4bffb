#include "service/read_routing.hpp"

#include <boost/asio/post.hpp>

#include "db/pool.hpp"
#include "service/error_mapping.hpp"

namespace pgwamp::service {

std::optional<WalPosition> requested_position(const Object& kwargs) {
    for (const auto& [name, value] : kwargs) {
        if (name != after_keyword) continue;
        if (value.is_null()) return std::nullopt;
        const auto target = value.is<std::string>() ? db::replay_target_of_event(value.as<std::string>()) : std::nullopt;
        if (!target)
            throw InvalidArgument(std::string(after_keyword) +
                                  " must be a row-change event's position (\"XXXXXXXXXXXXXXXX/XXXXXXXX\")");
        return target;
    }
    return std::nullopt;
}

Object without_requested_position(const Object& kwargs) {
    Object out;
    for (const auto& [name, value] : kwargs)
        if (name != after_keyword) out.emplace_back(name, value);
    return out;
}

ReadRouting::ReadRouting(db::Pool& primary, std::shared_ptr<db::StandbySet> standbys)
    : primary_(primary), standbys_(std::move(standbys)) {}

std::shared_ptr<db::CommitPosition> ReadRouting::position_sink() const {
    return standbys_ ? std::make_shared<db::CommitPosition>() : nullptr;
}

void ReadRouting::wrote(std::uint64_t session, const db::CommitPosition& position) {
    if (!standbys_ || (!position.lsn && !position.unknown)) return;
    const auto now = WriteClock::now();
    if (position.lsn) writes_.wrote(session, position.lsn, now);
    if (position.unknown) writes_.wrote(session, std::nullopt, now);
    if (++writes_seen_ % 256 == 0) prune();
}

void ReadRouting::prune() {
    const auto replayed = standbys_->replayed_by_all();
    if (!replayed) return;
    writes_.forget_replayed(*replayed, [this](WriteClock::time_point t) { return standbys_->primary_position_since(t); });
}

void ReadRouting::to_primary(db::StandbySet::Run run) {
    if (standbys_) return standbys_->route(std::nullopt, std::move(run));
    boost::asio::post(primary_.executor(), [this, run = std::move(run)] { run(primary_, nullptr); });
}

void ReadRouting::route_read(std::uint64_t session, std::optional<WalPosition> requested, db::StandbySet::Run run) {
    if (!standbys_) return to_primary(std::move(run));
    std::optional<WalPosition> required = requested.value_or(0);
    const ReadNeed need = writes_.need(session);
    if (need.position) required = std::max(*required, *need.position);
    if (need.unknown_since) {
        // A write whose own position was not read: the primary's, polled after it.
        const auto after = standbys_->primary_position_since(*need.unknown_since);
        required = after ? std::optional(std::max(*required, *after)) : std::nullopt;
    }
    standbys_->route(required, std::move(run));
}

}  // namespace pgwamp::service
