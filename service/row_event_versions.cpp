#include "service/row_event_versions.hpp"

namespace pgwamp::service {

std::vector<RowEventVersion> row_event_versions(const std::string& op, const Audience& old_row,
                                                const Audience& new_row) {
    std::vector<RowEventVersion> out;
    auto add = [&out](std::string version_op, bool with_old, bool with_new, Audience to) {
        if (to.kind() != Audience::Kind::nobody) out.push_back({std::move(version_op), with_old, with_new, std::move(to)});
    };
    if (op == "insert") {
        add("insert", false, true, new_row);
    } else if (op == "delete") {
        add("delete", true, false, old_row);
    } else if (op == "update") {
        add("update", true, true, old_row.intersect(new_row));
        add("delete", true, false, old_row.minus(new_row));
        add("insert", false, true, new_row.minus(old_row));
    } else {
        add(op, false, false, Audience::everyone());  // truncate: no rows, every subscriber's copy goes
    }
    return out;
}

std::optional<RowEventVersion> row_event_version_for(const std::string& op, const Audience& old_row,
                                                     const Audience& new_row, const std::string& caller_authid) {
    for (auto& version : row_event_versions(op, old_row, new_row))
        if (version.to.admits(caller_authid)) return version;
    return std::nullopt;
}

Object version_kwargs(const Object& change, const RowEventVersion& version) {
    Object out;
    out.reserve(change.size());
    for (const auto& [key, value] : change) {
        if (key == "op") out.emplace_back(key, version.op);
        else if (key == "old") out.emplace_back(key, version.with_old ? value : Value(Null{}));
        else if (key == "new") out.emplace_back(key, version.with_new ? value : Value(Null{}));
        else if (key != "audience") out.emplace_back(key, value);
    }
    return out;
}

namespace {

wamp::PublishOptions options_for(const Audience& to, const std::string& service_authid) {
    wamp::PublishOptions options;
    options.acknowledge = true;
    switch (to.kind()) {
        case Audience::Kind::only: options.eligible_authid = {to.authid()}; break;
        case Audience::Kind::all_but: options.exclude_authid = {to.authid()}; break;
        case Audience::Kind::everyone:
        case Audience::Kind::nobody: break;
    }
    if (!service_authid.empty() && to.kind() != Audience::Kind::only) options.exclude_authid.push_back(service_authid);
    return options;
}

Value describe(const Audience& a) {
    return a.kind() == Audience::Kind::only ? Object{{"kind", "only"}, {"authid", a.authid()}}
                                            : Object{{"kind", a.describe()}};
}

std::optional<Audience> parse(const Value* v) {
    if (!v || !v->is<Object>()) return std::nullopt;
    const Value* kind = find_field(v->as<Object>(), "kind");
    const Value* authid = find_field(v->as<Object>(), "authid");
    if (!kind || !kind->is<std::string>()) return std::nullopt;
    const auto& k = kind->as<std::string>();
    if (k == "everyone") return Audience::everyone();
    if (k == "nobody") return Audience::nobody();
    if (k == "only" && authid && authid->is<std::string>()) return Audience::only(authid->as<std::string>());
    return std::nullopt;
}

}  // namespace

std::vector<Publication> row_event_publications(const Object& change, const Audience& old_row,
                                                const Audience& new_row, const std::string& service_authid) {
    std::vector<Publication> out;
    const Value* op = find_field(change, "op");
    for (const auto& version : row_event_versions(op && op->is<std::string>() ? op->as<std::string>() : "", old_row,
                                                  new_row))
        out.push_back({version_kwargs(change, version), options_for(version.to, service_authid)});
    if (!service_authid.empty()) {
        Object whole = change;
        whole.emplace_back("audience", Object{{"old", describe(old_row)}, {"new", describe(new_row)}});
        wamp::PublishOptions options;
        options.acknowledge = true;
        options.eligible_authid = {service_authid};
        out.push_back({std::move(whole), std::move(options)});
    }
    return out;
}

std::optional<RowAudiences> audiences_of_service_copy(const Object& event) {
    const Value* audience = find_field(event, "audience");
    if (!audience || !audience->is<Object>()) return std::nullopt;
    auto old_row = parse(find_field(audience->as<Object>(), "old"));
    auto new_row = parse(find_field(audience->as<Object>(), "new"));
    if (!old_row || !new_row) return std::nullopt;
    return RowAudiences{std::move(*old_row), std::move(*new_row)};
}

}  // namespace pgwamp::service
