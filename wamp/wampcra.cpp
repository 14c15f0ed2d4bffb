#include "wamp/wampcra.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

namespace pgwamp::wamp::wampcra {

std::string base64(const std::string& data) {
    std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(data.data()), static_cast<int>(data.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::string derive_key(const std::string& secret, const std::string& salt, int iterations, int keylen) {
    if (iterations <= 0 || static_cast<std::uint64_t>(iterations) > max_iterations || keylen <= 0 ||
        static_cast<std::uint64_t>(keylen) > max_keylen)
        throw std::invalid_argument("bad WAMP-CRA key parameters");
    std::string key(static_cast<std::size_t>(keylen), '\0');
    if (PKCS5_PBKDF2_HMAC(secret.data(), static_cast<int>(secret.size()),
                          reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()),
                          iterations, EVP_sha256(), keylen, reinterpret_cast<unsigned char*>(key.data())) != 1) {
        throw std::runtime_error("PBKDF2 failed");
    }
    // Crossbar (like Autobahn) uses the base64 text of the derived key as the HMAC key.
    return base64(key);
}

std::string sign(const std::string& key, const std::string& challenge) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
              reinterpret_cast<const unsigned char*>(challenge.data()), challenge.size(), digest, &length)) {
        throw std::runtime_error("HMAC failed");
    }
    return base64(std::string(reinterpret_cast<const char*>(digest), length));
}

}  // namespace pgwamp::wamp::wampcra
