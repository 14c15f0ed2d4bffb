#include "common/reconnector.hpp"

#include <boost/asio/steady_timer.hpp>

namespace pgwamp {

struct Reconnector::State : std::enable_shared_from_this<State> {
    State(boost::asio::any_io_executor ex, BackoffOptions options, Attempt attempt_fn,
          std::chrono::milliseconds hurry_interval, std::uint64_t seed)
        : timer(ex), schedule(options, hurry_interval, seed), attempt(std::move(attempt_fn)) {}

    boost::asio::steady_timer timer;
    ReconnectSchedule schedule;
    Attempt attempt;
    std::uint64_t generation = 0;
    bool live = false;     // `generation` is under way or connected (not failed, not cancelled)
    bool stopped = true;   // before start(), after cancel(): nothing may be scheduled

    void run_attempt() {
        ++generation;
        live = true;
        schedule.attempt_started(Clock::now());
        attempt(generation);
    }

    // (Re)arms the timer for the schedule's next attempt. Re-arming cancels a
    // pending wait; a wait that already completed but whose handler has not run
    // yet is caught by the generation check.
    void arm() {
        const auto due = schedule.next_attempt();
        if (!due || stopped) return;
        timer.expires_at(*due);
        std::weak_ptr<State> weak = weak_from_this();
        timer.async_wait([weak, gen = generation](const boost::system::error_code& ec) {
            auto self = weak.lock();
            if (ec || !self || self->stopped || self->live || self->generation != gen) return;
            self->run_attempt();
        });
    }
};

Reconnector::Reconnector(boost::asio::any_io_executor ex, BackoffOptions options, Attempt attempt,
                         std::chrono::milliseconds hurry_interval, std::uint64_t seed)
    : state_(std::make_shared<State>(ex, options, std::move(attempt), hurry_interval, seed)) {}

Reconnector::~Reconnector() { cancel(); }

void Reconnector::start() {
    cancel();
    state_->schedule.succeeded();  // a fresh start: no failures behind us
    state_->stopped = false;
    state_->run_attempt();
}

std::optional<std::chrono::milliseconds> Reconnector::on_failure(std::uint64_t generation) {
    auto& s = *state_;
    if (!current(generation)) return std::nullopt;
    // The attempt is over: anything else it reports is stale from here on.
    s.live = false;
    ++s.generation;
    const auto now = Clock::now();
    s.schedule.failed(now);
    const auto due = s.schedule.next_attempt();
    if (!due) return std::nullopt;
    s.arm();
    return std::chrono::ceil<std::chrono::milliseconds>(*due - now);
}

void Reconnector::on_success(std::uint64_t generation) {
    if (current(generation)) state_->schedule.succeeded();
}

void Reconnector::demand() {
    auto& s = *state_;
    const auto before = s.schedule.next_attempt();
    s.schedule.demand(Clock::now());
    if (s.schedule.next_attempt() != before) s.arm();
}

void Reconnector::cancel() {
    auto& s = *state_;
    s.stopped = true;
    s.live = false;
    ++s.generation;
    s.timer.cancel();
}

bool Reconnector::exhausted() const { return state_->schedule.exhausted(); }
std::size_t Reconnector::failures() const { return state_->schedule.failures(); }
std::uint64_t Reconnector::generation() const { return state_->generation; }
bool Reconnector::current(std::uint64_t generation) const {
    return state_->live && generation == state_->generation;
}

}  // namespace pgwamp
