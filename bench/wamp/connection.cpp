#include "connection.hpp"

#include <autobahn/autobahn.hpp>
#include <boost/asio/post.hpp>

#include <charconv>
#include <stdexcept>

namespace pgwamp::bench {
namespace {

// Autobahn's wamp_tcp_transport sets TCP_NODELAY in a then() without an
// executor, i.e. on a thread of its own; we use the RawSocket base and set
// the option ourselves on the loop thread.
class TcpTransport : public autobahn::wamp_rawsocket_transport<boost::asio::ip::tcp::socket> {
public:
    using wamp_rawsocket_transport::wamp_rawsocket_transport;
    void set_no_delay() { socket().set_option(boost::asio::ip::tcp::no_delay(true)); }
};

}  // namespace

boost::asio::ip::tcp::endpoint parse_rawsocket_url(const std::string& url) {
    std::string_view rest = url;
    for (std::string_view scheme : {"rs://", "tcp://"}) {
        if (rest.starts_with(scheme)) {
            rest.remove_prefix(scheme.size());
            break;
        }
    }
    if (rest.size() == url.size()) {
        throw std::invalid_argument("router url must look like rs://HOST:PORT, got '" + url + "'");
    }
    auto colon = rest.rfind(':');
    unsigned port = 0;
    const char* end = rest.data() + rest.size();
    std::from_chars_result parsed{};
    if (colon != std::string_view::npos) {
        parsed = std::from_chars(rest.data() + colon + 1, end, port);
    }
    if (colon == std::string_view::npos || parsed.ec != std::errc{} || parsed.ptr != end || port == 0 || port > 65535) {
        throw std::invalid_argument("router url needs a port in 1..65535: '" + url + "'");
    }
    boost::system::error_code ec;
    auto address = boost::asio::ip::make_address(std::string(rest.substr(0, colon)), ec);
    if (ec) {
        throw std::invalid_argument("router url needs a numeric IP address (no DNS in the bench): '" + url + "'");
    }
    return {address, static_cast<unsigned short>(port)};
}

Connection::Connection(boost::asio::io_context& io, AsioExecutor& executor, boost::asio::ip::tcp::endpoint endpoint,
                       std::string realm)
    : io_(io), executor_(executor), endpoint_(std::move(endpoint)), realm_(std::move(realm)) {}

Connection::~Connection() {
    if (transport_ && (!started_ || stopped_)) {
        transport_->detach();
    }
}

void Connection::open(Done done) {
    auto transport = std::make_shared<TcpTransport>(io_, endpoint_);
    transport_ = transport;
    session_ = std::make_shared<autobahn::wamp_session>(io_);
    transport_->attach(std::static_pointer_cast<autobahn::wamp_transport_handler>(session_));

    // Each step's continuation runs on the io_context through executor_;
    // a failure anywhere ends the chain and is handed to done.
    auto fail = [this, done](std::exception_ptr e) { boost::asio::post(io_, [done, e] { done(e); }); };
    connect_step_ = transport_->connect().then(executor_, [this, transport, done, fail](boost::future<void> connected) {
        try {
            connected.get();
            transport->set_no_delay();  // small request/response messages: never wait for Nagle
        } catch (...) {
            return fail(std::current_exception());
        }
        started_ = true;
        start_step_ = session_->start().then(executor_, [this, done, fail](boost::future<void> started) {
            try {
                started.get();
            } catch (...) {
                return fail(std::current_exception());
            }
            join_step_ = session_->join(realm_).then(executor_, [done, fail](boost::future<std::uint64_t> joined) {
                try {
                    joined.get();
                } catch (...) {
                    return fail(std::current_exception());
                }
                done(nullptr);
            });
        });
    });
}

void Connection::call(const std::string& procedure, std::function<void(const std::string*)> done) {
    // The continuation future is dropped on purpose: executor continuations
    // do not block in their destructor, and the shared state lives until it ran.
    (void)session_->call(procedure).then(executor_, [done = std::move(done)](boost::future<autobahn::wamp_call_result> reply) {
        try {
            reply.get();
            done(nullptr);
        } catch (const std::exception& e) {
            // Autobahn|Cpp carries the router's error URI as what().
            std::string uri = e.what();
            done(&uri);
        } catch (...) {
            std::string uri = "(unknown exception)";
            done(&uri);
        }
    });
}

void Connection::close(Done done) {
    if (!session_) {
        boost::asio::post(io_, [done] { done(nullptr); });
        return;
    }
    leave_step_ = session_->leave().then(executor_, [this, done](boost::future<std::string> left) {
        std::exception_ptr error;
        try {
            left.get();
        } catch (...) {
            error = std::current_exception();
        }
        stop_step_ = session_->stop().then(executor_, [this, done, error](boost::future<void> stopped) {
            try {
                stopped.get();
            } catch (...) {
                // The router may already have closed the socket; leaving was the part that mattered.
            }
            stopped_ = true;
            done(error);
        });
    });
}

}  // namespace pgwamp::bench
