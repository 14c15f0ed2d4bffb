// Session driven by scripted router messages through a fake transport: no
// sockets, every message we send is inspected, every reply is hand-made.

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <deque>

#include "wamp/error.hpp"
#include "wamp/message.hpp"
#include "wamp/session.hpp"
#include "wamp/value_msgpack.hpp"

using namespace pgwamp;
using namespace pgwamp::wamp;

namespace {

// WAMP message codes as plain ints, so they fit in Value brace lists.
namespace code {
constexpr int hello = message::hello, welcome = message::welcome, abort = message::abort,
              challenge = message::challenge, authenticate = message::authenticate, error = message::error,
              call = message::call, result = message::result, register_ = message::register_,
              registered = message::registered, event = message::event, invocation = message::invocation,
              interrupt = message::interrupt, yield = message::yield, subscribed = message::subscribed;
}  // namespace code

// `levels` lists, each holding the next: from 73 on, deeper than unpack_limits() allow.
Value nested(int levels) {
    Value v = Array{};
    for (int i = 1; i < levels; ++i) v = Array{v};
    return v;
}

class FakeTransport : public Transport {
public:
    std::vector<Array> sent;
    bool open = true;
    std::size_t limit = 1u << 20;

    void connect(std::function<void(std::error_code)>) override {}
    std::error_code send(std::string payload) override {
        if (!open) return Errc::not_connected;
        if (payload.size() > limit) return Errc::message_too_large;
        sent.push_back(decode(payload).as<Array>());
        return {};
    }
    void close() override {
        open = false;
        on_message_ = nullptr;
        on_close_ = nullptr;
    }
    bool is_open() const override { return open; }
    std::size_t max_send_size() const override { return limit; }
    std::size_t queued_bytes() const override { return 0; }

    // What the router would send.
    void deliver(const Array& message) {
        auto handler = on_message_;  // the session may close us while handling
        if (handler) handler(encode(Value(message)));
    }
    void deliver_raw(std::string bytes) {
        auto handler = on_message_;
        if (handler) handler(bytes);
    }
    void lose() {
        open = false;
        auto handler = std::move(on_close_);
        on_message_ = nullptr;
        if (handler) handler(Errc::connection_lost);
    }
};

struct SessionTest : ::testing::Test {
    boost::asio::io_context io;
    std::shared_ptr<FakeTransport> transport = std::make_shared<FakeTransport>();
    std::shared_ptr<Session> session;
    std::optional<std::error_code> joined, closed;

    void join(SessionOptions options = {"realm1", "svc", "ticket", "s3cret"}) {
        session = std::make_shared<Session>(io, transport, options);
        session->join([this](std::error_code ec, std::string) { joined = ec; },
                      [this](std::error_code ec) { closed = ec; });
    }
    void join_ok() {
        join();
        transport->deliver({code::challenge, "ticket", Object{}});
        transport->deliver({code::welcome, 12345, Object{}});
        ASSERT_TRUE(joined && !*joined);
    }
    void drain() {
        io.restart();
        io.poll();
    }
    // Registers `uri` and answers REGISTERED with registration id `reg`.
    void provide(const std::string& uri, std::int64_t reg, Procedure p) {
        session->register_procedure(uri, {}, std::move(p), [](std::exception_ptr e) { ASSERT_FALSE(e); });
        auto& m = transport->sent.back();
        ASSERT_EQ(m[0], Value(code::register_));
        transport->deliver({code::registered, m[1], reg});
    }
};

}  // namespace

TEST_F(SessionTest, TicketChallengeIsAnsweredWithTheSecret) {
    join();
    ASSERT_EQ(transport->sent.size(), 1u);
    EXPECT_EQ(transport->sent[0][0], Value(code::hello));
    transport->deliver({code::challenge, "ticket", Object{}});
    ASSERT_EQ(transport->sent.size(), 2u);
    EXPECT_EQ(transport->sent[1], (Array{code::authenticate, "s3cret", Object{}}));
    transport->deliver({code::welcome, 1, Object{}});
    ASSERT_TRUE(joined);
    EXPECT_FALSE(*joined);
    EXPECT_TRUE(session->is_joined());
}

