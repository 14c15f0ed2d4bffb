#pragma once
// How the WAMP client checks the router over TLS (rss:// and wss://).
// C++17 on purpose: websocket_transport.cpp includes it.

#include <string>

namespace pgwamp::wamp {

struct TlsOptions {
    std::string ca_file;      // PEM bundle of trusted CAs; empty: the system's trust store
    std::string cert_file;    // client certificate (PEM), with key_file; empty: none
    std::string key_file;
    std::string server_name;  // the name the router's certificate must carry; empty: the URL's host
    // Off only for tests against throwaway certificates: anyone in the path
    // could then read the traffic, secrets included.
    bool verify_peer = true;
};

}  // namespace pgwamp::wamp
