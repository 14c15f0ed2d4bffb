// Router messages as the Session takes them off the transport: MessagePack
// bytes -> unpack -> a list checked field by field per message type -> the
// caller, callee, subscriber or join handlers. The Session must answer every
// input with a handled message or a protocol violation that closes it.
//
// Input: messages split by FuzzedDataProvider::ConsumeRandomLengthString
// ('\' followed by another octet ends one; "\\" is a literal '\'); its last
// octet picks the session's state: joining (anonymous, ticket, WAMP-CRA) or
// joined with a registration (id 1), a subscription (id 1), a pending call
// (request 3), a pending REGISTER (4) and SUBSCRIBE (5).

#include <fuzzer/FuzzedDataProvider.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "wamp/error.hpp"
#include "wamp/message.hpp"
#include "wamp/session.hpp"
#include "wamp/transport.hpp"
#include "wamp/value_msgpack.hpp"

using namespace pgwamp;
using namespace pgwamp::wamp;

namespace {

// Accepts everything the Session sends (bounded like a real one) and hands it
// the router's bytes.
class FuzzTransport : public Transport {
public:
    void connect(std::function<void(std::error_code)>) override {}
    std::error_code send(std::string payload) override {
        if (!open_) return Errc::not_connected;
        return payload.size() > 4096 ? Errc::message_too_large : std::error_code{};
    }
    void close() override {
        open_ = false;
        on_message_ = nullptr;
        on_close_ = nullptr;
    }
    bool is_open() const override { return open_; }
    std::size_t max_send_size() const override { return 4096; }
    std::size_t queued_bytes() const override { return 0; }

    void deliver(const std::string& bytes) {
        auto handler = on_message_;  // the session may close us while handling
        if (handler) handler(bytes);
    }

private:
    bool open_ = true;
};

std::string message_of(const Array& fields) { return encode(Value(fields)); }

// Odd invocations wait (with an interrupt handler that answers), even ones
// are answered at once, so INTERRUPT meets both kinds.
struct Callee {
    std::vector<Invocation> waiting;
    void operator()(Invocation inv) {
        if (inv.request_id() % 2 == 0) return inv.reply(inv.args(), inv.kwargs());
        inv.on_interrupt([inv]() mutable { inv.error("wamp.error.canceled"); });
        waiting.push_back(inv);
    }
};

void make_joined(Session& session, FuzzTransport& transport, Callee& callee) {
    transport.deliver(message_of({std::int64_t{message::welcome}, std::int64_t{1}, Object{}}));
    session.register_procedure("p", {}, [&callee](Invocation inv) { callee(std::move(inv)); }, [](auto) {});
    session.subscribe("t", [](const Event&) {}, [](auto) {});
    session.call("c", {}, {}, {}, [](std::exception_ptr, Array, Object) {});
    transport.deliver(message_of({std::int64_t{message::registered}, std::int64_t{1}, std::int64_t{1}}));
    transport.deliver(message_of({std::int64_t{message::subscribed}, std::int64_t{2}, std::int64_t{1}}));
    session.register_procedure("q", {}, [&callee](Invocation inv) { callee(std::move(inv)); }, [](auto) {});
    session.subscribe("u", [](const Event&) {}, [](auto) {});
}

// poll() leaves the io_context stopped once it runs out of work; without
// restart() later posts (interrupt handlers, answers) would never run.
void drain(boost::asio::io_context& io) {
    io.restart();
    io.poll();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    spdlog::set_level(spdlog::level::off);  // protocol violations are the expected answer, not news
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider input(data, size);
    const auto state = input.ConsumeIntegralInRange<int>(0, 3);
    static const char* const methods[] = {"anonymous", "ticket", "wampcra", "anonymous"};

    boost::asio::io_context io;
    auto transport = std::make_shared<FuzzTransport>();
    auto session = std::make_shared<Session>(io, transport, SessionOptions{"realm1", "svc", methods[state], "s3cret"});
    Callee callee;
    session->join([](std::error_code, std::string) {}, [](std::error_code) {});
    if (state == 3) make_joined(*session, *transport, callee);
    drain(io);

    for (int n = 0; n < 64 && input.remaining_bytes() > 0; ++n) {
        transport->deliver(input.ConsumeRandomLengthString());
        drain(io);
    }
    callee.waiting.clear();  // unanswered invocations answer for themselves
    session->abort(Errc::stopped);
    drain(io);
    return 0;
}
