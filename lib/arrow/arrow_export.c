/*
 * arrow_export.c - dsg fields and arrays as Arrow C Data Interface
 * structures, and an ArrowArrayStream over a dataset's table.
 *
 * Every exported ArrowSchema and ArrowArray owns its memory through its
 * private_data (one 'exported' block per node) and its release callback
 * frees the node and its children, then marks itself released (release =
 * NULL), as the specification requires. Arrays are copies: a dsg_batch is
 * reused by the next fill, so nothing of it may be borrowed.
 *
 * The stream (dsg_dataset_arrow_stream) only uses the public dataset API.
 */
#include "common/common.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

/* ---- schema ---- */

typedef struct schema_priv {
    char format[64];
    char *name;
    struct ArrowSchema **child_ptrs;
    struct ArrowSchema *children;
    size_t n_children;
} schema_priv;

static void release_schema(struct ArrowSchema *s)
{
    if (s == NULL || s->release == NULL)
        return;
    schema_priv *p = s->private_data;
    if (p) {
        for (size_t i = 0; i < p->n_children; i++)
            if (p->children[i].release)
                p->children[i].release(&p->children[i]);
        dsgi_free(p->children);
        dsgi_free(p->child_ptrs);
        dsgi_free(p->name);
        dsgi_free(p);
    }
    s->release = NULL;
}

static dsg_status format_of(const dsg_field *f, char *buf, size_t n, dsg_error *err)
{
    const char *tz = (f->flags & DSG_FIELD_LOCAL_TIME) ? "" : "UTC";
    switch (f->type) {
    case DSG_BOOL: snprintf(buf, n, "b"); break;
    case DSG_INT8: snprintf(buf, n, "c"); break;
    case DSG_INT16: snprintf(buf, n, "s"); break;
    case DSG_INT32: snprintf(buf, n, "i"); break;
    case DSG_INT64: snprintf(buf, n, "l"); break;
    case DSG_UINT8: snprintf(buf, n, "C"); break;
    case DSG_UINT16: snprintf(buf, n, "S"); break;
    case DSG_UINT32: snprintf(buf, n, "I"); break;
    case DSG_UINT64: snprintf(buf, n, "L"); break;
    case DSG_FLOAT: snprintf(buf, n, "f"); break;
    case DSG_DOUBLE: snprintf(buf, n, "g"); break;
    case DSG_DATE: snprintf(buf, n, "tdD"); break;
    case DSG_TIMESTAMP: snprintf(buf, n, "tsu:%s", tz); break;
    case DSG_TIMESTAMP_MS: snprintf(buf, n, "tsm:%s", tz); break;
    case DSG_TIMESTAMP_NS: snprintf(buf, n, "tsn:%s", tz); break;
    case DSG_TIME_MS: snprintf(buf, n, "ttm"); break;
    case DSG_TIME_US: snprintf(buf, n, "ttu"); break;
    case DSG_TIME_NS: snprintf(buf, n, "ttn"); break;
    case DSG_DURATION: snprintf(buf, n, "tDu"); break;
    case DSG_STRING: snprintf(buf, n, "u"); break;
    case DSG_BINARY: snprintf(buf, n, "z"); break;
    case DSG_FIXED_BINARY: snprintf(buf, n, "w:%d", f->precision); break;
    case DSG_DECIMAL:
    case DSG_DECIMAL128: snprintf(buf, n, "d:%d,%d", f->precision, f->scale); break;
    case DSG_STRUCT: snprintf(buf, n, "+s"); break;
    case DSG_LIST: snprintf(buf, n, "+l"); break;
    case DSG_MAP: snprintf(buf, n, "+m"); break;
    case DSG_NULL: snprintf(buf, n, "n"); break;
    default: return dsgi_fail(err, DSG_ETYPE, "column %s: no Arrow type for dsg type %d", f->name, (int)f->type);
    }
    return DSG_OK;
}

