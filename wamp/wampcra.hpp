#pragma once
// WAMP-CRA signing: HMAC-SHA256 of the router's challenge, keyed with the
// secret (or, when the router sends a salt, with the PBKDF2-SHA256 key derived
// from it), base64 encoded. Written on OpenSSL's one-shot calls because
// Autobahn|Cpp's wamp_auth_utils uses HMAC_CTX, deprecated in OpenSSL 3.

#include <string>

namespace pgwamp::wamp::wampcra {

std::string derive_key(const std::string& secret, const std::string& salt, int iterations, int keylen);
std::string sign(const std::string& key, const std::string& challenge);
std::string base64(const std::string& data);

}  // namespace pgwamp::wamp::wampcra