TEST_F(SessionTest, AbortReportsTheReason) {
    std::string reason;
    session = std::make_shared<Session>(io, transport, SessionOptions{"realm1", "svc", "ticket", "x"});
    session->join([&](std::error_code ec, std::string r) {
        joined = ec;
        reason = r;
    }, [](std::error_code) {});
    transport->deliver({code::abort, Object{{"message", "no"}}, "wamp.error.not_authorized"});
    ASSERT_TRUE(joined);
    EXPECT_EQ(*joined, Errc::join_aborted);
    EXPECT_EQ(reason, "wamp.error.not_authorized");
    EXPECT_FALSE(transport->open);
}

TEST_F(SessionTest, InterruptReachesTheInvocationAndTheSessionStays) {
    join_ok();
    std::optional<Invocation> inv;
    int interrupts = 0;
    provide("p", 7, [&](Invocation i) {
        inv = i;
        i.on_interrupt([&] { ++interrupts; });
    });
    transport->deliver({code::invocation, 99, 7, Object{}, Array{1}, Object{{"k", "v"}}});
    ASSERT_TRUE(inv);
    EXPECT_EQ(inv->args(), Array{1});
    EXPECT_EQ(inv->kwargs(), (Object{{"k", "v"}}));
    transport->deliver({code::interrupt, 99, Object{{"mode", "kill"}}});
    EXPECT_EQ(interrupts, 0) << "interrupt handler must be posted, not run inline";
    drain();
    EXPECT_EQ(interrupts, 1);
    transport->deliver({code::interrupt, 99, Object{}});  // again: at most once
    drain();
    EXPECT_EQ(interrupts, 1);
    EXPECT_TRUE(inv->interrupted());
    inv->error("wamp.error.canceled");
    inv->reply({"second answer is ignored"});
    ASSERT_EQ(transport->sent.back(), (Array{code::error, code::invocation, 99, Object{},
                                                 "wamp.error.canceled", Array{}, Object{}}));
    auto count = transport->sent.size();
    inv->reply({"x"});
    EXPECT_EQ(transport->sent.size(), count);
    EXPECT_TRUE(session->is_joined());
    EXPECT_TRUE(transport->open);
}

TEST_F(SessionTest, InterruptKillNoWaitIsNeverAnswered) {
    join_ok();
    std::optional<Invocation> inv;
    int interrupts = 0;
    provide("p", 7, [&](Invocation i) {
        inv = i;
        i.on_interrupt([&] { ++interrupts; });
    });
    // Options that are not a map (the fuzzer's find): an ordinary interrupt.
    transport->deliver({code::invocation, 40, 7, Object{}});
    transport->deliver({code::interrupt, 40, Array{1}});
    drain();
    EXPECT_EQ(interrupts, 1);
    transport->deliver({code::invocation, 41, 7, Object{{"receive_progress", true}}});
    const auto before = transport->sent.size();
    transport->deliver({code::interrupt, 41, Object{{"mode", "killnowait"}}});
    drain();
    EXPECT_EQ(interrupts, 2);  // the work still stops
    EXPECT_FALSE(inv->progress({1}));
    inv->error("wamp.error.canceled");
    EXPECT_EQ(transport->sent.size(), before) << "the router forgot the call: nothing may go out for it";
    EXPECT_TRUE(session->is_joined());
}

TEST_F(SessionTest, InterruptWithoutHandlerIsAnsweredCanceled) {
    join_ok();
    std::optional<Invocation> held;
    provide("p", 7, [&](Invocation i) { held = i; });
    transport->deliver({code::invocation, 5, 7, Object{}});
    transport->deliver({code::interrupt, 5, Object{}});
    EXPECT_EQ(transport->sent.back()[4], Value("wamp.error.canceled"));
    EXPECT_TRUE(held->answered());
    EXPECT_TRUE(session->is_joined());
}

TEST_F(SessionTest, DroppedInvocationIsAnsweredWithAnError) {
    join_ok();
    provide("p", 7, [](Invocation) {});  // forgets to answer
    transport->deliver({code::invocation, 5, 7, Object{}});
    EXPECT_EQ(transport->sent.back(), (Array{code::error, code::invocation, 5, Object{},
                                                 "wamp.error.runtime_error",
                                                 Array{"the procedure did not answer"}, Object{}}));
}

