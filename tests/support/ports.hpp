#pragma once
// Ports on 127.0.0.1 for the servers the tests start, and whether something
// accepts connections on one.
//
// A free port is picked at random below the kernel's ephemeral range
// (net.ipv4.ip_local_port_range), never inside it: a port from inside can be
// handed to another test's outgoing connection (a load test opens thousands)
// between our probe and the server's bind, and the server then cannot listen.

#include <cstdint>

namespace pgwamp::test {

std::uint16_t free_tcp_port();
bool tcp_accepts(std::uint16_t port);

}  // namespace pgwamp::test
