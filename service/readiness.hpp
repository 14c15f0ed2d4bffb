#pragma once
// Whether this process should get traffic (/ready): a pure judgement over
// what the pool, the WAMP client and the bridges say, so it can be tested
// without servers. The body says why either way.

#include <cstddef>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace pgwamp::service {

struct ReadinessInput {
    bool draining = false;        // SIGTERM received
    bool pool_available = false;  // db::Pool::available()
    std::string router_state;     // wamp::to_string(ClientState)
    bool joined = false;
    std::size_t provided = 0;     // procedures the client provides
    std::size_t registered = 0;   // of them, confirmed by the router on this session
    // Informational, never a reason to be unready: another process may
    // consume the slot or lead the channels.
    std::optional<std::string> changes_state;
    std::optional<std::string> changes_reason;
    std::size_t channels = 0;
    std::size_t channels_led = 0;
    // Informational too: a standby down only sends its reads to the primary.
    nlohmann::json standbys;  // null: no replicas; else [{name, state, lag_ms, replayed, reads}]
};

struct Readiness {
    bool ready = false;
    nlohmann::json body;  // {ready, reasons: [...], database, router, procedures, changes?, notifications}
};

Readiness judge_readiness(const ReadinessInput& in);

}  // namespace pgwamp::service
