/*
 * common.h - internal plumbing shared by every part of libdsg: errors,
 * allocation, growable buffers, bit tricks. Internal names start with dsgi_.
 *
 * Dependency direction (docs/ARCHITECTURE.md): common depends on nothing
 * but the public header and libc.
 */
#ifndef DSG_COMMON_H
#define DSG_COMMON_H

#include "dsg/dsg.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__GNUC__)
#define DSGI_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define DSGI_LIKELY(x) __builtin_expect(!!(x), 1)
#define DSGI_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define DSGI_PRINTF(f, a)
#define DSGI_LIKELY(x) (x)
#define DSGI_UNLIKELY(x) (x)
#endif

/* Records status and a formatted message in err (if not NULL); returns
 * status so that callers can write: return dsgi_fail(err, DSG_EINVAL, ...). */
dsg_status dsgi_fail(dsg_error *err, dsg_status status, const char *fmt, ...)
    DSGI_PRINTF(3, 4);

/* Incremented by dsg_interrupt (async-signal-safe: a lock-free atomic).
 * A run stops when it differs from the value it saw at its start. */
extern atomic_uint dsgi_interrupts;

/* Shortens a message of len bytes in place to at most max bytes, keeping
 * its beginning and its end (the cause): long words such as paths lose
 * their middle ("..."). Returns the new length; msg is NUL-terminated. */
size_t dsgi_shorten_message(char *msg, size_t len, size_t max);

/* mkdir -p: creates path and its missing parents (mode 0755). A component
 * that exists and is not a directory fails with ENOTDIR ("a file is in the
 * way"); other failures carry errno and name the directory. */
dsg_status dsgi_make_dirs(const char *path, dsg_error *err);

/* Returns an error from the enclosing function when cond holds. */
#define DSGI_RETURN_IF(cond, err, status, ...)                                 \
    do {                                                                       \
        if (DSGI_UNLIKELY(cond))                                               \
            return dsgi_fail((err), (status), __VA_ARGS__);                    \
    } while (0)

/* Forwards a failing status from a call. */
#define DSGI_FORWARD(call)                                                     \
    do {                                                                       \
        dsg_status dsgi_st_ = (call);                                          \
        if (DSGI_UNLIKELY(dsgi_st_ != DSG_OK))                                 \
            return dsgi_st_;                                                   \
    } while (0)

/* Allocation through the hooks of dsg_set_allocator. dsgi_free accepts NULL. */
void *dsgi_malloc(size_t size);
void *dsgi_calloc(size_t n, size_t size);
void *dsgi_realloc(void *ptr, size_t size);
void dsgi_free(void *ptr);
char *dsgi_strdup(const char *s);

/*
 * A growable byte buffer with a hard maximum (curl's dynbuf idea): growth
 * past 'max' fails with DSG_ENOMEM instead of growing without bound.
 */
typedef struct dsgi_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
    size_t max;
} dsgi_buf;

void dsgi_buf_init(dsgi_buf *b, size_t max);
void dsgi_buf_free(dsgi_buf *b);
static inline void dsgi_buf_reset(dsgi_buf *b) { b->len = 0; }
/* Makes room for 'extra' more bytes; existing bytes are kept. */
dsg_status dsgi_buf_reserve(dsgi_buf *b, size_t extra, dsg_error *err);
dsg_status dsgi_buf_append(dsgi_buf *b, const void *p, size_t n, dsg_error *err);

/* Appends without checking: the caller reserved room. */
static inline void dsgi_buf_put(dsgi_buf *b, const void *p, size_t n)
{
    memcpy(b->data + b->len, p, n);
    b->len += n;
}
static inline void dsgi_buf_put_u8(dsgi_buf *b, uint8_t v) { b->data[b->len++] = v; }

/* Little-endian stores. */
static inline void dsgi_store_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* Number of bits needed to represent v (0 for 0). */
static inline int dsgi_bit_width(uint64_t v)
{
    return v == 0 ? 0 : 64 - __builtin_clzll(v);
}

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int32_t dsgi_days_from_civil(int64_t y, unsigned m, unsigned d);
void dsgi_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

#define DSGI_MIN(a, b) ((a) < (b) ? (a) : (b))
#define DSGI_MAX(a, b) ((a) > (b) ? (a) : (b))

#endif /* DSG_COMMON_H */
