#include "config/names.hpp"
#include "config/parsers.hpp"
#include "config/wamp_uri.hpp"

namespace pgwamp::config::detail {

ServiceConfig parse_service(const Node& node) {
    Fields f(node, {"log_level", "shutdown_grace_ms", "register_invoke", "notify_procedure", "notify_publishers",
                    "notify_leader_retry_ms"});
    ServiceConfig s;
    if (auto n = f.get("log_level")) s.log_level = n->choice<LogLevel>(log_levels);
    if (auto n = f.get("shutdown_grace_ms")) s.shutdown_grace = n->milliseconds(600'000);
    if (auto n = f.get("register_invoke")) s.register_invoke = n->choice<InvokePolicy>(invoke_policies);
    if (auto n = f.get("notify_procedure")) {
        if (n->json().is_null()) {
            s.notify_procedure.reset();  // explicitly: register no notify procedure
        } else {
            s.notify_procedure = n->string();
            if (auto problem = wamp_uri_problem(*s.notify_procedure))
                n->fail("not a valid procedure URI: " + *problem);
        }
    }
    if (auto n = f.get("notify_publishers")) s.notify_publishers = n->choice<NotifyPublishers>(notify_publishers);
    // At least 10 ms: each try is a query on the database, from every follower.
    if (auto n = f.get("notify_leader_retry_ms")) s.notify_leader_retry = Milliseconds(n->integer(10, 600'000));
    return s;
}

}  // namespace pgwamp::config::detail