static dsg_status export_schema_node(const char *name, const char *format, int64_t flags,
                                     const dsg_field *children, size_t n_children, struct ArrowSchema *out,
                                     dsg_error *err)
{
    memset(out, 0, sizeof *out);
    schema_priv *p = dsgi_calloc(1, sizeof *p);
    DSGI_RETURN_IF(p == NULL, err, DSG_ENOMEM, "out of memory (Arrow schema)");
    out->private_data = p;
    out->release = release_schema;
    snprintf(p->format, sizeof p->format, "%s", format);
    p->name = dsgi_strdup(name ? name : "");
    DSGI_RETURN_IF(p->name == NULL, err, DSG_ENOMEM, "out of memory (Arrow schema)");
    out->format = p->format;
    out->name = p->name;
    out->flags = flags;
    if (n_children) {
        p->children = dsgi_calloc(n_children, sizeof *p->children);
        p->child_ptrs = dsgi_calloc(n_children, sizeof *p->child_ptrs);
        DSGI_RETURN_IF(p->children == NULL || p->child_ptrs == NULL, err, DSG_ENOMEM,
                       "out of memory (Arrow schema)");
        for (size_t i = 0; i < n_children; i++) {
            const dsg_field *c = &children[i];
            char fmt[64];
            DSGI_FORWARD(format_of(c, fmt, sizeof fmt, err));
            p->child_ptrs[i] = &p->children[i];
            p->n_children = i + 1;
            int64_t cflags = (c->flags & DSG_FIELD_NULLABLE) ? ARROW_FLAG_NULLABLE : 0;
            if (c->type == DSG_MAP) { /* map -> entries: struct<key, value> */
                dsg_field entries = {.name = "entries", .type = DSG_STRUCT, .children = c->children,
                                     .n_children = c->n_children};
                DSGI_FORWARD(export_schema_node(c->name, fmt, cflags, &entries, 1, &p->children[i], err));
            } else {
                DSGI_FORWARD(export_schema_node(c->name, fmt, cflags, c->children, c->n_children, &p->children[i],
                                                err));
            }
        }
        out->n_children = (int64_t)n_children;
        out->children = p->child_ptrs;
    }
    return DSG_OK;
}

dsg_status dsg_arrow_export_schema(const dsg_field *fields, size_t n_fields, struct ArrowSchema *out,
                                   dsg_error *err)
{
    struct ArrowSchema s;
    dsg_status st = export_schema_node("", "+s", 0, fields, n_fields, &s, err);
    if (st != DSG_OK) {
        release_schema(&s);
        return st;
    }
    *out = s;
    return DSG_OK;
}

/* ---- arrays ---- */

typedef struct array_priv {
    const void *buffers[3];
    void *owned[3];
    struct ArrowArray **child_ptrs;
    struct ArrowArray *children;
    size_t n_children;
} array_priv;

static void release_array(struct ArrowArray *a)
{
    if (a == NULL || a->release == NULL)
        return;
    array_priv *p = a->private_data;
    if (p) {
        for (size_t i = 0; i < p->n_children; i++)
            if (p->children[i].release)
                p->children[i].release(&p->children[i]);
        dsgi_free(p->children);
        dsgi_free(p->child_ptrs);
        for (int i = 0; i < 3; i++)
            dsgi_free(p->owned[i]);
        dsgi_free(p);
    }
    a->release = NULL;
}

static size_t value_width(const dsg_field *f)
{
    switch (f->type) {
    case DSG_BOOL: return 0; /* bit-packed */
    case DSG_INT8:
    case DSG_UINT8: return 1;
    case DSG_INT16:
    case DSG_UINT16: return 2;
    case DSG_INT32:
    case DSG_UINT32:
    case DSG_FLOAT:
    case DSG_DATE:
    case DSG_TIME_MS: return 4;
    case DSG_DECIMAL:
    case DSG_DECIMAL128: return 16;
    case DSG_FIXED_BINARY: return (size_t)f->precision;
    default: return 8;
    }
}

static dsg_status alloc_into(array_priv *p, int i, size_t bytes, dsg_error *err)
{
    p->owned[i] = dsgi_calloc(1, bytes ? bytes : 1);
    DSGI_RETURN_IF(p->owned[i] == NULL, err, DSG_ENOMEM, "out of memory (Arrow export of %zu bytes)", bytes);
    p->buffers[i] = p->owned[i];
    return DSG_OK;
}

