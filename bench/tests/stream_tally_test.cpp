#include "stream_tally.hpp"

#include "wamp/value_msgpack.hpp"

#include <gtest/gtest.h>

#include <string>

using pgwamp::Array;
using pgwamp::Bytes;
using pgwamp::Object;
using pgwamp::Value;
using pgwamp::bench::StreamTally;

namespace {

Value row(std::int64_t n) { return Object{{"n", n}, {"hash", std::string(32, 'a')}}; }

Array rows(std::int64_t from, std::int64_t count) {
    Array out;
    for (std::int64_t n = from; n < from + count; ++n) out.push_back(row(n));
    return out;
}

// args [rows]: a one-element Array (braces around an Array would copy it instead).
Array one(Array rows) { return Array{Value(std::move(rows))}; }

}  // namespace

TEST(MsgpackSize, MatchesTheEncoderAtEveryBoundary) {
    std::vector<Value> values = {Value(), true, 0, 127, 128, -32, -33, 255, 256, -129, 65535, 65536, -32769,
                                 std::int64_t{4294967295}, std::int64_t{4294967296}, std::int64_t{-2147483649}, 1.0,
                                 std::string(31, 'x'), std::string(32, 'x'), std::string(255, 'x'),
                                 std::string(256, 'x'), std::string(70000, 'x'), Bytes(3), Bytes(300), Bytes(70000),
                                 Array(15, 1), Array(16, 1), Array(70000, 1), row(1), row(1'000'000),
                                 Value(rows(1, 20))};
    for (const auto& v : values) {
        EXPECT_EQ(pgwamp::bench::msgpack_size(v), pgwamp::wamp::encode(v).size()) << pgwamp::type_name(v);
    }
}

TEST(StreamTally, CountsChunksAndChecksOffsets) {
    auto t0 = StreamTally::Clock::now();
    StreamTally t(t0);
    t.on_progress(one(rows(1, 3)), {{"offset", 0}}, t0 + std::chrono::milliseconds(4));
    t.on_progress(one(rows(4, 2)), {{"offset", 3}}, t0 + std::chrono::milliseconds(9));
    t.on_progress(one(rows(6, 2)), {{"offset", 4}}, t0 + std::chrono::milliseconds(12));  // should be 5
    t.on_result({Object{{"rows", 7}, {"chunks", 3}}}, t0 + std::chrono::milliseconds(500));
    EXPECT_EQ(t.rows(), 7u);
    EXPECT_EQ(t.chunks(), 3u);
    EXPECT_EQ(t.offset_errors(), 1u);
    EXPECT_EQ(t.announced_rows(), 7u);
    EXPECT_EQ(t.announced_chunks(), 3u);
    EXPECT_DOUBLE_EQ(*t.first_chunk_ms(), 4.0);
    EXPECT_DOUBLE_EQ(*t.total_s(), 0.5);
    EXPECT_EQ(t.bytes(), pgwamp::wamp::encode(Value(rows(1, 7))).size() - 1);  // less the array header
    EXPECT_TRUE(t.shape_error().empty());
}

TEST(StreamTally, OneResultIsOneChunk) {
    auto t0 = StreamTally::Clock::now();
    StreamTally t(t0);
    t.on_result(one(rows(1, 5)), t0 + std::chrono::milliseconds(80));
    EXPECT_EQ(t.rows(), 5u);
    EXPECT_EQ(t.chunks(), 1u);
    EXPECT_FALSE(t.announced_rows());
    EXPECT_DOUBLE_EQ(*t.first_chunk_ms(), 80.0);
}

TEST(StreamTally, AnEmptyStreamAndAWrongShape) {
    auto t0 = StreamTally::Clock::now();
    StreamTally empty(t0);
    empty.on_result({Object{{"rows", 0}, {"chunks", 0}}}, t0);
    EXPECT_EQ(empty.rows(), 0u);
    EXPECT_EQ(empty.announced_rows(), 0u);
    EXPECT_FALSE(empty.first_chunk_ms());

    StreamTally wrong(t0);
    wrong.on_result({Value("2024-01-01")}, t0);
    EXPECT_NE(wrong.shape_error().find("expected a list of rows"), std::string::npos);
}