TEST_F(SessionTest, StrayIdsAreIgnored) {
    join_ok();
    transport->deliver({code::result, 424242, Object{}});
    transport->deliver({code::interrupt, 424242, Object{}});
    transport->deliver({code::event, 1, 2, Object{}});
    transport->deliver({code::error, code::call, 424242, Object{}, "x"});
    transport->deliver({code::registered, 424242, 1});
    EXPECT_TRUE(session->is_joined());
    EXPECT_TRUE(transport->open);
}

TEST_F(SessionTest, InvocationForUnknownRegistrationGetsAnError) {
    join_ok();
    transport->deliver({code::invocation, 5, 777, Object{}});
    EXPECT_EQ(transport->sent.back()[4], Value("wamp.error.no_such_registration"));
    EXPECT_TRUE(session->is_joined());
}

TEST_F(SessionTest, MalformedMessagesEndTheSessionCleanly) {
    for (auto bad : {std::string("\xc1"), encode(Value("not a list")), encode(Value(Array{})),
                     encode(Value(Array{code::result, "id is not an int"}))}) {
        transport = std::make_shared<FakeTransport>();
        closed.reset();
        join_ok();
        transport->deliver_raw(bad);
        ASSERT_TRUE(closed) << "no close for a malformed message";
        EXPECT_EQ(*closed, Errc::protocol_violation);
        EXPECT_FALSE(transport->open);
    }
}

// A payload nested deeper than unpack_limits() allow (any caller can send
// one through the router) used to make the whole INVOCATION unreadable, so
// the session ended: every call in flight failed, every registration went.
TEST_F(SessionTest, InvocationWithUnreadableArgumentsIsRefusedAndTheSessionStays) {
    join_ok();
    int runs = 0;
    provide("p", 7, [&](Invocation i) {
        ++runs;
        i.reply({"ok"});
    });
    transport->deliver({code::invocation, 5, 7, Object{}, nested(100), Object{}});
    EXPECT_EQ(runs, 0);
    EXPECT_EQ(transport->sent.back(),
              (Array{code::error, code::invocation, 5, Object{}, "wamp.error.invalid_argument",
                     Array{"cannot read the arguments: nested deeper than 64 levels"}, Object{}}));
    transport->deliver({code::invocation, 6, 7, Object{}, Array{}, nested(100)});  // kwargs too
    EXPECT_EQ(transport->sent.back()[4], Value("wamp.error.invalid_argument"));
    EXPECT_FALSE(closed);
    EXPECT_TRUE(session->is_joined());
    transport->deliver({code::invocation, 8, 7, Object{}, Array{}});
    EXPECT_EQ(runs, 1);
    EXPECT_EQ(transport->sent.back(), (Array{code::yield, 8, Object{}, Array{"ok"}, Object{}}));
}

TEST_F(SessionTest, EventWithUnreadablePayloadIsDropped) {
    join_ok();
    int events = 0;
    session->subscribe("t", [&](const Event&) { ++events; }, [](std::exception_ptr e) { ASSERT_FALSE(e); });
    transport->deliver({code::subscribed, transport->sent.back()[1], 3});
    transport->deliver({code::event, 3, 11, Object{}, Array{nested(100)}});
    EXPECT_EQ(events, 0);
    transport->deliver({code::event, 3, 12, Object{}, Array{1}});
    EXPECT_EQ(events, 1);
    EXPECT_FALSE(closed);
    EXPECT_TRUE(session->is_joined());
}

