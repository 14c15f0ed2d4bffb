// The per-connection FIFO without a socket: scripted sends, results, syncs
// and cancels (STYLE.md habits 1 and 6).

#include <gtest/gtest.h>

#include "db/pipeline_fifo.hpp"

namespace pgwamp::db {
namespace {

RequestPtr req(const std::string& sql) {
    auto r = std::make_shared<Request>();
    r->sql = sql;
    return r;
}

TEST(PipelineFifo, SendsInOrderUpToTheCapAndCompletesInOrder) {
    PipelineFifo f(2);
    auto a = req("a"), b = req("b"), c = req("c");
    f.enqueue(a);
    f.enqueue(b);
    f.enqueue(c);
    EXPECT_EQ(f.next_to_send(), a);
    EXPECT_EQ(f.next_to_send(), b);
    EXPECT_EQ(f.next_to_send(), nullptr);  // cap of 2 in flight
    EXPECT_EQ(f.load(), 3u);
    EXPECT_EQ(f.head(), a.get());
    EXPECT_EQ(f.on_sync(), a);
    EXPECT_EQ(f.next_to_send(), c);
    EXPECT_EQ(f.on_sync(), b);
    EXPECT_EQ(f.on_sync(), c);
    EXPECT_EQ(f.on_sync(), nullptr);
    EXPECT_TRUE(f.empty());
}

TEST(PipelineFifo, CancelOfUnsentRemovesItWithoutTouchingOthers) {
    PipelineFifo f(1);
    auto a = req("a"), b = req("b"), c = req("c");
    f.enqueue(a);
    f.enqueue(b);
    f.enqueue(c);
    EXPECT_EQ(f.next_to_send(), a);
    EXPECT_EQ(f.cancel(b.get(), Errc::timeout), PipelineFifo::CancelStep::removed);
    EXPECT_EQ(b->cancel_reason, Errc::timeout);
    EXPECT_FALSE(f.holding());  // nothing in flight was targeted
    EXPECT_EQ(f.on_sync(), a);
    EXPECT_EQ(f.next_to_send(), c);
    EXPECT_EQ(f.cancel(b.get(), Errc::canceled), PipelineFifo::CancelStep::not_here);
}

TEST(PipelineFifo, CancelIsSentOnlyWhileTheTargetIsHeadAndHoldsSendsBack) {
    PipelineFifo f(8);
    auto a = req("a"), b = req("b"), later = req("later");
    f.enqueue(a);
    f.enqueue(b);
    f.next_to_send();
    f.next_to_send();
    // Cancel b while a still runs: it must wait for a to finish.
    EXPECT_EQ(f.cancel(b.get(), Errc::canceled), PipelineFifo::CancelStep::pending);
    EXPECT_EQ(f.take_cancel_to_send(), nullptr);
    EXPECT_TRUE(f.holding());
    f.enqueue(later);
    EXPECT_EQ(f.next_to_send(), nullptr);  // held back: a cancel is wanted
    EXPECT_EQ(f.on_sync(), a);
    // Now b is the head: the cancel goes out, once.
    EXPECT_EQ(f.take_cancel_to_send(), b);
    EXPECT_EQ(f.take_cancel_to_send(), nullptr);
    EXPECT_EQ(b->cancel_attempts, 1);
    // b finishes before the cancel request was answered: still holding,
    // since the signal could still land on whatever we send next.
    EXPECT_EQ(f.on_sync(), b);
    EXPECT_TRUE(f.holding());
    EXPECT_EQ(f.next_to_send(), nullptr);
    f.cancel_answered();
    EXPECT_FALSE(f.holding());
    EXPECT_EQ(f.next_to_send(), later);
}

TEST(PipelineFifo, CancelCanBeRearmedOnlyForTheRunningHead) {
    PipelineFifo f(4);
    auto a = req("a"), b = req("b");
    f.enqueue(a);
    f.enqueue(b);
    f.next_to_send();
    f.next_to_send();
    f.cancel(a.get(), Errc::canceled);
    EXPECT_EQ(f.take_cancel_to_send(), a);
    f.cancel_answered();
    EXPECT_TRUE(f.holding());              // a is still in flight and targeted
    EXPECT_FALSE(f.rearm_cancel(b.get()));  // not the head
    EXPECT_TRUE(f.rearm_cancel(a.get()));
    EXPECT_EQ(f.take_cancel_to_send(), a);
    EXPECT_EQ(a->cancel_attempts, 2);
    f.cancel_answered();
    EXPECT_EQ(f.on_sync(), a);
    EXPECT_FALSE(f.rearm_cancel(a.get()));
    EXPECT_FALSE(f.holding());
}

TEST(PipelineFifo, UnsendLastTakesBackARefusedRequest) {
    PipelineFifo f(4);
    auto a = req("a"), b = req("b");
    f.enqueue(a);
    f.enqueue(b);
    f.next_to_send();
    f.next_to_send();
    EXPECT_EQ(f.unsend_last(), b);
    EXPECT_EQ(f.in_flight(), 1u);
    EXPECT_EQ(f.on_sync(), a);
    EXPECT_EQ(f.on_sync(), nullptr);
}

TEST(PipelineFifo, DrainGivesInFlightThenUnsentAndResetsTheGuard) {
    PipelineFifo f(1);
    auto a = req("a"), b = req("b");
    f.enqueue(a);
    f.enqueue(b);
    f.next_to_send();
    f.cancel(a.get(), Errc::canceled);
    f.take_cancel_to_send();
    auto all = f.drain();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0], a);
    EXPECT_EQ(all[1], b);
    EXPECT_TRUE(f.empty());
    EXPECT_FALSE(f.holding());
}

TEST(Request, FinishRunsTheCompletionOnceAndReportsTheStatusTag) {
    auto r = req("COMMIT");
    int calls = 0;
    r->complete = [&](std::exception_ptr e, Result) {
        EXPECT_FALSE(e);
        ++calls;
    };
    r->status_sink = std::make_shared<std::string>();
    r->command_status = "ROLLBACK";
    r->finish(nullptr);
    r->finish(make_error(Errc::closed, "again"));
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(*r->status_sink, "ROLLBACK");
}

}  // namespace
}  // namespace pgwamp::db
