#include "service/application.hpp"

#include <array>
#include <csignal>
#include <functional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "common/backoff.hpp"
#include "db/pool.hpp"
#include "db/standby_set.hpp"
#include "service/anonymous_authenticator.hpp"
#include "service/caller_access.hpp"
#include "service/changes_bridge.hpp"
#include "service/live_queries.hpp"
#include "service/config_procedures.hpp"
#include "service/error_mapping.hpp"
#include "service/now_procedures.hpp"
#include "service/notification_bridge.hpp"
#include "service/operations.hpp"
#include "service/read_routing.hpp"
#include "service/refusal_log.hpp"
#include "service/signup_limit.hpp"
#include "service/ticket_authenticator.hpp"
#include "wamp/client.hpp"
#include "wamp/tls_context.hpp"

namespace pgwamp::service {
namespace {

using std::chrono::milliseconds;

db::PoolOptions pool_options(const config::DatabaseConfig& db, const config::PoolConfig& limits) {
    db::PoolOptions out;
    // Empty conninfo: libpq takes PGHOST, PGPORT, ... from the environment.
    if (db.conninfo || db.password) out.conninfo = db.effective_conninfo().reveal();
    out.min_connections = limits.min;
    out.max_connections = limits.max;
    out.max_queue = limits.queue;
    out.idle_timeout = limits.idle_timeout;
    out.statement_timeout = db.statement_timeout;
    out.connect_timeout = db.connect_timeout;
    out.backoff = db.reconnect;
    return out;
}

// Each standby: its own conninfo, password and pool limits; the primary's timeouts and backoff.
db::StandbySetOptions standby_options(const config::DatabaseConfig& db) {
    db::StandbySetOptions out;
    for (const auto& replica : db.replicas) {
        db::PoolOptions pool = pool_options(db, replica.pool);
        pool.conninfo = replica.effective_conninfo().reveal();
        out.standbys.push_back({replica.name, std::move(pool)});
    }
    out.max_wait = db.replica_routing.max_wait;
    out.max_lag = db.replica_routing.max_lag;
    out.poll_interval = db.replica_routing.poll_interval;
    return out;
}

// The leader's connection uses the pool's database, timeouts and backoff.
db::LeaderListenerOptions leadership_options(const config::Config& config) {
    const db::PoolOptions pool = pool_options(config.database, config.database.pool);
    db::LeaderListenerOptions out;
    out.conninfo = pool.conninfo;
    out.connect_timeout = pool.connect_timeout;
    out.backoff = pool.backoff;
    out.retry_interval = config.service.notify_leader_retry;
    return out;
}

// The replication stream uses the pool's database, timeouts and backoff.
db::ChangeStreamOptions change_stream_options(const config::Config& config) {
    const db::PoolOptions pool = pool_options(config.database, config.database.pool);
    const config::ChangesConfig& changes = *config.changes;
    db::ChangeStreamOptions out;
    out.conninfo = pool.conninfo;
    out.connect_timeout = pool.connect_timeout;
    out.backoff = pool.backoff;
    out.retry_interval = config.service.notify_leader_retry;
    out.slot = changes.slot;
    out.publication = changes.publication;
    out.max_unacknowledged = changes.max_unacknowledged;
    for (const auto& [name, t] : changes.tables)
        out.tables.push_back({t.schema, t.table, t.insert, t.update, t.remove, t.truncate});
    return out;
}

wamp::ClientOptions client_options(const config::RouterConfig& router) {
    wamp::ClientOptions out;
    const auto& t = router.transport;
    if (t.kind == config::TransportKind::websocket) {
        out.endpoint = wamp::Endpoint::websocket(t.url);
    } else if (t.is_unix()) {
        out.endpoint = wamp::Endpoint::unix_socket(t.socket.string());
    } else {
        out.endpoint = wamp::Endpoint::tcp(t.host, t.port, t.tls);
    }
    out.tls.ca_file = router.tls.ca_file.string();
    out.tls.cert_file = router.tls.cert_file.string();
    out.tls.key_file = router.tls.key_file.string();
    out.tls.server_name = router.tls.server_name;
    out.tls.verify_peer = router.tls.verify_peer;
    out.realm = router.realm;
    out.authid = router.authid;
    out.authmethod = std::string(config::to_string(router.authmethod));
    out.secret = router.secret.reveal();
    out.connect_timeout = router.connect_timeout;
    out.max_result_size = router.caller_max_message_size;
    out.backoff = router.reconnect;
    return out;
}

const std::array<const char*, 4> built_in_procedures = {"com.example.now.v1", "com.example.now.v2",
                                                        "com.example.now.v3", "com.example.now.v4"};

class Application {
public:
    Application(boost::asio::io_context& io, config::Config config)
        : io_(io),
          config_(std::move(config)),
          pool_(io.get_executor(), pool_options(config_.database, config_.database.pool)),
          login_pool_(uses_login_pool(config_) ? std::make_unique<db::Pool>(io.get_executor(),
                                                                             pool_options(config_.database,
                                                                                          config_.identity.login.pool))
                                                : nullptr),
          standbys_(config_.database.replicas.empty()
                        ? nullptr
                        : std::make_shared<db::StandbySet>(io.get_executor(), pool_, standby_options(config_.database))),
          read_routing_(pool_, standbys_),
          client_(io, client_options(config_.router)),
          signup_limit_({config_.identity.login.signups_per_peer, config_.identity.login.signup_window}, session_peers_),
          bridge_(pool_, client_, config_.notifications, config_.service.notify_publishers,
                  leadership_options(config_)),
          changes_(config_.changes ? std::make_unique<ChangesBridge>(io, pool_, client_, *config_.changes,
                                                                     change_stream_options(config_), tracker_,
                                                                     register_options())
                                   : nullptr),
          ops_(io, config_.service, pool_, client_, tracker_, bridge_, changes_.get()),
          signals_(io, SIGINT, SIGTERM),
          drain_timer_(io) {
        ops_.set_standbys(standbys_.get());
        if (config_.live && changes_) {
            live_ = std::make_shared<LiveQueries>(io, pool_, client_, config_, tracker_, register_options(),
                                                  [this](const std::string& topic) { return changes_->history(topic); },
                                                  session_peers_);
            changes_->set_live(*live_);
        }
    }

