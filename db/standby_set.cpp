#include "db/standby_set.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "db/pool.hpp"
#include "pg/replication_messages.hpp"

namespace pgwamp::db {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;

constexpr milliseconds waiting_poll_interval{10};

std::optional<WalPosition> lsn_of(const Value& v) {
    if (!v.is<std::string>()) return std::nullopt;
    return replication::parse_lsn(v.as<std::string>());
}

}  // namespace

struct StandbySet::Standby {
    std::string name;
    std::unique_ptr<Pool> pool;
    bool poll_in_flight = false;
    StandbyClock::time_point poll_sent{};
    StandbyClock::time_point answered{};  // last successful poll (its sending time)
    bool answering = false;  // its last poll answered, in recovery, with a replay position
    std::optional<WalPosition> replayed;
    std::uint64_t reads = 0;
    std::string down_reason = "not polled yet";
};

StandbySet::StandbySet(asio::any_io_executor ex, Pool& primary, StandbySetOptions options)
    : ex_(ex),
      primary_(primary),
      options_(std::move(options)),
      // A standby that stops answering takes no reads within a second.
      down_after_(std::max(milliseconds(800), 3 * options_.poll_interval)),
      primary_wal_(2 * (options_.max_lag + down_after_) + std::chrono::seconds(10)),
      timer_(ex) {
    for (auto& o : options_.standbys) {
        auto s = std::make_unique<Standby>();
        s->name = o.name;
        s->pool = std::make_unique<Pool>(ex, o.pool);
        standbys_.push_back(std::move(s));
    }
    views_.resize(standbys_.size());
}

StandbySet::~StandbySet() = default;

void StandbySet::start() {
    for (auto& s : standbys_) {
        s->pool->async_start([name = s->name](std::exception_ptr error) {
            if (!error) return spdlog::info("event=standby_ready standby={}", name);
            try {
                std::rethrow_exception(error);
            } catch (const std::exception& e) {
                spdlog::warn("event=standby_unavailable standby={} reason=\"{}\"", name, e.what());
            }
        });
    }
    tick();
}

void StandbySet::close(std::function<void()> done) {
    closed_ = true;
    timer_.cancel();
    auto waiting = std::move(waiting_);
    waiting_.clear();
    for (auto& w : waiting) to_primary(std::move(w.run));
    auto left = std::make_shared<std::size_t>(standbys_.size());
    if (*left == 0) return asio::post(ex_, std::move(done));
    for (auto& s : standbys_) {
        s->pool->async_close([left, done] {
            if (--*left == 0) done();
        });
    }
}

void StandbySet::schedule_tick() {
    if (closed_) return;
    const auto interval = waiting_.empty() ? options_.poll_interval : std::min(options_.poll_interval, waiting_poll_interval);
    tick_at_ = StandbyClock::now() + interval;
    timer_.expires_at(tick_at_);  // cancels a later wait: its handler sees operation_aborted
    timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
        if (ec) return;
        if (auto self = weak.lock()) self->tick();
    });
}

void StandbySet::tick() {
    if (closed_) return;
    const auto now = StandbyClock::now();
    poll_primary(now);
    for (std::size_t i = 0; i < standbys_.size(); ++i) {
        Standby& s = *standbys_[i];
        if (s.poll_in_flight && now - s.poll_sent >= down_after_ && s.answering) {
            s.answering = false;
            s.down_reason = "no answer to its poll within " + std::to_string(down_after_.count()) + " ms";
            spdlog::warn("event=standby_down standby={} reason=\"{}\"", s.name, s.down_reason);
        }
        poll_standby(i, now);
    }
    refresh_views(now);
    release_waiting(now);
    schedule_tick();
}

void StandbySet::poll_primary(StandbyClock::time_point now) {
    if (primary_poll_in_flight_) return;
    primary_poll_in_flight_ = true;
    primary_.async_query("SELECT pg_current_wal_insert_lsn()::text", {}, statement_options(down_after_),
                         [weak = weak_from_this(), now](std::exception_ptr error, Result r) {
                             auto self = weak.lock();
                             if (!self) return;
                             self->primary_poll_in_flight_ = false;
                             if (error || r.rows.size() != 1 || r.rows[0].empty()) return;
                             if (auto lsn = lsn_of(r.rows[0][0])) self->primary_wal_.sample(now, *lsn);
                         });
}

