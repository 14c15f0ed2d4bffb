#include "pg/change_decoder.hpp"

#include <cinttypes>
#include <cstdio>
#include <ctime>

#include <spdlog/spdlog.h>

#include "pg/error.hpp"

namespace pgwamp::db {

namespace rp = replication;

std::string change_position(rp::Lsn commit_lsn, std::uint32_t index) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%016" PRIX64 "/%08" PRIX32, commit_lsn, index);
    return buf;
}

std::string iso_time_utc(std::int64_t pg_us) {
    const std::int64_t unix_us = pg_us + rp::pg_epoch_unix_us;
    std::int64_t seconds = unix_us / 1'000'000;
    std::int64_t micros = unix_us % 1'000'000;
    if (micros < 0) {
        micros += 1'000'000;
        --seconds;
    }
    const std::time_t t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06" PRId64 "Z", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, micros);
    return buf;
}

ChangeDecoder::ChangeDecoder(std::shared_ptr<const TypeRegistry> types) : types_(std::move(types)) {}

void ChangeDecoder::reset() {
    relations_.clear();
    in_transaction_ = false;
    index_ = 0;
}

const ChangeDecoder::Relation& ChangeDecoder::relation(rp::Oid oid) const {
    const auto found = relations_.find(oid);
    if (found == relations_.end())
        throw Error(make_error_code(Errc::connection_lost),
                    "replication stream: a change for relation " + std::to_string(oid) + " that was never described");
    return found->second;
}

Value ChangeDecoder::cast(const rp::RelationColumn& column, const std::string& text) const {
    try {
        return types_->cast(column.type_oid, text);
    } catch (const Error& e) {
        // The same text a query would have failed to cast: keep the change
        // (losing it would be worse) with the value as the server wrote it.
        spdlog::warn("event=change_column_kept_as_text column={} error=\"{}\"", column.name, e.what());
        return Value(text);
    }
}

Object ChangeDecoder::row(const Relation& rel, const rp::TupleData& tuple, bool key_only) const {
    Object out;
    out.reserve(tuple.size());
    const std::size_t n = std::min(tuple.size(), rel.columns.size());
    for (std::size_t i = 0; i < n; ++i) {
        const auto& column = rel.columns[i];
        if (key_only && !column.part_of_key()) continue;  // sent as null, but not part of the key
        switch (tuple[i].kind) {
            case rp::ColumnKind::null: out.emplace_back(column.name, Value(Null{})); break;
            case rp::ColumnKind::unchanged_toast: break;  // not sent: absent, never null
            case rp::ColumnKind::text: out.emplace_back(column.name, cast(column, tuple[i].value)); break;
            case rp::ColumnKind::binary: out.emplace_back(column.name, Value(Bytes(tuple[i].value.begin(), tuple[i].value.end()))); break;
        }
    }
    return out;
}

RowChange ChangeDecoder::make_change(const char* op, const Relation& rel) {
    RowChange c;
    c.op = op;
    c.schema = rel.schema;
    c.table = rel.table;
    c.position = change_position(final_lsn_, index_++);
    c.commit_time = commit_time_;
    c.xid = xid_;
    return c;
}

ChangeDecoder::Step ChangeDecoder::feed(const rp::PgoutputMessage& message, std::vector<RowChange>& out) {
    return std::visit(
        [&](const auto& m) -> Step {
            using T = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<T, rp::Begin>) {
                in_transaction_ = true;
                final_lsn_ = m.final_lsn;
                xid_ = m.xid;
                commit_time_ = iso_time_utc(m.commit_time_us);
                index_ = 0;
                return Step::begin;
            } else if constexpr (std::is_same_v<T, rp::Commit>) {
                in_transaction_ = false;
                commit_end_lsn_ = m.end_lsn;
                return Step::commit;
            } else if constexpr (std::is_same_v<T, rp::Relation>) {
                // pg_catalog is sent as an empty namespace.
                relations_[m.oid] = {m.namespace_name.empty() ? "pg_catalog" : m.namespace_name, m.name, m.columns};
                return Step::other;
            } else if constexpr (std::is_same_v<T, rp::Insert>) {
                const auto& rel = relation(m.relation);
                auto c = make_change("insert", rel);
                c.new_row = row(rel, m.new_tuple, false);
                out.push_back(std::move(c));
                return Step::change;
            } else if constexpr (std::is_same_v<T, rp::Update>) {
                const auto& rel = relation(m.relation);
                auto c = make_change("update", rel);
                c.new_row = row(rel, m.new_tuple, false);
                if (m.old) c.old_row = row(rel, m.old->columns, m.old->kind == rp::OldKind::key);
                out.push_back(std::move(c));
                return Step::change;
            } else if constexpr (std::is_same_v<T, rp::Delete>) {
                const auto& rel = relation(m.relation);
                auto c = make_change("delete", rel);
                c.old_row = row(rel, m.old.columns, m.old.kind == rp::OldKind::key);
                out.push_back(std::move(c));
                return Step::change;
            } else if constexpr (std::is_same_v<T, rp::Truncate>) {
                for (const auto oid : m.relations) out.push_back(make_change("truncate", relation(oid)));
                return Step::change;
            } else if constexpr (std::is_same_v<T, rp::LogicalMessage>) {
                // Only a transactional one has a place in commit order (a live query's fence).
                if (!m.transactional() || !in_transaction_) return Step::other;
                RowChange c;
                c.op = "message";
                c.table = m.prefix;
                c.new_row = Object{{"content", m.content}};
                c.position = change_position(final_lsn_, index_++);
                c.commit_time = commit_time_;
                c.xid = xid_;
                out.push_back(std::move(c));
                return Step::change;
            } else {
                return Step::other;  // Type, Origin: nothing to publish
            }
        },
        message);
}

}  // namespace pgwamp::db
