#pragma once
// WAMP-CRA signing: HMAC-SHA256 of the router's challenge, keyed with the
// secret (or, when the router sends a salt, with the PBKDF2-SHA256 key derived
// from it), base64 encoded. Written on OpenSSL's one-shot calls because
// Autobahn|Cpp's wamp_auth_utils uses HMAC_CTX, deprecated in OpenSSL 3.

#include <cstdint>
#include <string>

namespace pgwamp::wamp::wampcra {

// Bounds on the key derivation a router may ask for. PBKDF2 runs on the event
// loop: a CHALLENGE asking for 2^31 iterations would block it for minutes
// (found by the wamp_message fuzz target). Crossbar's default is 1000.
inline constexpr std::uint64_t max_iterations = 1'000'000;
inline constexpr std::uint64_t max_keylen = 1024;

// Throws std::invalid_argument outside 1..max_iterations and 1..max_keylen.
std::string derive_key(const std::string& secret, const std::string& salt, int iterations, int keylen);
std::string sign(const std::string& key, const std::string& challenge);
std::string base64(const std::string& data);

}  // namespace pgwamp::wamp::wampcra
