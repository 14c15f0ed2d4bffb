#include "pg/type_registry.hpp"

#include <exception>
#include <string>

#include "pg/array_literal.hpp"
#include "pg/casts.hpp"
#include "pg/error.hpp"
#include "pg/value_json.hpp"

namespace pgwamp::db {
namespace {

std::shared_ptr<const TypeRegistry> make_defaults() {
    namespace t = pg_type;
    auto r = std::make_shared<TypeRegistry>();
    for (Oid oid : {t::bool_}) r->register_type(oid, casts::to_bool);
    for (Oid oid : {t::int2, t::int4, t::int8, t::oid}) r->register_type(oid, casts::to_integer);
    for (Oid oid : {t::float4, t::float8}) r->register_type(oid, casts::to_float);
    r->register_type(t::bytea, casts::to_bytea);
    r->register_type(t::date, casts::to_date);
    for (Oid oid : {t::time, t::timetz}) r->register_type(oid, casts::to_time);
    for (Oid oid : {t::timestamp, t::timestamptz}) r->register_type(oid, casts::to_timestamp);
    r->register_type(t::interval, casts::to_interval);
    for (Oid oid : {t::json, t::jsonb}) r->register_type(oid, parse_json);
    // numeric stays exact as text; text-like types, uuid and the rest need no
    // caster: unknown OIDs already come out as text.

    const std::pair<Oid, Oid> arrays[] = {
        {t::array_bool, t::bool_},         {t::array_bytea, t::bytea},
        {t::array_char, t::char_},         {t::array_name, t::name},
        {t::array_int2, t::int2},          {t::array_int4, t::int4},
        {t::array_int8, t::int8},          {t::array_oid, t::oid},
        {t::array_text, t::text},          {t::array_bpchar, t::bpchar},
        {t::array_varchar, t::varchar},    {t::array_float4, t::float4},
        {t::array_float8, t::float8},      {t::array_numeric, t::numeric},
        {t::array_date, t::date},          {t::array_time, t::time},
        {t::array_timetz, t::timetz},      {t::array_timestamp, t::timestamp},
        {t::array_timestamptz, t::timestamptz}, {t::array_interval, t::interval},
        {t::array_uuid, t::uuid},          {t::array_json, t::json},
        {t::array_jsonb, t::jsonb},        {t::array_jsonpath, t::jsonpath},
        {t::array_xml, t::xml},            {t::array_money, t::money},
        {t::array_inet, t::inet},          {t::array_cidr, t::cidr},
        {t::array_macaddr, t::macaddr},    {t::array_bit, t::bit},
        {t::array_varbit, t::varbit},      {t::array_point, t::point},
    };
    for (auto [array_oid, element_oid] : arrays) r->register_array_type(array_oid, element_oid);
    r->register_array_type(t::array_box, t::box, ';');  // boxes contain commas
    return r;
}

}  // namespace

std::shared_ptr<const TypeRegistry> TypeRegistry::defaults() {
    static const std::shared_ptr<const TypeRegistry> instance = make_defaults();
    return instance;
}

void TypeRegistry::register_type(Oid oid, Caster caster) {
    if (!caster) throw_bad_value("register_type: empty caster for OID " + std::to_string(oid));
    casters_[oid] = std::move(caster);
    arrays_.erase(oid);
}

void TypeRegistry::register_array_type(Oid array_oid, Oid element_oid, char delimiter) {
    arrays_[array_oid] = ArrayType{element_oid, delimiter};
    casters_.erase(array_oid);  // the array rule is the newest word on this OID
}

Value TypeRegistry::cast_unwrapped(Oid oid, std::string_view text) const {
    if (auto it = casters_.find(oid); it != casters_.end()) return it->second(text);
    if (auto it = arrays_.find(oid); it != arrays_.end()) {
        Oid element = it->second.element;
        return parse_array_literal(text, it->second.delimiter,
                                   [this, element](std::string_view e) {
                                       return cast_unwrapped(element, e);
                                   });
    }
    return std::string(text);
}

Value TypeRegistry::cast(Oid oid, std::string_view text) const {
    try {
        return cast_unwrapped(oid, text);
    } catch (const std::exception& e) {
        // Name the type, never the value (it may be a secret; this reaches logs).
        throw_bad_value("cannot cast a value of type OID " + std::to_string(oid) + ": " + e.what());
    }
}

}  // namespace pgwamp::db
