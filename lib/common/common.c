/*
 * common.c - errors, allocation hooks and growable buffers.
 */
#include "common.h"

#include <errno.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>

static void *default_malloc(void *opaque, size_t size)
{
    (void)opaque;
    return malloc(size);
}
static void *default_realloc(void *opaque, void *ptr, size_t size)
{
    (void)opaque;
    return realloc(ptr, size);
}
static void default_free(void *opaque, void *ptr)
{
    (void)opaque;
    free(ptr);
}

static dsg_allocator g_alloc = {default_malloc, default_realloc, default_free, NULL};

void dsg_set_allocator(const dsg_allocator *allocator)
{
    if (allocator == NULL) {
        g_alloc.malloc_fn = default_malloc;
        g_alloc.realloc_fn = default_realloc;
        g_alloc.free_fn = default_free;
        g_alloc.opaque = NULL;
    } else {
        g_alloc = *allocator;
    }
}

void *dsgi_malloc(size_t size) { return g_alloc.malloc_fn(g_alloc.opaque, size ? size : 1); }

void *dsgi_calloc(size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        return NULL;
    void *p = dsgi_malloc(n * size);
    if (p != NULL)
        memset(p, 0, n * size);
    return p;
}

void *dsgi_realloc(void *ptr, size_t size)
{
    return g_alloc.realloc_fn(g_alloc.opaque, ptr, size ? size : 1);
}

void dsgi_free(void *ptr)
{
    if (ptr != NULL)
        g_alloc.free_fn(g_alloc.opaque, ptr);
}

char *dsgi_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = dsgi_malloc(n);
    if (p != NULL)
        memcpy(p, s, n);
    return p;
}

/* Shortens msg (length len) to at most max bytes so that its end, the
 * cause, always survives: the longest words (paths, keys, URIs) lose their
 * middle first, replaced by "..."; only if that is not enough is the middle
 * of the whole message cut. Returns the new length. */
size_t dsgi_shorten_message(char *msg, size_t len, size_t max)
{
    const size_t min_word = 24;
    while (len > max) {
        size_t best = 0, best_len = 0;
        for (size_t i = 0; i < len;) {
            size_t n = 0;
            while (i + n < len && msg[i + n] != ' ')
                n++;
            if (n > best_len) {
                best = i;
                best_len = n;
            }
            i += n ? n : 1;
        }
        if (best_len <= min_word + 3) /* shortening it must gain something */
            break;
        size_t excess = len - max;
        size_t keep = best_len > excess + 3 + min_word ? best_len - excess - 3 : min_word;
        size_t head = keep / 2, tail = keep - head;
        /* word = [best, best + best_len) becomes head + "..." + tail */
        memmove(msg + best + head + 3, msg + best + best_len - tail, len - (best + best_len - tail));
        memcpy(msg + best + head, "...", 3);
        len = len - best_len + keep + 3;
    }
    if (len > max && max < 8) { /* no room for "..." and both ends */
        len = max;
    } else if (len > max) {
        size_t head = max / 3, tail = max - head - 3;
        memmove(msg + head + 3, msg + len - tail, tail);
        memcpy(msg + head, "...", 3);
        len = max;
    }
    msg[len] = '\0';
    return len;
}

dsg_status dsgi_make_dirs(const char *path, dsg_error *err)
{
    char buf[4096];
    size_t n = strlen(path);
    DSGI_RETURN_IF(n >= sizeof buf, err, DSG_EINVAL, "path too long: %s", path);
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char c = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST) {
            int e = errno;
            return dsgi_fail(err, e, "cannot create directory %s: %s", buf, strerror(e));
        }
        struct stat st;
        if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
            return dsgi_fail(err, ENOTDIR, "cannot create directory %s: a file is in the way", buf);
        buf[i] = c;
    }
    return DSG_OK;
}

dsg_status dsgi_fail(dsg_error *err, dsg_status status, const char *fmt, ...)
{
    if (err != NULL) {
        char local[8192];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(local, sizeof local, fmt, ap);
        va_end(ap);
        char *msg = local;
        if (n >= (int)sizeof local) { /* rare: format again in full */
            char *big = dsgi_malloc((size_t)n + 1);
            if (big != NULL) {
                va_start(ap, fmt);
                vsnprintf(big, (size_t)n + 1, fmt, ap);
                va_end(ap);
                msg = big;
            } else {
                n = (int)sizeof local - 1;
            }
        }
        size_t len = n > 0 ? (size_t)n : 0;
        len = dsgi_shorten_message(msg, len, sizeof err->message - 1);
        memcpy(err->message, msg, len + 1);
        if (msg != local)
            dsgi_free(msg);
        err->status = status;
    }
    return status;
}

void dsg_error_clear(dsg_error *err)
{
    if (err != NULL) {
        err->status = DSG_OK;
        err->message[0] = '\0';
    }
}

atomic_uint dsgi_interrupts;

void dsg_interrupt(void) { atomic_fetch_add(&dsgi_interrupts, 1); }

const char *dsg_strerror(dsg_status status)
{
    switch (status) {
    case DSG_OK: return "success";
    case DSG_EINVAL: return "invalid argument";
    case DSG_ENOMEM: return "out of memory";
    case DSG_EIO: return "input/output error";
    case DSG_ESTATE: return "call out of order";
    case DSG_ETYPE: return "data does not match the schema";
    case DSG_ECODEC: return "compression failed";
    case DSG_ENET: return "network failure";
    case DSG_EREMOTE: return "remote service refused the request";
    case DSG_EINTERNAL: return "internal error";
    case DSG_EINTR: return "interrupted";
    default: break;
    }
    if (status > 0)
        return strerror(status);
    return "unknown status";
}

#ifndef DSG_BUILD_ID
#define DSG_BUILD_ID "unknown"
#endif

const char *dsg_version(void) { return DSG_VERSION_STRING; }
const char *dsg_build_id(void) { return DSG_BUILD_ID; }

void dsgi_buf_init(dsgi_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void dsgi_buf_free(dsgi_buf *b)
{
    dsgi_free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

dsg_status dsgi_buf_reserve(dsgi_buf *b, size_t extra, dsg_error *err)
{
    if (DSGI_LIKELY(b->cap - b->len >= extra))
        return DSG_OK;
    if (extra > b->max || b->len > b->max - extra)
        return dsgi_fail(err, DSG_ENOMEM, "buffer would exceed its limit of %zu bytes", b->max);
    size_t need = b->len + extra;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (cap > b->max)
        cap = b->max;
    uint8_t *p = dsgi_realloc(b->data, cap);
    if (p == NULL)
        return dsgi_fail(err, DSG_ENOMEM, "out of memory (growing a buffer to %zu bytes)", cap);
    b->data = p;
    b->cap = cap;
    return DSG_OK;
}

dsg_status dsgi_buf_append(dsgi_buf *b, const void *p, size_t n, dsg_error *err)
{
    DSGI_FORWARD(dsgi_buf_reserve(b, n, err));
    if (n)
        dsgi_buf_put(b, p, n);
    return DSG_OK;
}
