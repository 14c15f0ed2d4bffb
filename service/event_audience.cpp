#include "service/event_audience.hpp"

namespace pgwamp::service {

bool Audience::admits(const std::string& caller_authid) const {
    switch (kind_) {
        case Kind::everyone: return true;
        case Kind::only: return !caller_authid.empty() && caller_authid == authid_;
        // A caller whose authid is not disclosed cannot be told apart from the excluded one.
        case Kind::all_but: return !caller_authid.empty() && caller_authid != authid_;
        case Kind::nobody: return false;
    }
    return false;
}

// Only everyone, only and nobody come out of audience_of(); all_but comes
// out of minus() alone and is never an operand here.
Audience Audience::intersect(const Audience& other) const {
    if (kind_ == Kind::everyone) return other;
    if (other.kind_ == Kind::everyone) return *this;
    if (kind_ == Kind::only && other.kind_ == Kind::only && authid_ == other.authid_) return *this;
    return nobody();
}

Audience Audience::minus(const Audience& other) const {
    if (kind_ == Kind::nobody || other.kind_ == Kind::everyone) return nobody();
    if (other.kind_ == Kind::nobody) return *this;
    // other is only(b)
    if (kind_ == Kind::everyone) return all_but(other.authid_);
    if (kind_ == Kind::only) return authid_ == other.authid_ ? nobody() : *this;
    return nobody();
}

std::string Audience::describe() const {
    switch (kind_) {
        case Kind::everyone: return "everyone";
        case Kind::only: return "only:" + authid_;
        case Kind::all_but: return "all_but:" + authid_;
        case Kind::nobody: return "nobody";
    }
    return "nobody";
}

Audience audience_of(const config::EventAudience& audience, const Value& row) {
    return row.is<Object>() ? audience_of(audience, row.as<Object>()) : Audience::everyone();
}

Audience audience_of(const config::EventAudience& audience, const Object& columns) {
    if (!audience.restricted()) return Audience::everyone();
    const Value* flag = audience.public_flag ? find_field(columns, *audience.public_flag) : nullptr;
    if (flag && flag->is<bool>() && flag->as<bool>()) return Audience::everyone();
    const Value* owner = find_field(columns, *audience.owner);
    if (owner && owner->is<std::string>() && !owner->as<std::string>().empty())
        return Audience::only(owner->as<std::string>());
    if (owner && owner->is<std::int64_t>()) return Audience::only(std::to_string(owner->as<std::int64_t>()));
    // Nobody owns it: public only when no flag says otherwise.
    return flag ? Audience::nobody() : Audience::everyone();
}

}  // namespace pgwamp::service
