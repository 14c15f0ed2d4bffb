// BenchClient over the project's own wamp::Client, plus make_client().

#include "bench_client.hpp"

#include "wamp/client.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <stdexcept>

namespace pgwamp::bench {

std::unique_ptr<BenchClient> make_autobahn_client(boost::asio::io_context& io, const std::string& url,
                                                  const std::string& realm);

wamp::Endpoint parse_endpoint(const std::string& url) {
    // The bench and Crossbar say rs://; wamp::Endpoint spells RawSocket over TCP tcp://.
    std::string text = url.starts_with("rs://") ? "tcp://" + url.substr(5) : url;
    std::string error;
    auto endpoint = wamp::Endpoint::parse(text, &error);
    if (!endpoint) {
        throw std::invalid_argument("router url '" + url + "': " + error);
    }
    return *endpoint;
}

namespace {

class PgwampClient final : public BenchClient {
public:
    PgwampClient(boost::asio::io_context& io, const std::string& url, const std::string& realm)
        : client_(io, options(url, realm)) {}

    void provide(const std::string& procedure, std::string answer, std::function<void()> on_call) override {
        client_.provide(procedure, [answer = std::move(answer), on_call = std::move(on_call)](wamp::Invocation inv) {
            on_call();
            inv.reply({Value(answer)});
        });
    }

    void open(Opened done) override {
        // The client retries forever on its own; the caller bounds how long it waits.
        client_.on_state([this, done](wamp::ClientState state) {
            if (state == wamp::ClientState::joined && !joined_) {
                joined_ = true;
                done("");
            }
        });
        client_.start();
    }

    void call(const std::string& procedure, CallDone done) override {
        client_.call(procedure, {}, {}, [done = std::move(done)](std::exception_ptr error, Array, Object) {
            if (!error) {
                return done(nullptr);
            }
            std::string uri;
            try {
                std::rethrow_exception(error);
            } catch (const wamp::CallError& e) {
                uri = e.uri();
            } catch (const std::exception& e) {
                uri = e.what();
            } catch (...) {
                uri = "(unknown exception)";
            }
            done(&uri);
        });
    }

    void close(std::function<void()> done) override { client_.stop(std::move(done)); }

private:
    static wamp::ClientOptions options(const std::string& url, const std::string& realm) {
        wamp::ClientOptions o;
        o.endpoint = parse_endpoint(url);
        o.realm = realm;
        return o;
    }

    wamp::Client client_;
    bool joined_ = false;
};

}  // namespace

void log_to_stderr() {
    spdlog::set_default_logger(spdlog::stderr_color_mt("bench"));
    spdlog::set_level(spdlog::level::warn);
}

std::unique_ptr<BenchClient> make_client(std::string_view kind, boost::asio::io_context& io, const std::string& url,
                                         const std::string& realm) {
    if (kind == "pgwamp") {
        return std::make_unique<PgwampClient>(io, url, realm);
    }
    if (kind == "autobahn") {
        return make_autobahn_client(io, url, realm);
    }
    throw std::invalid_argument("--client must be pgwamp or autobahn, got '" + std::string(kind) + "'");
}

}  // namespace pgwamp::bench
