#pragma once
// db::args(1, "x", true): a statement's parameters without a braced list.
// GCC 12 rejects a braced std::vector<Value>{...} inside a co_await
// expression ("array used as initializer", the initializer_list's backing
// array in the coroutine frame), so in coroutines write
//   co_await pool.async_query(sql, db::args(41, "x"), use_awaitable);

#include <utility>
#include <vector>

#include "common/value.hpp"

namespace pgwamp::db {

template <class... A>
std::vector<Value> args(A&&... a) {
    std::vector<Value> v;
    v.reserve(sizeof...(A));
    (v.emplace_back(std::forward<A>(a)), ...);
    return v;
}

}  // namespace pgwamp::db
