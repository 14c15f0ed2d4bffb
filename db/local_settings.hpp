#pragma once
// Settings one statement (or one interaction) runs with, like SET LOCAL:
// set_config(name, value, true) sent before the statement, ahead of the same
// pipeline Sync (an interaction: right after its BEGIN). The server resets
// them when that transaction ends, so a pooled connection never carries one
// caller's settings to the next. Names and values are bound parameters,
// never SQL text, so an authid with quotes or 1,000 characters is data.
//
// "role" is PostgreSQL's SET ROLE: set_config('role', r, true) is SET LOCAL
// ROLE r, with the same membership check (PostgREST does the same).

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "pg/params.hpp"

namespace pgwamp::db {

class LocalSettings {
public:
    // Throws db::Error(bad_value) for an empty name or a NUL byte anywhere.
    explicit LocalSettings(std::vector<std::pair<std::string, std::string>> settings);

    // SELECT set_config($1, $2, true), set_config($3, $4, true), ...
    const std::string& sql() const { return sql_; }
    const BoundParams& bound() const { return bound_; }
    const std::vector<std::pair<std::string, std::string>>& settings() const { return settings_; }

private:
    std::vector<std::pair<std::string, std::string>> settings_;
    std::string sql_;
    BoundParams bound_;
};

// Null when there is nothing to set.
std::shared_ptr<const LocalSettings> make_local_settings(std::vector<std::pair<std::string, std::string>> settings);

// `base` plus transaction_read_only = on: the statement's implicit
// transaction is READ ONLY, so a write fails with 25006 (read_only_sql_transaction).
std::shared_ptr<const LocalSettings> with_read_only(const std::shared_ptr<const LocalSettings>& base);

}  // namespace pgwamp::db
