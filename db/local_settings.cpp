#include "db/local_settings.hpp"

#include "pg/error.hpp"

namespace pgwamp::db {
namespace {

// The statement for n settings: the same text for every call that runs as
// someone, so it is built once (and the connection prepares it once).
std::string settings_sql(std::size_t n) {
    std::string sql = "SELECT ";
    for (std::size_t i = 0; i < n; ++i) {
        if (i > 0) sql += ", ";
        sql += "set_config($" + std::to_string(2 * i + 1) + ", $" + std::to_string(2 * i + 2) + ", true)";
    }
    return sql;
}

const std::string& cached_settings_sql(std::size_t n) {
    thread_local std::vector<std::string> by_count;  // no lock: each thread builds its own few
    while (by_count.size() <= n) by_count.push_back(settings_sql(by_count.size()));
    return by_count[n];
}

}  // namespace

LocalSettings::LocalSettings(std::vector<std::pair<std::string, std::string>> settings)
    : settings_(std::move(settings)), sql_(cached_settings_sql(settings_.size())) {
    std::vector<Value> params;
    params.reserve(2 * settings_.size());
    for (const auto& [name, value] : settings_) {
        if (name.empty()) throw Error(make_error_code(Errc::bad_value), "a local setting needs a name");
        params.emplace_back(name);
        params.emplace_back(value);
    }
    bound_ = bind_params(params);  // rejects NUL bytes
}

std::shared_ptr<const LocalSettings> make_local_settings(std::vector<std::pair<std::string, std::string>> settings) {
    if (settings.empty()) return nullptr;
    return std::make_shared<const LocalSettings>(std::move(settings));
}



std::shared_ptr<const LocalSettings> with_read_only(const std::shared_ptr<const LocalSettings>& base) {
    static const auto alone = std::make_shared<const LocalSettings>(
        std::vector<std::pair<std::string, std::string>>{{"transaction_read_only", "on"}});
    if (!base) return alone;
    auto settings = base->settings();
    settings.emplace_back("transaction_read_only", "on");
    return std::make_shared<const LocalSettings>(std::move(settings));
}

}  // namespace pgwamp::db
