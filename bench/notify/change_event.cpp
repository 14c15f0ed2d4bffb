#include "change_event.hpp"

#include <charconv>
#include <cstdio>
#include <ctime>

namespace pgwamp::bench {

namespace {

std::optional<std::int64_t> integer(const nlohmann::json& v) {
    if (v.is_number_integer()) {
        return v.get<std::int64_t>();
    }
    if (!v.is_string()) {
        return std::nullopt;
    }
    const auto& text = v.get_ref<const std::string&>();
    std::int64_t out = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
        return std::nullopt;
    }
    return out;
}

}  // namespace

std::string iso8601_utc(std::int64_t us) {
    // Floor division, so a time before the epoch still gets micros in [0, 1e6).
    const std::int64_t micros = ((us % 1'000'000) + 1'000'000) % 1'000'000;
    std::time_t seconds = static_cast<std::time_t>((us - micros) / 1'000'000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char out[96];  // room for any int in each field, as -Wformat-truncation asks
    std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long>(micros));
    return out;
}

nlohmann::json change_event_kwargs(const nlohmann::json& payload, const std::string& table, std::int64_t run,
                                   std::int64_t id) {
    const std::int64_t t_us = payload.at("t_us").get<std::int64_t>();
    const std::int64_t seq = payload.contains("seq") ? payload["seq"].get<std::int64_t>() : -1;
    char position[24];
    std::snprintf(position, sizeof position, "%016llX", static_cast<unsigned long long>(id));
    return {{"op", "insert"},
            {"table", table},
            {"new",
             {{"id", id}, {"run", run}, {"seq", seq}, {"t_us", t_us}, {"body", "bench"},
              {"created_at", iso8601_utc(t_us)}}},
            {"old", nullptr},
            {"position", position},
            {"commit_time", iso8601_utc(t_us)}};
}

std::optional<BenchEvent> parse_change_event(const nlohmann::json& kwargs, std::int64_t run) {
    if (!kwargs.is_object()) {
        return std::nullopt;
    }
    auto row = kwargs.find("new");
    if (row == kwargs.end() || !row->is_object() || !row->contains("run") || !row->contains("seq") ||
        !row->contains("t_us")) {
        return std::nullopt;
    }
    auto row_run = integer((*row)["run"]);
    auto seq = integer((*row)["seq"]);
    auto t_us = integer((*row)["t_us"]);
    if (!row_run || *row_run != run || !seq || !t_us || *seq < -1) {
        return std::nullopt;
    }
    return BenchEvent{*seq, *t_us, *seq == -1};
}

}  // namespace pgwamp::bench
