/*
 * common.c - errors, allocation hooks and growable buffers.
 */
#include "common.h"

#include <errno.h>
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

dsg_status dsgi_fail(dsg_error *err, dsg_status status, const char *fmt, ...)
{
    if (err != NULL) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
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