TEST_F(SessionTest, CallWhoseResultOrErrorIsUnreadableFailsAlone) {
    join_ok();
    for (const bool as_error : {false, true}) {
        std::optional<CallError> error;
        session->call("p", {}, {}, {}, [&](std::exception_ptr e, Array, Object) {
            try {
                std::rethrow_exception(e);
            } catch (const CallError& ce) {
                error = ce;
            }
        });
        const auto id = transport->sent.back()[1];
        if (as_error) {
            transport->deliver({code::error, code::call, id, Object{}, "app.error", Array{nested(100)}});
        } else {
            transport->deliver({code::result, id, Object{}, Array{nested(100)}});
        }
        ASSERT_TRUE(error) << as_error;
        EXPECT_EQ(error->uri(), "wamp.error.invalid_argument");
        EXPECT_EQ(error->args(), Array{std::string("cannot read the ") + (as_error ? "error" : "result") +
                                       ": nested deeper than 64 levels"});
    }
    EXPECT_FALSE(closed);
    EXPECT_TRUE(session->is_joined());
}

// Only another client's payload is forgiven: a message whose code or request
// id cannot be read, or one only the router writes, still ends the session.
TEST_F(SessionTest, UnreadableEnvelopeStillEndsTheSession) {
    const std::vector<Array> cases{Array{nested(100), 5}, Array{code::invocation, nested(100), 7, Object{}},
                                   Array{code::registered, 4, nested(100)},
                                   Array{code::error, code::register_, 4, Object{}, "x", Array{nested(100)}}};
    for (std::size_t i = 0; i < cases.size(); ++i) {
        transport = std::make_shared<FakeTransport>();
        closed.reset();
        join_ok();
        transport->deliver(cases[i]);
        ASSERT_TRUE(closed) << "no close for case " << i;
        EXPECT_EQ(*closed, Errc::protocol_violation);
        EXPECT_FALSE(transport->open);
    }
    transport = std::make_shared<FakeTransport>();
    join();
    transport->deliver({code::challenge, "ticket", Object{{"deep", nested(100)}}});
    ASSERT_TRUE(joined);
    EXPECT_EQ(*joined, Errc::protocol_violation);
}

TEST_F(SessionTest, PendingCallsFailOnceWhenTheTransportIsLost) {
    join_ok();
    int failures = 0;
    std::string uri;
    session->call("p", {}, {}, {}, [&](std::exception_ptr e, Array, Object) {
        ++failures;
        try {
            std::rethrow_exception(e);
        } catch (const CallError& ce) {
            uri = ce.uri();
        }
    });
    transport->lose();
    ASSERT_TRUE(closed);
    EXPECT_EQ(*closed, Errc::connection_lost);
    EXPECT_EQ(failures, 0) << "must be posted";
    drain();
    EXPECT_EQ(failures, 1);
    EXPECT_EQ(uri, "pgwamp.error.connection_lost");
}

TEST_F(SessionTest, RunningInvocationsAreInterruptedWhenTheTransportIsLost) {
    join_ok();
    std::optional<Invocation> inv;
    bool interrupted = false;
    provide("p", 7, [&](Invocation i) {
        inv = i;
        i.on_interrupt([&] { interrupted = true; });
    });
    transport->deliver({code::invocation, 5, 7, Object{}});
    transport->lose();
    drain();
    EXPECT_TRUE(interrupted);
    inv->reply({"nobody listens"});  // safe no-op
    session.reset();
    inv->reply({"session gone"});  // still safe
}

// From the wamp_message fuzz target: a second INVOCATION with the id of a
// running one replaced it in the session's table, so the first was never
// interrupted and its handler (holding its Invocation) leaked.
TEST_F(SessionTest, ReusedInvocationIdIsAProtocolViolation) {
    join_ok();
    std::vector<Invocation> running;
    int interrupts = 0;
    provide("p", 1, [&](Invocation i) {
        running.push_back(i);
        i.on_interrupt([&interrupts, i]() mutable {
            ++interrupts;
            i.error("wamp.error.canceled");
        });
    });
    transport->deliver({code::invocation, 1, 1, Object{}, Array{}, Object{{"D", 7}}});
    transport->deliver({code::invocation, 1, 1, Object{}, Array{}, Object{{"k", "b"}}});
    ASSERT_TRUE(closed);
    EXPECT_EQ(*closed, Errc::protocol_violation);
    EXPECT_EQ(running.size(), 1u) << "the procedure must not run for the reused id";
    drain();
    EXPECT_EQ(interrupts, 1) << "the running invocation must learn that the session ended";
}

