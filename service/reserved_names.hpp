#pragma once
// Names no browser may sign in as. The service's own authid receives every
// row change whole (its other processes keep the replay history from it),
// so a user holding that name would read everyone's private events; names
// that look like the service or an operator would fool other users.
// Compared without case: "PGWAMP" and "pgwamp" are one name to a reader.
// The demo's app_signup() refuses the same names (scripts/demo_schema.sql).

#include <string_view>

namespace pgwamp::service {

// True for the service's authid, anything starting with "pgwamp", and a
// few operator-like names (admin, root, system, ...).
bool is_reserved_name(std::string_view authid, std::string_view service_authid);

}  // namespace pgwamp::service
