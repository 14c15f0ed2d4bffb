#pragma once
// SQL identifier quoting, for the names that cannot be bound parameters:
// LISTEN/UNLISTEN channels, and the replication slot, publication and tables
// of the change stream (replication commands take no parameters at all).

#include <string>

namespace pgwamp::db {

// "name" with inner quotes doubled. Throws db::Error(bad_value) for empty
// names or NUL bytes.
std::string quote_identifier(const std::string& name);

}  // namespace pgwamp::db
