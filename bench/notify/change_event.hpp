#pragma once
// The row-change event of the changes bench, both ways. pgwamp publishes one
// event per changed row with args [] and kwargs {op, table, new, old,
// position, commit_time}; the bench's rows carry run, seq and t_us (the
// loader's clock just before it sent the INSERT). The echo publisher builds
// the same kwargs with no database; the subscriber reads run, seq and t_us
// back from kwargs["new"]. Pure logic.

#include "event_tracker.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace pgwamp::bench {

// What pgwamp would publish for the INSERT of row `id` carrying a schedule
// payload ({"seq", "t_us"} or {"warmup": true, "t_us"}; a warm-up row has
// seq -1) in run `run` of `table`.
nlohmann::json change_event_kwargs(const nlohmann::json& payload, const std::string& table, std::int64_t run,
                                   std::int64_t id);

// new.seq and new.t_us of an event of run `run`: integers, or the same as
// decimal text (a peer may forward test_decoding's values as text). A row
// of another run (a late event of an earlier rate) or any other shape ->
// nullopt, which the tracker counts as foreign; seq -1 is a warm-up row.
std::optional<BenchEvent> parse_change_event(const nlohmann::json& kwargs, std::int64_t run);

// "2024-05-01T12:00:00.123456Z" for microseconds since the epoch (UTC), the
// commit_time format of the contract.
std::string iso8601_utc(std::int64_t us);

}  // namespace pgwamp::bench