/* Exports slots [start, start + length) of a (field f). */
static dsg_status export_array_node(const dsg_field *f, const dsg_array *a, size_t start, size_t length,
                                    struct ArrowArray *out, dsg_error *err)
{
    memset(out, 0, sizeof *out);
    array_priv *p = dsgi_calloc(1, sizeof *p);
    DSGI_RETURN_IF(p == NULL, err, DSG_ENOMEM, "out of memory (Arrow array)");
    out->private_data = p;
    out->release = release_array;
    out->length = (int64_t)length;
    out->buffers = p->buffers;
    out->n_buffers = 1;
    /* validity */
    int64_t nulls = 0;
    if (f->type == DSG_NULL) {
        out->n_buffers = 0;
        out->null_count = (int64_t)length;
        return DSG_OK;
    }
    if (a->valid != NULL) {
        DSGI_FORWARD(alloc_into(p, 0, (length + 7) / 8, err));
        uint8_t *bits = p->owned[0];
        for (size_t i = 0; i < length; i++) {
            if (a->valid[start + i])
                bits[i >> 3] |= (uint8_t)(1u << (i & 7));
            else
                nulls++;
        }
        if (nulls == 0) {
            dsgi_free(p->owned[0]);
            p->owned[0] = NULL;
            p->buffers[0] = NULL;
        }
    }
    out->null_count = nulls;
    switch (f->type) {
    case DSG_STRUCT: {
        size_t nc = f->n_children;
        p->children = dsgi_calloc(nc, sizeof *p->children);
        p->child_ptrs = dsgi_calloc(nc, sizeof *p->child_ptrs);
        DSGI_RETURN_IF(p->children == NULL || p->child_ptrs == NULL, err, DSG_ENOMEM, "out of memory (Arrow array)");
        for (size_t i = 0; i < nc; i++) {
            p->child_ptrs[i] = &p->children[i];
            p->n_children = i + 1;
            DSGI_FORWARD(export_array_node(&f->children[i], &a->children[i], start, length, &p->children[i], err));
        }
        out->n_children = (int64_t)nc;
        out->children = p->child_ptrs;
        return DSG_OK;
    }
    case DSG_MAP:
    case DSG_LIST:
    case DSG_STRING:
    case DSG_BINARY: {
        const int32_t *o = a->offsets + start;
        DSGI_FORWARD(alloc_into(p, 1, (length + 1) * 4, err));
        int32_t *no = p->owned[1];
        for (size_t i = 0; i <= length; i++)
            no[i] = o[i] - o[0];
        size_t span = (size_t)(o[length] - o[0]);
        if (f->type == DSG_LIST || f->type == DSG_MAP) {
            out->n_buffers = 2;
            p->children = dsgi_calloc(1, sizeof *p->children);
            p->child_ptrs = dsgi_calloc(1, sizeof *p->child_ptrs);
            DSGI_RETURN_IF(p->children == NULL || p->child_ptrs == NULL, err, DSG_ENOMEM, "out of memory (Arrow array)");
            p->child_ptrs[0] = &p->children[0];
            p->n_children = 1;
            out->n_children = 1;
            out->children = p->child_ptrs;
            if (f->type == DSG_MAP) {
                dsg_field entries = {.name = "entries", .type = DSG_STRUCT, .children = f->children,
                                     .n_children = f->n_children};
                dsg_array ea = {.type = DSG_STRUCT, .length = (size_t)o[length], .children = a->children};
                return export_array_node(&entries, &ea, (size_t)o[0], span, &p->children[0], err);
            }
            return export_array_node(&f->children[0], &a->children[0], (size_t)o[0], span, &p->children[0], err);
        }
        out->n_buffers = 3;
        DSGI_FORWARD(alloc_into(p, 2, span, err));
        if (span)
            memcpy(p->owned[2], a->data + o[0], span);
        return DSG_OK;
    }
    case DSG_BOOL: {
        out->n_buffers = 2;
        DSGI_FORWARD(alloc_into(p, 1, (length + 7) / 8, err));
        uint8_t *bits = p->owned[1];
        const uint8_t *v = a->values;
        for (size_t i = 0; i < length; i++)
            if (v[start + i])
                bits[i >> 3] |= (uint8_t)(1u << (i & 7));
        return DSG_OK;
    }
    case DSG_DECIMAL: { /* int64 unscaled -> 16-byte two's complement */
        out->n_buffers = 2;
        DSGI_FORWARD(alloc_into(p, 1, length * 16, err));
        uint8_t *d = p->owned[1];
        const int64_t *v = a->values;
        for (size_t i = 0; i < length; i++) {
            int64_t lo = v[start + i], hi = lo < 0 ? -1 : 0;
            memcpy(d + i * 16, &lo, 8);
            memcpy(d + i * 16 + 8, &hi, 8);
        }
        return DSG_OK;
    }
    default: {
        size_t w = value_width(f);
        out->n_buffers = 2;
        DSGI_FORWARD(alloc_into(p, 1, length * w, err));
        if (length)
            memcpy(p->owned[1], (const uint8_t *)a->values + start * w, length * w);
        return DSG_OK;
    }
    }
}

