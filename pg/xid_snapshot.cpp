#include "pg/xid_snapshot.hpp"

#include <algorithm>
#include <charconv>

namespace pgwamp::db {

namespace {

bool parse_xid(std::string_view text, std::uint64_t& out) {
    if (text.empty()) return false;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, out);
    return ec == std::errc() && ptr == end;
}

}  // namespace

XidSnapshot::XidSnapshot(std::uint64_t xmin, std::uint64_t xmax, std::vector<std::uint64_t> in_progress)
    : xmin_(xmin), xmax_(xmax), in_progress_(std::move(in_progress)) {
    std::sort(in_progress_.begin(), in_progress_.end());
}

std::optional<XidSnapshot> XidSnapshot::parse(std::string_view text) {
    const auto first = text.find(':');
    if (first == std::string_view::npos) return std::nullopt;
    const auto second = text.find(':', first + 1);
    if (second == std::string_view::npos) return std::nullopt;
    std::uint64_t xmin = 0, xmax = 0;
    if (!parse_xid(text.substr(0, first), xmin) || !parse_xid(text.substr(first + 1, second - first - 1), xmax))
        return std::nullopt;
    if (xmin > xmax) return std::nullopt;
    std::vector<std::uint64_t> running;
    std::string_view rest = text.substr(second + 1);
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        std::uint64_t xid = 0;
        if (!parse_xid(rest.substr(0, comma), xid) || xid < xmin || xid >= xmax) return std::nullopt;
        running.push_back(xid);
        if (comma == std::string_view::npos) break;
        rest = rest.substr(comma + 1);
        if (rest.empty()) return std::nullopt;  // a trailing comma
    }
    return XidSnapshot(xmin, xmax, std::move(running));
}

std::uint64_t XidSnapshot::widen(std::uint32_t xid) const {
    // The full xid with these low 32 bits that is nearest to xmax.
    const std::uint64_t epoch = xmax_ >> 32;
    const std::uint32_t low = static_cast<std::uint32_t>(xmax_);
    const auto diff = static_cast<std::int32_t>(xid - low);  // modulo 2^32, signed: within ±2^31
    const std::int64_t full = static_cast<std::int64_t>((epoch << 32) | low) + diff;
    return full < 0 ? static_cast<std::uint64_t>(xid) : static_cast<std::uint64_t>(full);
}

bool XidSnapshot::saw_full(std::uint64_t xid) const {
    if (xid < xmin_) return true;
    if (xid >= xmax_) return false;
    return !std::binary_search(in_progress_.begin(), in_progress_.end(), xid);
}

}  // namespace pgwamp::db
