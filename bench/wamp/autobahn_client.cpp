// BenchClient over Autobahn|Cpp (see connection.hpp).

#include "bench_client.hpp"
#include "connection.hpp"

#include <autobahn/autobahn.hpp>
#include <boost/asio/post.hpp>

#include <tuple>
#include <vector>

namespace pgwamp::bench {
namespace {

class AutobahnClient final : public BenchClient {
public:
    AutobahnClient(boost::asio::io_context& io, const std::string& url, const std::string& realm)
        : executor_(io), connection_(io, executor_, parse_rawsocket_url(url), realm) {}

    void provide(const std::string& procedure, std::string answer, std::function<void()> on_call) override {
        provided_.push_back({procedure, std::move(answer), std::move(on_call)});
    }

    void open(Opened done) override {
        connection_.open([this, done](std::exception_ptr error) {
            if (error) {
                return done(describe(error));
            }
            register_next(0, done);
        });
    }

    void call(const std::string& procedure, CallDone done) override { connection_.call(procedure, std::move(done)); }

    void close(std::function<void()> done) override {
        connection_.close([done](std::exception_ptr) { done(); });
    }

private:
    struct Provided {
        std::string procedure;
        std::string answer;
        std::function<void()> on_call;
    };

    static std::string describe(std::exception_ptr error) {
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            return e.what();
        } catch (...) {
            return "unknown error";
        }
    }

    void register_next(std::size_t index, Opened done) {
        if (index == provided_.size()) {
            return done("");
        }
        Provided& p = provided_[index];
        auto procedure = [&p](autobahn::wamp_invocation invocation) {
            p.on_call();
            invocation->result(std::make_tuple(p.answer));
        };
        registrations_.push_back(connection_.session().provide(p.procedure, procedure).then(
            executor_, [this, index, done](boost::future<autobahn::wamp_registration> registered) {
                try {
                    registered.get();
                } catch (...) {
                    return done("cannot register " + provided_[index].procedure + ": " +
                                describe(std::current_exception()));
                }
                register_next(index + 1, done);
            }));
    }

    AsioExecutor executor_;
    Connection connection_;
    std::vector<Provided> provided_;
    std::vector<boost::future<void>> registrations_;
};

}  // namespace

std::unique_ptr<BenchClient> make_autobahn_client(boost::asio::io_context& io, const std::string& url,
                                                  const std::string& realm) {
    return std::make_unique<AutobahnClient>(io, url, realm);
}

}  // namespace pgwamp::bench
