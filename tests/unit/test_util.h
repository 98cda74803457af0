/*
 * test_util.h - the few helpers every unit test shares. A failed check
 * prints where and why, then exits non-zero: each test is a standalone
 * program (see tests/run.sh).
 */
#ifndef DSG_TEST_UTIL_H
#define DSG_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Fails the test when cond is false. */
#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__,  \
                    #cond);                                                    \
            exit(1);                                                           \
        }                                                                      \
    } while (0)

/* Same, with a printf-style explanation. */
#define CHECKF(cond, ...)                                                      \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__,   \
                    #cond);                                                    \
            fprintf(stderr, __VA_ARGS__);                                      \
            fputc('\n', stderr);                                               \
            exit(1);                                                           \
        }                                                                      \
    } while (0)

static inline void test_hexdump(const char *label, const void *p, size_t n)
{
    const unsigned char *b = p;
    fprintf(stderr, "  %s (%zu bytes):", label, n);
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, " %02x", b[i]);
    fputc('\n', stderr);
}

/* Fails unless got[0..got_len) equals want[0..want_len); dumps both. */
#define CHECK_BYTES(got, got_len, want, want_len)                              \
    do {                                                                       \
        size_t gl_ = (got_len), wl_ = (want_len);                              \
        if (gl_ != wl_ || memcmp((got), (want), gl_) != 0) {                   \
            fprintf(stderr, "%s:%d: bytes differ\n", __FILE__, __LINE__);      \
            test_hexdump("got ", (got), gl_);                                  \
            test_hexdump("want", (want), wl_);                                 \
            exit(1);                                                           \
        }                                                                      \
    } while (0)

#endif
