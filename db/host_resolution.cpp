#include "db/host_resolution.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <utility>

#include <boost/asio/error.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

namespace pgwamp::db {
namespace {

namespace asio = boost::asio;
using Addresses = std::vector<asio::ip::address>;

// One host entry as libpq's connectOptions2 builds it.
struct Entry {
    std::string host;
    std::string hostaddr;
    std::string port;  // empty: the conninfo's single port (or the default) applies
    bool is_name = false;
};

// A conninfo split into its host entries and everything else.
struct Plan {
    std::vector<std::pair<std::string, std::string>> others;  // keyword, value, as given
    std::vector<Entry> entries;
    std::string single_port;  // port= when it is not a per-host list
    bool port_list = false;
    std::vector<std::string> names;  // each name once, in order
};

// libpq splits these lists on ',' and trims nothing.
std::vector<std::string> split_list(const std::string& s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        std::size_t comma = s.find(',', start);
        out.push_back(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (comma == std::string::npos) return out;
        start = comma + 1;
    }
}

std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? "," : "") + parts[i];
    return out;
}

// libpq's is_unixsock_path: an absolute path or an abstract socket (@name).
bool is_socket_dir(const std::string& host) { return !host.empty() && (host[0] == '/' || host[0] == '@'); }

bool is_numeric(const std::string& host) {
    boost::system::error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
}

// As libpq: a keyword absent from the conninfo takes its environment variable.
std::string with_env_default(const std::optional<std::string>& given, const char* env) {
    if (given) return *given;
    const char* v = std::getenv(env);
    return v ? v : "";
}

std::optional<Plan> plan_for(const std::string& conninfo) {
    char* err = nullptr;
    PQconninfoOption* parsed = PQconninfoParse(conninfo.c_str(), &err);
    if (err) PQfreemem(err);
    if (!parsed) return std::nullopt;  // libpq refuses it at connect, with its own message
    Plan plan;
    std::optional<std::string> host, hostaddr, port;
    for (PQconninfoOption* o = parsed; o->keyword; ++o) {
        if (!o->val) continue;
        if (std::strcmp(o->keyword, "host") == 0)
            host = o->val;
        else if (std::strcmp(o->keyword, "hostaddr") == 0)
            hostaddr = o->val;
        else if (std::strcmp(o->keyword, "port") == 0)
            port = o->val;
        else
            plan.others.emplace_back(o->keyword, o->val);
    }
    PQconninfoFree(parsed);

    std::string h = with_env_default(host, "PGHOST");
    std::string a = with_env_default(hostaddr, "PGHOSTADDR");
    std::string p = with_env_default(port, "PGPORT");
    if (h.empty()) return std::nullopt;  // a socket in the default directory, or hostaddr= alone
    std::vector<std::string> hosts = split_list(h);
    std::vector<std::string> addrs = a.empty() ? std::vector<std::string>{} : split_list(a);
    std::vector<std::string> ports = p.empty() ? std::vector<std::string>{} : split_list(p);
    // Lists that do not match are libpq's to refuse ("could not match ...").
    if (!addrs.empty() && addrs.size() != hosts.size()) return std::nullopt;
    if (ports.size() > 1 && ports.size() != hosts.size()) return std::nullopt;
    plan.port_list = ports.size() > 1;
    if (ports.size() == 1) plan.single_port = ports[0];

    for (std::size_t i = 0; i < hosts.size(); ++i) {
        Entry e{hosts[i], addrs.empty() ? "" : addrs[i], plan.port_list ? ports[i] : ""};
        e.is_name = e.hostaddr.empty() && !e.host.empty() && !is_socket_dir(e.host) && !is_numeric(e.host);
        if (e.is_name && std::find(plan.names.begin(), plan.names.end(), e.host) == plan.names.end())
            plan.names.push_back(e.host);
        plan.entries.push_back(std::move(e));
    }
    if (plan.names.empty()) return std::nullopt;
    return plan;
}

// A conninfo value in single quotes, as libpq reads them.
std::string quoted(const std::string& v) {
    std::string out = "'";
    for (char ch : v) {
        if (ch == '\'' || ch == '\\') out += '\\';
        out += ch;
    }
    return out + "'";
}

struct Answer {
    std::error_code error;
    Addresses addresses;
};

HostResolution rewrite(const Plan& plan, const std::map<std::string, Answer>& answers) {
    HostResolution out;
    std::vector<std::string> hosts, addrs, ports;
    for (const Entry& e : plan.entries) {
        if (!e.is_name) {
            hosts.push_back(e.host);
            addrs.push_back(e.hostaddr);
            ports.push_back(e.port);
            continue;
        }
        // One entry per address, in the resolver's order: libpq tries them
        // in turn, as it would have after its own lookup.
        for (const auto& address : answers.at(e.host).addresses) {
            hosts.push_back(e.host);
            addrs.push_back(address.to_string());
            ports.push_back(e.port);
        }
    }
    for (const std::string& name : plan.names) {
        const Answer& a = answers.at(name);
        if (a.addresses.empty()) out.dropped.push_back(name + " (" + a.error.message() + ")");
    }
    if (hosts.empty()) {
        std::string names;
        for (const auto& d : out.dropped) names += (names.empty() ? "" : ", ") + d;
        out.error = "cannot resolve host name" + std::string(out.dropped.size() > 1 ? "s " : " ") + names;
        return out;
    }
    for (const auto& [keyword, value] : plan.others) out.conninfo += keyword + "=" + quoted(value) + " ";
    out.conninfo += "host=" + quoted(join(hosts)) + " hostaddr=" + quoted(join(addrs));
    if (plan.port_list)
        out.conninfo += " port=" + quoted(join(ports));
    else if (!plan.single_port.empty())
        out.conninfo += " port=" + quoted(plan.single_port);
    return out;
}

}  // namespace

bool has_host_names(const std::string& conninfo) { return plan_for(conninfo).has_value(); }

void async_resolve_hosts(asio::any_io_executor ex, std::shared_ptr<HostResolver> resolver,
                         const std::string& conninfo, std::function<void(HostResolution)> done) {
    std::optional<Plan> plan = plan_for(conninfo);
    if (!plan) {
        asio::post(ex, [done = std::move(done), conninfo] { done(HostResolution{conninfo, {}, {}}); });
        return;
    }
    if (!resolver) resolver = asio_host_resolver();
    struct Pending {
        Plan plan;
        std::map<std::string, Answer> answers;
        std::function<void(HostResolution)> done;
    };
    auto pending = std::make_shared<Pending>(Pending{std::move(*plan), {}, std::move(done)});
    for (const std::string& name : pending->plan.names) {
        resolver->async_resolve(ex, name, [pending, name](std::error_code ec, Addresses addresses) {
            if (ec) addresses.clear();
            if (!ec && addresses.empty()) ec = boost::system::error_code(asio::error::host_not_found);
            pending->answers[name] = Answer{ec, std::move(addresses)};
            if (pending->answers.size() < pending->plan.names.size()) return;
            HostResolution r = rewrite(pending->plan, pending->answers);
            if (r.ok())
                for (const auto& d : r.dropped) spdlog::warn("event=database_host_unresolved host={} action=try_others", d);
            pending->done(std::move(r));
        });
    }
}

}  // namespace pgwamp::db
