#pragma once
// com.example.now.v1 .. v4: the database's now() as a string, written four
// ways, as the Crossbar documentation's Python components are. They are the
// examples to copy when writing a procedure of your own in C++:
//
//   v1  a plain query, completion callback         (adbapi runQuery + addCallback)
//   v2  a plain query, C++20 coroutine             (runQuery under inlineCallbacks)
//   v3  a transaction, completion callbacks        (runInteraction)
//   v4  a transaction, C++20 coroutine             (runInteraction + inlineCallbacks)
//
// Every one takes its cancel signal and timeout from the CallContext, so a
// caller's cancel or timeout stops the SQL, and answers errors through
// CallContext::fail, the one mapping to WAMP error URIs.

#include <memory>

#include "db/pool.hpp"
#include "service/call_context.hpp"

namespace pgwamp::service {

void now_v1(db::Pool& pool, std::shared_ptr<CallContext> context);
void now_v2(db::Pool& pool, std::shared_ptr<CallContext> context);
void now_v3(db::Pool& pool, std::shared_ptr<CallContext> context);
void now_v4(db::Pool& pool, std::shared_ptr<CallContext> context);

}  // namespace pgwamp::service
