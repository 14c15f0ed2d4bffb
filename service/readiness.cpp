#include "service/readiness.hpp"

namespace pgwamp::service {

Readiness judge_readiness(const ReadinessInput& in) {
    nlohmann::json reasons = nlohmann::json::array();
    if (in.draining) reasons.push_back("shutting down");
    if (!in.pool_available) reasons.push_back("database unreachable");
    if (!in.joined) reasons.push_back("not joined to the router (" + in.router_state + ")");
    else if (in.registered < in.provided)
        reasons.push_back(std::to_string(in.provided - in.registered) + " of " + std::to_string(in.provided) +
                          " procedures not registered");
    Readiness r;
    r.ready = reasons.empty();
    r.body = {{"ready", r.ready},
              {"reasons", std::move(reasons)},
              {"database", in.pool_available ? "available" : "unavailable"},
              {"router", in.router_state},
              {"procedures", {{"provided", in.provided}, {"registered", in.registered}}},
              {"notifications", {{"channels", in.channels}, {"led", in.channels_led}}}};
    if (!in.standbys.is_null()) r.body["standbys"] = in.standbys;
    if (in.changes_state)
        r.body["changes"] = {{"state", *in.changes_state}, {"reason", in.changes_reason.value_or("")}};
    return r;
}

}  // namespace pgwamp::service