    void start() {
        ops_.start();  // first: a taken admin port is fatal before anything connects
        provide_procedures();
        bridge_.start();
        if (changes_) changes_->start();
        pool_.async_start([](std::exception_ptr error) {
            if (!error) return spdlog::info("event=database_ready");
            try {
                std::rethrow_exception(error);
            } catch (const std::exception& e) {
                // Not fatal: the pool keeps reconnecting; calls fail fast meanwhile.
                spdlog::warn("event=database_unavailable reason=\"{}\"", e.what());
            }
        });
        pool_.on_recovered([] { spdlog::info("event=database_recovered"); });
        if (login_pool_) login_pool_->async_start([](std::exception_ptr) {});  // the main pool reports the database
        if (standbys_) standbys_->start();
        client_.on_state([this](wamp::ClientState state) {
            spdlog::info("event=router_state state={} endpoint={} realm={}", wamp::to_string(state),
                         config_.router.transport.url, config_.router.realm);
            if (changes_) changes_->on_router_state(state);
            ops_.on_router_state(state);
            // The client only stops by itself when router.reconnect.max_attempts ran out:
            // exit non-zero so a supervisor (Crossbar, systemd) sees it and decides.
            if (state == wamp::ClientState::stopped && !tracker_.draining) {
                spdlog::error("event=router_gave_up attempts={}", config_.router.reconnect.max_attempts);
                exit_status_ = 3;
                ops_.stop();
                if (login_pool_) login_pool_->async_close([] {});
                if (standbys_) standbys_->close([] {});
                pool_.async_close([this] { io_.stop(); });
            }
        });
        client_.start();
        signals_.async_wait([this](boost::system::error_code ec, int signal) {
            if (!ec) shutdown(signal);
        });
        spdlog::info("event=started procedures={} channels={}", config_.procedures.size() + 4,
                     config_.notifications.size());
    }

    int exit_status() const { return exit_status_; }

private:
    static bool uses_login_pool(const config::Config& config) {
        if (config.identity.authenticator) return true;
        for (const auto& [uri, p] : config.procedures)
            if (p.login_pool) return true;
        return false;
    }

    using Handler = void (*)(db::Pool&, std::shared_ptr<CallContext>);

    wamp::RegisterOptions register_options() const {
        return {std::string(config::to_string(config_.service.register_invoke))};
    }

    // Every procedure is registered through here, so each one is counted and timed.
    void provide(const std::string& uri, wamp::Procedure procedure) {
        client_.provide(uri, ops_.instrument(uri, std::move(procedure)), register_options());
    }

