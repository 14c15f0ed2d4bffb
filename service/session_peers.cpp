#include "service/session_peers.hpp"

#include "service/peer_rate_limit.hpp"

namespace pgwamp::service {

void SessionPeers::remember(std::uint64_t session, std::string peer) {
    if (max_ == 0 || session == 0) return;
    auto [it, inserted] = peers_.insert_or_assign(session, std::move(peer));
    if (!inserted) return;
    order_.push_back(session);
    while (peers_.size() > max_) {
        peers_.erase(order_.front());
        order_.pop_front();
    }
}

std::optional<std::string> SessionPeers::peer_of(std::uint64_t session) const {
    auto it = peers_.find(session);
    if (it == peers_.end()) return std::nullopt;
    return it->second;
}

std::uint64_t authenticating_session(const Object& details) {
    const Value* session = find_field(details, "session");
    return session && session->is<std::int64_t>() && session->as<std::int64_t>() > 0
               ? static_cast<std::uint64_t>(session->as<std::int64_t>())
               : 0;
}

std::string authenticating_peer(const Object& details) {
    const Value* transport = find_field(details, "transport");
    if (!transport || !transport->is<Object>()) return "unknown";
    const Value* peer = find_field(transport->as<Object>(), "peer");
    return peer && peer->is<std::string>() ? peer_address(peer->as<std::string>()) : "unknown";
}

}  // namespace pgwamp::service