dsg_status dsg_arrow_export_array(const dsg_field *fields, size_t n_fields, const dsg_array *columns,
                                  size_t n_rows, struct ArrowArray *out, dsg_error *err)
{
    dsg_field top = {.name = "", .type = DSG_STRUCT, .children = fields, .n_children = n_fields};
    dsg_array arr = {.type = DSG_STRUCT, .length = n_rows, .children = columns};
    struct ArrowArray a;
    dsg_status st = export_array_node(&top, &arr, 0, n_rows, &a, err);
    if (st != DSG_OK) {
        release_array(&a);
        return st;
    }
    *out = a;
    return DSG_OK;
}

/* ---- stream over a dataset's table ---- */

typedef struct stream_priv {
    const dsg_dataset *ds;
    size_t table;
    size_t batch_rows;
    uint64_t next, total;
    dsg_batch *batch;
    dsg_table_info info;
    dsg_error err;
} stream_priv;

static int stream_errno(dsg_status st)
{
    if (st > 0)
        return st;
    return st == DSG_ENOMEM ? ENOMEM : st == DSG_EINVAL || st == DSG_ETYPE ? EINVAL : EIO;
}

static int stream_get_schema(struct ArrowArrayStream *s, struct ArrowSchema *out)
{
    stream_priv *p = s->private_data;
    dsg_error_clear(&p->err);
    dsg_status st = dsg_arrow_export_schema(p->info.fields, p->info.n_fields, out, &p->err);
    return st == DSG_OK ? 0 : stream_errno(st);
}

static int stream_get_next(struct ArrowArrayStream *s, struct ArrowArray *out)
{
    stream_priv *p = s->private_data;
    dsg_error_clear(&p->err);
    if (p->next >= p->total) {
        memset(out, 0, sizeof *out); /* end of stream: a released array */
        return 0;
    }
    size_t n = (size_t)DSGI_MIN((uint64_t)p->batch_rows, p->total - p->next);
    const dsg_array *cols;
    dsg_status st = dsg_dataset_fill(p->ds, p->table, p->next, n, p->batch, &cols, &p->err);
    if (st == DSG_OK)
        st = dsg_arrow_export_array(p->info.fields, p->info.n_fields, cols, n, out, &p->err);
    if (st != DSG_OK)
        return stream_errno(st);
    p->next += n;
    return 0;
}

static const char *stream_last_error(struct ArrowArrayStream *s)
{
    stream_priv *p = s->private_data;
    return p->err.message[0] ? p->err.message : NULL;
}

static void stream_release(struct ArrowArrayStream *s)
{
    if (s == NULL || s->release == NULL)
        return;
    stream_priv *p = s->private_data;
    if (p) {
        dsg_batch_free(p->batch);
        dsgi_free(p);
    }
    s->release = NULL;
}

dsg_status dsg_dataset_arrow_stream(const dsg_dataset *ds, size_t table, size_t batch_rows,
                                    struct ArrowArrayStream *out, dsg_error *err)
{
    DSGI_RETURN_IF(ds == NULL || out == NULL, err, DSG_EINVAL, "no dataset or stream given");
    DSGI_RETURN_IF(table >= dsg_dataset_n_tables(ds), err, DSG_EINVAL, "no table %zu in the dataset", table);
    stream_priv *p = dsgi_calloc(1, sizeof *p);
    DSGI_RETURN_IF(p == NULL, err, DSG_ENOMEM, "out of memory (Arrow stream)");
    p->ds = ds;
    p->table = table;
    p->batch_rows = batch_rows ? batch_rows : 65536;
    dsg_status st = dsg_dataset_table(ds, table, &p->info, err);
    if (st == DSG_OK)
        st = dsg_batch_create(&p->batch, ds, table, err);
    if (st != DSG_OK) {
        dsg_batch_free(p->batch);
        dsgi_free(p);
        return st;
    }
    p->total = p->info.rows;
    memset(out, 0, sizeof *out);
    out->get_schema = stream_get_schema;
    out->get_next = stream_get_next;
    out->get_last_error = stream_last_error;
    out->release = stream_release;
    out->private_data = p;
    return DSG_OK;
}