void StandbySet::poll_standby(std::size_t i, StandbyClock::time_point now) {
    Standby& s = *standbys_[i];
    if (s.poll_in_flight) return;
    s.poll_in_flight = true;
    s.poll_sent = now;
    s.pool->async_query(
        "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text", {}, statement_options(down_after_),
        [weak = weak_from_this(), i, now](std::exception_ptr error, Result r) {
            auto self = weak.lock();
            if (!self || self->closed_) return;
            Standby& polled = *self->standbys_[i];
            polled.poll_in_flight = false;
            const bool was_answering = polled.answering;
            std::string reason;
            if (error) {
                try {
                    std::rethrow_exception(error);
                } catch (const std::exception& e) {
                    reason = e.what();
                }
            } else if (r.rows.size() != 1 || r.rows[0].size() != 2 || !r.rows[0][0].is<bool>()) {
                reason = "unexpected answer to its poll";
            } else if (!r.rows[0][0].as<bool>()) {
                reason = "not in recovery (promoted, or a primary): it is no standby";
            } else if (auto lsn = lsn_of(r.rows[0][1])) {
                polled.replayed = lsn;
            } else {
                reason = "no WAL replayed yet";
            }
            polled.answering = reason.empty();
            if (polled.answering) {
                polled.answered = now;
                if (!was_answering) spdlog::info("event=standby_up standby={}", polled.name);
            } else {
                if (was_answering || polled.down_reason != reason)
                    spdlog::warn("event=standby_down standby={} reason=\"{}\"", polled.name, reason);
                polled.down_reason = reason;
            }
            const auto at = StandbyClock::now();
            self->refresh_views(at);
            self->release_waiting(at);
        });
}

void StandbySet::refresh_views(StandbyClock::time_point now) {
    for (std::size_t i = 0; i < standbys_.size(); ++i) {
        const Standby& s = *standbys_[i];
        StandbyView& v = views_[i];
        v.replayed = s.replayed.value_or(0);
        v.usable = s.answering && s.replayed && now - s.answered < down_after_ &&
                   primary_wal_.lag(*s.replayed, now) <= options_.max_lag;
    }
}

void StandbySet::release_waiting(StandbyClock::time_point now) {
    if (waiting_.empty()) return;
    std::vector<Waiting> still;
    for (auto& w : waiting_) {
        const ReadRoute route = choose_read_route(views_, w.required, next_);
        if (route.kind == ReadRoute::Kind::standby) {
            dispatch(*standbys_[route.standby]->pool, &standbys_[route.standby]->name, std::move(w.run));
            ++standbys_[route.standby]->reads;
        } else if (route.kind == ReadRoute::Kind::primary || now >= w.deadline) {
            if (route.kind == ReadRoute::Kind::wait) ++counts_.primary_waited_out;
            to_primary(std::move(w.run));
        } else {
            still.push_back(std::move(w));
        }
    }
    waiting_ = std::move(still);
}

void StandbySet::route(std::optional<WalPosition> required, Run run) {
    if (closed_ || standbys_.empty() || !required) return to_primary(std::move(run));
    const ReadRoute route = choose_read_route(views_, *required, next_);
    switch (route.kind) {
        case ReadRoute::Kind::standby:
            ++standbys_[route.standby]->reads;
            return dispatch(*standbys_[route.standby]->pool, &standbys_[route.standby]->name, std::move(run));
        case ReadRoute::Kind::primary: return to_primary(std::move(run));
        case ReadRoute::Kind::wait: break;
    }
    if (options_.max_wait.count() == 0 || waiting_.size() >= options_.max_waiting) {
        ++counts_.primary_waited_out;
        return to_primary(std::move(run));
    }
    const auto now = StandbyClock::now();
    waiting_.push_back({*required, now + options_.max_wait, std::move(run)});
    if (tick_at_ > now + waiting_poll_interval) schedule_tick();  // poll faster while reads wait
}

void StandbySet::dispatch(Pool& pool, const std::string* standby, Run run) {
    ++counts_.standby;
    asio::post(ex_, [self = shared_from_this(), &pool, standby, run = std::move(run)] { run(pool, standby); });
}

void StandbySet::to_primary(Run run) {
    ++counts_.primary;
    asio::post(ex_, [self = shared_from_this(), run = std::move(run)] { run(self->primary_, nullptr); });
}

std::optional<WalPosition> StandbySet::replayed_by_all() const {
    std::optional<WalPosition> least;
    for (const auto& v : views_)
        if (v.usable) least = std::min(least.value_or(v.replayed), v.replayed);
    return least;
}

std::vector<StandbyStatus> StandbySet::status() const {
    const auto now = StandbyClock::now();
    std::vector<StandbyStatus> out;
    for (std::size_t i = 0; i < standbys_.size(); ++i) {
        const Standby& s = *standbys_[i];
        StandbyStatus st;
        st.name = s.name;
        st.replayed = s.replayed;
        st.reads = s.reads;
        const bool answering = s.answering && now - s.answered < down_after_;
        if (answering && s.replayed)
            st.lag = std::chrono::duration_cast<milliseconds>(primary_wal_.lag(*s.replayed, now));
        st.state = views_[i].usable ? "up" : answering ? "lagging" : "down";
        out.push_back(std::move(st));
    }
    return out;
}

}  // namespace pgwamp::db