    void provide_now(const std::string& uri, Handler handler) {
        provide(uri, [this, handler](wamp::Invocation call) {
            if (auto context = begin_call(std::move(call), tracker_, config_.database.statement_timeout)) {
                context->show_sql_errors(config_.database.sql_error_text);
                context->use_read_routing(read_routing_, false);
                handler(pool_, std::move(context));
            }
        });
    }

    void provide_procedures() {
        const std::array<Handler, 4> now_handlers = {&now_v1, &now_v2, &now_v3, &now_v4};
        for (std::size_t i = 0; i < now_handlers.size(); ++i) provide_now(built_in_procedures[i], now_handlers[i]);
        std::vector<std::string> needing_identity;
        for (const auto& [uri, procedure] : config_.procedures) {
            const milliseconds timeout = procedure.timeout.value_or(config_.database.statement_timeout);
            const CallerAccess& access = *access_.emplace_back(
                std::make_unique<CallerAccess>(CallerAccess::of(procedure, config_.identity)));
            if (access.needs_identity()) needing_identity.push_back(uri);
            provide(uri, [this, &procedure = procedure, timeout, &access](wamp::Invocation call) {
                if (auto context = begin_call(std::move(call), tracker_, timeout, &access)) {
                    if (procedure.login_pool && !admit_signup(*context)) return;
                    context->show_sql_errors(procedure.sql_error_text.value_or(config_.database.sql_error_text));
                    context->use_read_routing(read_routing_, procedure.read_only);
                    serve_config_procedure(procedure.login_pool ? *login_pool_ : pool_, procedure, std::move(context));
                }
            });
        }
        if (const auto& auth = config_.identity.authenticator) {
            const CallerAccess& access = *access_.emplace_back(
                std::make_unique<CallerAccess>(auth->procedure, auth->roles, false, config_.identity));
            needing_identity.push_back(auth->procedure);
            const auto& login = config_.identity.login;
            authenticator_ = std::make_unique<TicketAuthenticator>(TicketAuthenticator{
                *auth, *login_pool_, client_.authid(),
                LoginThrottle({login.name_failures, login.name_lock, login.peer_attempts, login.peer_window}),
                session_peers_,
                {},
                {},
                io_.get_executor(),
                RefusalDelay({.first = login.refusal_delay, .max = login.refusal_delay_max}),
                static_cast<std::size_t>(login.max_delayed_refusals)});
            provide(auth->procedure, [this, &access](wamp::Invocation call) {
                if (auto context = begin_call(std::move(call), tracker_, config_.database.statement_timeout, &access))
                    serve_ticket_authenticator(*authenticator_, std::move(context));
            });
        }
        if (const auto& anonymous = config_.identity.anonymous_authenticator) {
            const CallerAccess& access = *access_.emplace_back(
                std::make_unique<CallerAccess>(anonymous->procedure, anonymous->roles, false, config_.identity));
            needing_identity.push_back(anonymous->procedure);
            provide(anonymous->procedure, [this, &access, &anonymous = *anonymous](wamp::Invocation call) {
                if (auto context = begin_call(std::move(call), tracker_, config_.database.statement_timeout, &access))
                    serve_anonymous_authenticator(anonymous, session_peers_, std::move(context));
            });
        }
        if (!needing_identity.empty()) {
            // The router decides whether it tells us who calls (Crossbar: per calling role).
            spdlog::warn("event=caller_identity_needed procedures=\"{}\" hint=\"these check or run as the caller: "
                         "the router must disclose the caller to them (Crossbar: disclose: {{caller: true}}); "
                         "calls it does not disclose are refused with wamp.error.not_authorized\"",
                         fmt::join(needing_identity, ","));
        }
        if (config_.service.notify_procedure && !config_.notifications.empty()) {
            const CallerAccess& access = *access_.emplace_back(std::make_unique<CallerAccess>(
                *config_.service.notify_procedure, config_.service.notify_roles, false, config_.identity));
            if (access.needs_identity()) needing_identity.push_back(*config_.service.notify_procedure);
            provide(*config_.service.notify_procedure, [this, &access](wamp::Invocation call) {
                bridge_.serve_notify(std::move(call), tracker_, config_.database.statement_timeout, &access);
            });
        }
        if (config_.service.health_procedure) {
            // Answered from memory: no database, so it works while PostgreSQL is down.
            provide(*config_.service.health_procedure, [this](wamp::Invocation call) { call.reply({ops_.health()}); });
        }
    }

