// The replication stream's bytes: parse_copy_message() on the input, then
// decode_pgoutput() on an XLogData's payload and on the input itself, and
// parse_lsn() on it as text. The only error is db::Error. Checks that both
// formats are self-delimiting: a pgoutput message or keepalive that decodes
// stops decoding when one octet is cut off or added, and that an LSN that
// parses prints back to an equal value.

#include "pg/replication_messages.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

#include "pg/error.hpp"

using namespace pgwamp::db;
using namespace pgwamp::db::replication;

namespace {

template <class Decode>
bool decodes(Decode decode, std::string_view bytes) {
    try {
        decode(bytes);
        return true;
    } catch (const Error&) {
        return false;
    }
}

// A decoded message must not also decode without its last octet or with one more.
template <class Decode>
void check_self_delimiting(Decode decode, std::string_view bytes) {
    // Fresh exact-size buffers, so ASan sees a read past the shorter one.
    const std::string shorter(bytes.substr(0, bytes.size() - 1));
    std::string longer(bytes);
    longer.push_back('\0');
    if (decodes(decode, shorter) || decodes(decode, longer)) std::abort();
}

void pgoutput(std::string_view bytes) {
    if (!decodes(decode_pgoutput, bytes)) return;
    check_self_delimiting(decode_pgoutput, bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);

    try {
        const CopyMessage message = parse_copy_message(bytes);
        if (const auto* x = std::get_if<XLogData>(&message)) {
            if (x->payload != bytes.substr(25)) std::abort();
            pgoutput(x->payload);
        } else {
            if (size != 18) std::abort();
            check_self_delimiting(parse_copy_message, bytes);
        }
    } catch (const Error&) {
    }

    pgoutput(bytes);

    if (const auto lsn = parse_lsn(bytes)) {
        if (parse_lsn(format_lsn(*lsn)) != lsn) std::abort();
    }
    return 0;
}
