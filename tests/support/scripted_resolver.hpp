#pragma once
// A HostResolver whose answers a test writes: addresses or an error, after a
// delay on the caller's executor (a timer, so a slow answer stalls nothing,
// like Asio's resolver thread). Names it was not told about do not resolve.

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>

#include "db/host_resolver.hpp"

namespace pgwamp::test {

class ScriptedResolver : public db::HostResolver {
public:
    void answer(const std::string& name, std::vector<std::string> addresses,
                std::chrono::milliseconds delay = std::chrono::milliseconds(0)) {
        scripts_[name] = Script{std::move(addresses), {}, delay};
    }
    void fail(const std::string& name, std::error_code error,
              std::chrono::milliseconds delay = std::chrono::milliseconds(0)) {
        scripts_[name] = Script{{}, error, delay};
    }

    void async_resolve(boost::asio::any_io_executor ex, const std::string& name, Answer done) override {
        calls.push_back(name);
        auto it = scripts_.find(name);
        Script s = it != scripts_.end() ? it->second
                                        : Script{{}, boost::system::error_code(boost::asio::error::host_not_found), {}};
        auto timer = std::make_shared<boost::asio::steady_timer>(ex, s.delay);
        timer->async_wait([timer, s, done = std::move(done)](const boost::system::error_code&) {
            std::vector<boost::asio::ip::address> out;
            for (const auto& a : s.addresses) out.push_back(boost::asio::ip::make_address(a));
            done(s.error, std::move(out));
        });
    }

    std::vector<std::string> calls;  // every name asked, in order

private:
    struct Script {
        std::vector<std::string> addresses;
        std::error_code error;
        std::chrono::milliseconds delay{0};
    };
    std::map<std::string, Script> scripts_;
};

}  // namespace pgwamp::test
