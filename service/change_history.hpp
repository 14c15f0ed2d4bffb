#pragma once
// The last N row-change events of one topic, for replay: a client that was
// offline asks for what came after the last position it saw, and gets either
// all of it or a clear "too old" (it must then reload).
//
// Positions are fixed-width strings that sort in commit order
// (changes/change_stream.hpp), so plain string comparison orders them.
//
// `floor` is the position from which nothing is missing: every event after
// it is kept (or still to come). A replay from a position at or after the
// floor is complete; from one before it, events may be missing
// (history_truncated). The floor starts where this process began to see the
// topic and rises as old events are evicted.

#include <cstddef>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/value.hpp"
#include "service/event_audience.hpp"

namespace pgwamp::service {

// A position as events carry it: 16 hex digits "/" 8 hex digits.
bool is_position(const std::string& s);

class ChangeHistory {
public:
    struct Entry {
        std::string position;
        Object event;  // the change's kwargs, whole (each caller gets its own version of it)
        Audience old_row = Audience::everyone();  // who may see the old row
        Audience new_row = Audience::everyone();  // and the new one
    };
    using Visible = std::function<bool(const Entry&)>;
    struct Replay {
        std::vector<const Entry*> events;  // in position order
        bool more = false;                 // stopped at `limit`: ask again after the last one
    };

    explicit ChangeHistory(std::size_t capacity) : capacity_(capacity) {}

    // Adds an event; one at or before the newest kept is a redelivery and is
    // ignored. The first event ever kept sets the floor just below itself
    // unless begin_at() set it already.
    void add(const std::string& position, Object event, Audience old_row = Audience::everyone(),
             Audience new_row = Audience::everyone());
    // Nothing before `position` will be seen by this process (where its
    // stream starts); keeps what is already held when it is newer.
    void begin_at(const std::string& position);
    // Forget everything: events may have been missed (this process stopped
    // hearing the topic for a while). The next add() starts a new floor.
    void reset();

    // Events after `after` that `visible` lets through, at most `limit`;
    // nullopt when `after` is before the floor. Events the caller may not
    // see are skipped, not counted: `more` means a visible one is left.
    std::optional<Replay> after(const std::string& after, std::size_t limit, const Visible& visible = {}) const;

    const std::string& floor() const { return floor_; }
    // The newest position kept, or the floor when none is.
    const std::string& newest() const { return entries_.empty() ? floor_ : entries_.back().position; }
    std::size_t size() const { return entries_.size(); }
    bool known() const { return known_; }

private:
    std::size_t capacity_;
    std::deque<Entry> entries_;
    std::string floor_;
    bool known_ = false;  // floor_ means something
};

}  // namespace pgwamp::service