TEST_F(SessionTest, CallResultAndErrorCarryPayloads) {
    join_ok();
    std::optional<Array> result;
    session->call("p", {1}, {}, {}, [&](std::exception_ptr e, Array a, Object) {
        ASSERT_FALSE(e);
        result = a;
    });
    auto id = transport->sent.back()[1];
    transport->deliver({code::result, id, Object{}, Array{"ok", 2}});
    ASSERT_TRUE(result);
    EXPECT_EQ(*result, (Array{"ok", 2}));
    std::optional<CallError> error;
    session->call("p", {}, {}, {}, [&](std::exception_ptr e, Array, Object) {
        try {
            std::rethrow_exception(e);
        } catch (const CallError& ce) {
            error = ce;
        }
    });
    id = transport->sent.back()[1];
    transport->deliver({code::error, code::call, id, Object{}, "app.error", Array{"why"},
                        Object{{"code", 3}}});
    ASSERT_TRUE(error);
    EXPECT_EQ(error->uri(), "app.error");
    EXPECT_EQ(error->args(), Array{"why"});
    EXPECT_EQ(error->kwargs(), (Object{{"code", 3}}));
}

TEST_F(SessionTest, OversizeCallFailsLocallyAndOversizeReplyBecomesAnError) {
    join_ok();
    transport->limit = 1000;
    std::string uri;
    session->call("p", {std::string(2000, 'x')}, {}, {}, [&](std::exception_ptr e, Array, Object) {
        try {
            std::rethrow_exception(e);
        } catch (const CallError& ce) {
            uri = ce.uri();
        }
    });
    drain();
    EXPECT_EQ(uri, "wamp.error.payload_size_exceeded");
    provide("p", 7, [](Invocation i) { i.reply({std::string(2000, 'y')}); });
    transport->deliver({code::invocation, 5, 7, Object{}});
    EXPECT_EQ(transport->sent.back()[0], Value(code::error));
    EXPECT_EQ(transport->sent.back()[4], Value("pgwamp.error.result_too_large"));
    const auto& details = transport->sent.back()[6].as<Object>();
    EXPECT_EQ(*find_field(details, "limit"), Value(std::int64_t{1000}));
    EXPECT_GT(find_field(details, "size")->as<std::int64_t>(), 2000);
    EXPECT_TRUE(session->is_joined());
}

TEST_F(SessionTest, WampCraChallengeIsSigned) {
    join({"realm1", "svc", "wampcra", "secret123"});
    transport->deliver({code::challenge, "wampcra", Object{{"challenge", "challenge-text"}}});
    // Same vector as wampcra_test (Autobahn|Python's compute_wcs).
    EXPECT_EQ(transport->sent.back()[1], Value("gw6VmID6oQBHmqABJfIpQiVkhr16A/+DJ7bm9c3koXc="));
}

// From the wamp_message fuzz target: 2^31 - 1 iterations kept the event loop
// in PBKDF2 for minutes; 2^32 + 5 was cast to int as 5 and silently used.
TEST_F(SessionTest, WampCraChallengeWithHostileKeyParametersEndsTheJoin) {
    for (std::int64_t iterations : {std::int64_t{2147483647}, (std::int64_t{1} << 32) + 5}) {
        transport = std::make_shared<FakeTransport>();
        joined.reset();
        join({"realm1", "svc", "wampcra", "secret123"});
        transport->deliver({code::challenge, "wampcra",
                            Object{{"challenge", "c"}, {"salt", "s"}, {"iterations", iterations}, {"keylen", 32}}});
        ASSERT_TRUE(joined) << iterations;
        EXPECT_EQ(*joined, Errc::protocol_violation) << iterations;
        EXPECT_EQ(transport->sent.size(), 1u) << "only HELLO, no AUTHENTICATE";
    }
}

TEST_F(SessionTest, ThrowingCallHandlerDoesNotEndTheSession) {
    join_ok();
    session->call("p", {}, {}, {}, [](std::exception_ptr, Array, Object) { throw std::runtime_error("user bug"); });
    transport->deliver({code::result, transport->sent.back()[1], Object{}});
    EXPECT_TRUE(session->is_joined());
    EXPECT_TRUE(transport->open);
    EXPECT_FALSE(closed);
}
