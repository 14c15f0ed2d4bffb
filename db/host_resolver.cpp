#include "db/host_resolver.hpp"

#include <algorithm>

#include <boost/asio/ip/tcp.hpp>

namespace pgwamp::db {
namespace {

namespace asio = boost::asio;

class AsioHostResolver : public HostResolver {
public:
    void async_resolve(asio::any_io_executor ex, const std::string& name, Answer answer) override {
        // One resolver object per lookup, kept alive by its handler: a lookup
        // outlives a connection attempt that timed out, and its answer is then
        // dropped by whoever asked.
        auto resolver = std::make_shared<asio::ip::tcp::resolver>(ex);
        resolver->async_resolve(
            name, "", asio::ip::resolver_base::flags(),
            [resolver, answer = std::move(answer)](const boost::system::error_code& ec,
                                                   asio::ip::tcp::resolver::results_type results) {
                std::vector<asio::ip::address> out;
                for (const auto& entry : results) {
                    asio::ip::address a = entry.endpoint().address();
                    // getaddrinfo may list an address once per socket type.
                    if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
                }
                boost::system::error_code why = ec;
                if (!why && out.empty()) why = asio::error::host_not_found;
                answer(why, std::move(out));
            });
    }
};

}  // namespace

std::shared_ptr<HostResolver> asio_host_resolver() {
    static const auto instance = std::make_shared<AsioHostResolver>();
    return instance;
}

}  // namespace pgwamp::db
