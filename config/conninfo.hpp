#pragma once
// libpq connection strings, as far as config/ needs them: refuse one that
// carries a password (it belongs in password_env/password_file), and add the
// password at runtime. Both forms are handled: "host=... dbname=..." and
// "postgresql://user@host/db?opt=...".

#include <optional>
#include <string>
#include <string_view>

namespace pgwamp::config {

// nullopt when acceptable; otherwise why not, without repeating any of it.
std::optional<std::string> conninfo_problem(std::string_view conninfo);

// conninfo with `password` added in the form's own syntax. conninfo may be
// empty (libpq then takes everything else from PG* variables).
std::string conninfo_with_password(std::string_view conninfo, std::string_view password);

}  // namespace pgwamp::config
