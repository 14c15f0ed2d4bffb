#pragma once
// The seam between host-name resolution and the rest of db/: an interface
// with Boost.Asio's resolver as the default, so tests can script a slow or
// failing answer without a DNS server.

#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/address.hpp>

namespace pgwamp::db {

class HostResolver {
public:
    using Answer = std::function<void(std::error_code, std::vector<boost::asio::ip::address>)>;
    virtual ~HostResolver() = default;

    // Resolves `name` for a TCP connection. `answer` runs on `ex` from a
    // handler (never inline) with the addresses in the resolver's order
    // (non-empty) or an error. Must not block the caller.
    virtual void async_resolve(boost::asio::any_io_executor ex, const std::string& name, Answer answer) = 0;
};

// Boost.Asio's ip::tcp::resolver: getaddrinfo on Asio's own resolver thread
// (one per io_context, so lookups are answered one after another, but the
// event loop never waits for them). Stateless; shared by everyone.
std::shared_ptr<HostResolver> asio_host_resolver();

}  // namespace pgwamp::db
