#pragma once
// Type casting by OID, psycopg2's new_type/register_type idea: each column's
// text-format value goes through the caster registered for its type OID.
// Unknown OIDs fall back to text, so a new type never breaks a query.
//
// Usage for a custom type (an enum, a domain, hstore):
//   auto types = std::make_shared<TypeRegistry>(*TypeRegistry::defaults());
//   types->register_type(mood_oid, casts::to_text);
//   types->register_array_type(mood_array_oid, mood_oid);
// A registry is read-only once shared with a pool; it is safe to read from
// several threads because nothing mutates it after set-up.

#include <functional>
#include <memory>
#include <string_view>
#include <unordered_map>

#include "common/value.hpp"

namespace pgwamp::db {

using Oid = unsigned int;

// PostgreSQL's pg_type OIDs for the built-in types (catalog/pg_type.dat).
// They are fixed by PostgreSQL; the integration test checks them against a
// live server. Names follow typname; array types are prefixed "array_".
namespace pg_type {
// Not a type: a parameter announced with OID 0 lets the server infer its type.
inline constexpr Oid unspecified = 0;
inline constexpr Oid bool_ = 16, bytea = 17, char_ = 18, name = 19, int8 = 20, int2 = 21,
                     int4 = 23, text = 25, oid = 26, json = 114, xml = 142, point = 600,
                     box = 603, cidr = 650, float4 = 700, float8 = 701, unknown = 705,
                     money = 790, macaddr = 829, inet = 869, bpchar = 1042, varchar = 1043,
                     date = 1082, time = 1083, timestamp = 1114, timestamptz = 1184,
                     interval = 1186, timetz = 1266, bit = 1560, varbit = 1562, numeric = 1700,
                     uuid = 2950, jsonb = 3802, jsonpath = 4072;
inline constexpr Oid array_xml = 143, array_json = 199, array_cidr = 651, array_money = 791,
                     array_bool = 1000, array_bytea = 1001, array_char = 1002,
                     array_name = 1003, array_int2 = 1005, array_int4 = 1007,
                     array_text = 1009, array_bpchar = 1014, array_varchar = 1015,
                     array_int8 = 1016, array_point = 1017, array_box = 1020,
                     array_float4 = 1021, array_float8 = 1022, array_oid = 1028,
                     array_macaddr = 1040, array_inet = 1041, array_timestamp = 1115,
                     array_date = 1182, array_time = 1183, array_timestamptz = 1185,
                     array_interval = 1187, array_numeric = 1231, array_timetz = 1270,
                     array_bit = 1561, array_varbit = 1563, array_uuid = 2951,
                     array_jsonb = 3807, array_jsonpath = 4073;
}  // namespace pg_type

class TypeRegistry {
public:
    using Caster = std::function<Value(std::string_view text)>;

    // Empty: every OID casts to text. Copy defaults() to start from the built-ins.
    TypeRegistry() = default;

    // Built-in casters for the standard types (see pg/TYPES.md). Built once.
    static std::shared_ptr<const TypeRegistry> defaults();

    // Adds or replaces the caster for one OID.
    void register_type(Oid oid, Caster caster);

    // Declares array_oid as an array of element_oid (psycopg2's new_array_type).
    // Elements are cast with whatever is registered for element_oid at cast
    // time, so the order of registration does not matter. `delimiter` is ','
    // for every built-in type except box.
    void register_array_type(Oid array_oid, Oid element_oid, char delimiter = ',');

    // Casts one non-null text-format value. Unknown OIDs give text. Throws
    // db::Error(Errc::bad_value) naming the OID when the text does not parse
    // (a caster's own exception is wrapped the same way).
    Value cast(Oid oid, std::string_view text) const;

private:
    struct ArrayType {
        Oid element;
        char delimiter;
    };

    Value cast_unwrapped(Oid oid, std::string_view text) const;

    std::unordered_map<Oid, Caster> casters_;
    std::unordered_map<Oid, ArrayType> arrays_;
};

}  // namespace pgwamp::db
