#pragma once
// Ports on 127.0.0.1 for the servers the tests start: one the kernel just
// handed out (free unless another process takes it first), and whether
// something accepts connections on one.

#include <cstdint>

namespace pgwamp::test {

std::uint16_t free_tcp_port();
bool tcp_accepts(std::uint16_t port);

}  // namespace pgwamp::test
