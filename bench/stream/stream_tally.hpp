#pragma once
// What bench_stream_call counts while a result arrives, as plain data so it
// can be tested without a router: rows, their size in MessagePack, chunks,
// whether each chunk's offset says no rows went missing, and when the first
// chunk came.

#include "common/value.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace pgwamp::bench {

// Octets `value` takes in MessagePack (the smallest encoding, as msgpack-c
// writes it). Exact for what the rows hold; the WAMP envelope is not counted.
std::uint64_t msgpack_size(const Value& value);

class StreamTally {
public:
    using Clock = std::chrono::steady_clock;

    explicit StreamTally(Clock::time_point called) : called_(called) {}

    // One progressive result: args [rows], kwargs {offset}.
    void on_progress(const Array& args, const Object& kwargs, Clock::time_point now);
    // The final result. Progressive: args [{rows, chunks}]; otherwise args [rows].
    void on_result(const Array& args, Clock::time_point now);

    std::uint64_t rows() const { return rows_; }
    std::uint64_t bytes() const { return bytes_; }
    std::uint64_t chunks() const { return chunks_; }
    // Chunks whose offset was not the number of rows before them.
    std::uint64_t offset_errors() const { return offset_errors_; }
    // Progressive: rows (and chunks) the final result announced; nullopt if
    // it announced none or this was not a progressive call.
    std::optional<std::uint64_t> announced_rows() const { return announced_rows_; }
    std::optional<std::uint64_t> announced_chunks() const { return announced_chunks_; }
    // From the call to the first chunk (the whole result when not progressive).
    std::optional<double> first_chunk_ms() const { return first_ms_; }
    std::optional<double> total_s() const { return total_s_; }
    // Why the result does not look like rows, if it does not.
    const std::string& shape_error() const { return shape_error_; }

private:
    void add_rows(const Value& rows, Clock::time_point now);
    double ms_since_call(Clock::time_point now) const;

    Clock::time_point called_;
    std::uint64_t rows_ = 0;
    std::uint64_t bytes_ = 0;
    std::uint64_t chunks_ = 0;
    std::uint64_t offset_errors_ = 0;
    std::optional<std::uint64_t> announced_rows_;
    std::optional<std::uint64_t> announced_chunks_;
    std::optional<double> first_ms_;
    std::optional<double> total_s_;
    std::string shape_error_;
};

}  // namespace pgwamp::bench
