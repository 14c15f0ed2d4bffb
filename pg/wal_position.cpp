#include "pg/wal_position.hpp"

namespace pgwamp::db {
namespace {

// XLogPageHeaderData and XLogLongPageHeaderData, MAXALIGNed (access/xlog_internal.h).
constexpr std::uint64_t short_page_header = 24;
constexpr std::uint64_t long_page_header = 40;  // a segment's first page

std::optional<std::uint64_t> hex(std::string_view digits) {
    std::uint64_t v = 0;
    for (const char c : digits) {
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0) return std::nullopt;
        v = v << 4 | static_cast<std::uint64_t>(d);
    }
    return v;
}

}  // namespace

bool has_replayed(WalPosition replayed, WalPosition target, std::uint32_t wal_block_size,
                  std::uint64_t wal_segment_size) {
    if (replayed >= target) return true;
    const bool first_page = target % wal_segment_size < wal_block_size;
    const std::uint64_t header = first_page ? long_page_header : short_page_header;
    return target % wal_block_size == header && replayed >= target - header;
}

std::optional<WalPosition> replay_target_of_event(std::string_view position) {
    if (position.size() != 25 || position[16] != '/') return std::nullopt;
    const auto commit = hex(position.substr(0, 16));
    if (!commit || !hex(position.substr(17))) return std::nullopt;
    return *commit + 1;
}

}  // namespace pgwamp::db
