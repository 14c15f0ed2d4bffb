#include "db/local_settings.hpp"

#include "db/error.hpp"

namespace pgwamp::db {

LocalSettings::LocalSettings(std::vector<std::pair<std::string, std::string>> settings)
    : settings_(std::move(settings)) {
    std::vector<Value> params;
    sql_ = "SELECT ";
    int n = 0;
    for (const auto& [name, value] : settings_) {
        if (name.empty()) throw Error(make_error_code(Errc::bad_value), "a local setting needs a name");
        if (n > 0) sql_ += ", ";
        sql_ += "set_config($" + std::to_string(n + 1) + ", $" + std::to_string(n + 2) + ", true)";
        n += 2;
        params.emplace_back(name);
        params.emplace_back(value);
    }
    bound_ = bind_params(params);  // rejects NUL bytes
}

std::shared_ptr<const LocalSettings> make_local_settings(std::vector<std::pair<std::string, std::string>> settings) {
    if (settings.empty()) return nullptr;
    return std::make_shared<const LocalSettings>(std::move(settings));
}

}  // namespace pgwamp::db
