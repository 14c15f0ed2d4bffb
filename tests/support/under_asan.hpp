#pragma once
// PGWAMP_TEST_UNDER_ASAN is defined in the sanitizer build (GCC and clang
// spell the check apart). Its memory figures mean nothing (shadow memory),
// and it runs several times slower: tests skip peak-memory checks there and
// run exhaustive loops on a sample (the GCC pass runs them whole).

#if defined(__SANITIZE_ADDRESS__)
#define PGWAMP_TEST_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PGWAMP_TEST_UNDER_ASAN 1
#endif
#endif
