// Whether this test binary runs under AddressSanitizer or ThreadSanitizer (clang
// answers __has_feature, g++ defines __SANITIZE_*__). Long randomized and replay
// tests run a fraction of their cases there: the release run does them all and is
// the check of the numbers; the sanitized run is the check of memory and thread
// safety, which the same code paths on fewer cases give as well.
#pragma once

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define LIQD_TEST_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define LIQD_TEST_SANITIZED 1
#endif

namespace liqd::test {
#ifdef LIQD_TEST_SANITIZED
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif
}  // namespace liqd::test