    // identity.login.signups_per_peer, before any database work.
    bool admit_signup(CallContext& context) {
        const auto now = std::chrono::steady_clock::now();
        const auto wait = signup_limit_.admit(context.call().caller_session(), now);
        if (!wait) return true;
        if (auto count = signup_refusals_.refused(now))
            spdlog::warn("event=sign_up_throttled refused={} retry_after_ms={}", *count, wait->count());
        const auto seconds = (wait->count() + 999) / 1000;
        context.fail(std::make_exception_ptr(TooManyAttempts(
            "too many sign-ups from this address; try again in " + std::to_string(seconds) + " s", wait->count())));
        return false;
    }

    // Refuse new calls, let running ones finish within the grace period,
    // leave the realm, close the pool, stop the loop.
    void shutdown(int signal) {
        spdlog::info("event=shutdown signal={} running_calls={}", signal, tracker_.running());
        tracker_.draining = true;
        // Hand the channels and the slot over now, so a follower's takeover overlaps the drain.
        bridge_.stop();
        if (live_) live_->stop();
        if (changes_) changes_->stop();
        drain_deadline_ = std::chrono::steady_clock::now() + config_.service.shutdown_grace;
        drain();
    }

    void drain() {
        if (tracker_.running() == 0 || std::chrono::steady_clock::now() >= drain_deadline_) {
            if (tracker_.running() != 0) {
                spdlog::warn("event=shutdown_grace_expired running_calls={}", tracker_.running());
            }
            client_.stop([this] {
                if (login_pool_) login_pool_->async_close([] {});
                if (standbys_) standbys_->close([] {});
                pool_.async_close([this] {
                    spdlog::info("event=stopped published={}", bridge_.published());
                    ops_.stop();
                    io_.stop();
                });
            });
            return;
        }
        drain_timer_.expires_after(milliseconds(20));
        drain_timer_.async_wait([this](boost::system::error_code) { drain(); });
    }

    boost::asio::io_context& io_;
    config::Config config_;
    db::Pool pool_;
    std::unique_ptr<db::Pool> login_pool_;  // identity.login: sign-in and "pool": "login" procedures
    std::shared_ptr<db::StandbySet> standbys_;  // database.replicas; null: none
    ReadRouting read_routing_;
    wamp::Client client_;
    CallTracker tracker_;  // before the bridges, which serve calls
    std::vector<std::unique_ptr<CallerAccess>> access_;  // one per configured procedure
    SessionPeers session_peers_;  // where each session came from, as the authenticators heard it
    SignupLimit signup_limit_;
    RefusalLog signup_refusals_;
    std::unique_ptr<TicketAuthenticator> authenticator_;
    NotificationBridge bridge_;
    std::unique_ptr<ChangesBridge> changes_;
    std::shared_ptr<LiveQueries> live_;  // with changes_: it feeds them
    Operations ops_;  // after the bridges it reads
    boost::asio::signal_set signals_;
    boost::asio::steady_timer drain_timer_;
    std::chrono::steady_clock::time_point drain_deadline_;
    int exit_status_ = 0;
};

}  // namespace

void check_service_config(const config::Config& config) {
    for (const char* uri : built_in_procedures) {
        if (config.service.health_procedure == uri)
            throw config::ConfigError(config.source.string(), "service.health_procedure",
                                      std::string("\"") + uri + "\" is served by pgwamp itself; choose another");
        if (config.procedures.contains(uri)) {
            throw config::ConfigError(config.source.string(), std::string("procedures[\"") + uri + "\"]",
                                      "this URI is served by pgwamp itself (com.example.now.v1-v4); choose another");
        }
    }
    // A CA, certificate or key that cannot be loaded is found now, not at
    // the first connection attempt (and --check finds it too).
    if (const auto options = client_options(config.router); options.endpoint.tls) {
        try {
            wamp::make_tls_context(options.tls);
        } catch (const std::exception& e) {
            throw config::ConfigError(config.source.string(), "router.tls", e.what());
        }
    }
}

int run(config::Config config) {
    boost::asio::io_context io(1);
    Application app(io, std::move(config));
    app.start();
    io.run();
    return app.exit_status();
}

}  // namespace pgwamp::service
