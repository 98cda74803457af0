/*
 * arrow_import.c - Arrow C Data Interface arrays into dsg arrays.
 *
 * The importer parses an ArrowSchema once into a tree of nodes (one per
 * Arrow field) and the dsg_field tree the writer takes. Each convert walks
 * an ArrowArray of that schema and fills the dsg_array tree the nodes own.
 *
 * Invariants:
 *  1. Nothing of an ArrowArray is trusted before it is checked: buffer
 *     and child counts, lengths and offsets non-negative, buffers present
 *     where the length needs them, offsets nondecreasing and in range of
 *     int32 (the writer's offsets). A bad array fails with DSG_ETYPE.
 *  2. Element 0 of a node's dsg_array is the Arrow array's slot
 *     (base + array->offset), where base is the parent's offset for struct
 *     members (the parent's offset applies to its children) and 0 under a
 *     list (list offsets index the child directly).
 *  3. Buffers are borrowed when their layout is the dsg layout (fixed-width
 *     values, int32 offsets); otherwise (bitmaps, booleans, int64 offsets,
 *     views, fixed-size list offsets, dictionaries, unit changes) converted
 *     into blocks the importer owns until the next convert.
 *
 * arrow/ depends on common/ and the public header only.
 */
#include "common/common.h"

#include <stdio.h>
#include <stdlib.h>

#define MAX_DEPTH 32

enum kind {
    K_PLAIN,       /* fixed-width values borrowed as they are */
    K_NULL,
    K_BOOL,
    K_HALF,        /* float16 widened to float */
    K_STR32,       /* utf8/binary with int32 offsets */
    K_STR64,       /* large: int64 offsets narrowed */
    K_VIEW,        /* utf8_view/binary_view materialized */
    K_FIXED,       /* fixed_size_binary, decimal128: borrowed */
    K_DATE64,      /* ms -> days */
    K_SCALE32,     /* int32 values times 'scale' (time32[s] -> ms) */
    K_SCALE64,     /* int64 values times 'scale' (timestamp[s] -> ms) */
    K_LIST32,
    K_LIST64,
    K_FIXED_LIST,
    K_STRUCT,
    K_MAP          /* list of entries struct<key, value>: DSG_MAP */
};

typedef struct node {
    enum kind kind;
    dsg_field *field;        /* in the field tree */
    size_t width;            /* bytes per value (K_PLAIN, K_FIXED) */
    int64_t scale;
    int64_t list_size;       /* K_FIXED_LIST */
    struct node *children;
    size_t n_children;
    dsg_array *child_arrays; /* what children convert into */
    /* dictionary encoding: index width (bytes, signed or not) and the
     * value node (its conversion materializes values by index) */
    int dict_index_bytes, dict_index_signed;
    struct node *dict;
} node;

struct dsg_arrow_importer {
    dsg_field *fields;  /* the top-level fields (n_fields) */
    size_t n_fields;
    node *columns;
    dsg_array *arrays;
    void **blocks;      /* owned conversion buffers of the last convert */
    size_t n_blocks, blocks_cap;
};

/* ---- schema ---- */

static void field_free(dsg_field *f)
{
    for (size_t i = 0; i < f->n_children; i++)
        field_free((dsg_field *)&f->children[i]);
    dsgi_free((void *)f->children);
    dsgi_free((char *)f->name);
}

static void node_free(node *n)
{
    for (size_t i = 0; i < n->n_children; i++)
        node_free(&n->children[i]);
    dsgi_free(n->children);
    dsgi_free(n->child_arrays);
    if (n->dict) {
        node_free(n->dict);
        field_free(n->dict->field);
        dsgi_free(n->dict->field);
        dsgi_free(n->dict);
    }
}

static int parse_int(const char *s, const char **end, long *out)
{
    char *e;
    long v = strtol(s, &e, 10);
    if (e == s)
        return 0;
    *out = v;
    *end = e;
    return 1;
}

/* 'path' names the column for messages: "col" or "col.member". */
static dsg_status unsupported(const char *path, const char *format, const char *why, dsg_error *err)
{
    return dsgi_fail(err, DSG_ETYPE, "column %s has the Arrow type '%s'%s%s, which cannot be written", path,
                     format, why ? ": " : "", why ? why : "");
}

static dsg_status build(node *n, dsg_field *f, const struct ArrowSchema *s, const char *parent_path,
                        int depth, dsg_error *err);

static dsg_status build_value_type(node *n, dsg_field *f, const struct ArrowSchema *s, const char *path,
                                   int depth, dsg_error *err)
{
    const char *fmt = s->format;
    size_t len = strlen(fmt);
    n->kind = K_PLAIN;
    if (len == 1) {
        switch (fmt[0]) {
        case 'n': f->type = DSG_NULL; n->kind = K_NULL; f->flags |= DSG_FIELD_NULLABLE; return DSG_OK;
        case 'b': f->type = DSG_BOOL; n->kind = K_BOOL; return DSG_OK;
        case 'c': f->type = DSG_INT8; n->width = 1; return DSG_OK;
        case 'C': f->type = DSG_UINT8; n->width = 1; return DSG_OK;
        case 's': f->type = DSG_INT16; n->width = 2; return DSG_OK;
        case 'S': f->type = DSG_UINT16; n->width = 2; return DSG_OK;
        case 'i': f->type = DSG_INT32; n->width = 4; return DSG_OK;
        case 'I': f->type = DSG_UINT32; n->width = 4; return DSG_OK;
        case 'l': f->type = DSG_INT64; n->width = 8; return DSG_OK;
        case 'L': f->type = DSG_UINT64; n->width = 8; return DSG_OK;
        case 'e': f->type = DSG_FLOAT; n->kind = K_HALF; return DSG_OK;
        case 'f': f->type = DSG_FLOAT; n->width = 4; return DSG_OK;
        case 'g': f->type = DSG_DOUBLE; n->width = 8; return DSG_OK;
        case 'u': f->type = DSG_STRING; n->kind = K_STR32; return DSG_OK;
        case 'U': f->type = DSG_STRING; n->kind = K_STR64; return DSG_OK;
        case 'z': f->type = DSG_BINARY; n->kind = K_STR32; return DSG_OK;
        case 'Z': f->type = DSG_BINARY; n->kind = K_STR64; return DSG_OK;
        default: break;
        }
    }
    if (strcmp(fmt, "vu") == 0 || strcmp(fmt, "vz") == 0) {
        f->type = fmt[1] == 'u' ? DSG_STRING : DSG_BINARY;
        n->kind = K_VIEW;
        return DSG_OK;
    }
    const char *e;
    long a, b;
    if (fmt[0] == 'd' && fmt[1] == ':') {
        if (!parse_int(fmt + 2, &e, &a) || *e != ',' || !parse_int(e + 1, &e, &b))
            return unsupported(path, fmt, "malformed decimal format", err);
        long bits = 128;
        if (*e == ',' && !parse_int(e + 1, &e, &bits))
            return unsupported(path, fmt, "malformed decimal format", err);
        if (*e != '\0' || bits != 128)
            return unsupported(path, fmt, "only decimal128 is supported", err);
        if (a < 1 || a > 38 || b < 0 || b > a)
            return unsupported(path, fmt, "decimal precision must be 1 to 38 and scale 0 to the precision",
                               err);
        f->type = DSG_DECIMAL128;
        f->precision = (int)a;
        f->scale = (int)b;
        n->kind = K_FIXED;
        n->width = 16;
        return DSG_OK;
    }
    if (fmt[0] == 'w' && fmt[1] == ':') {
        if (!parse_int(fmt + 2, &e, &a) || *e != '\0' || a < 1 || a > (1 << 20))
            return unsupported(path, fmt, "fixed-size binary width must be 1 to 1 MiB", err);
        f->type = DSG_FIXED_BINARY;
        f->precision = (int)a;
        n->kind = K_FIXED;
        n->width = (size_t)a;
        return DSG_OK;
    }
    if (fmt[0] == 't') {
        if (strcmp(fmt, "tdD") == 0) {
            f->type = DSG_DATE;
            n->width = 4;
            return DSG_OK;
        }
        if (strcmp(fmt, "tdm") == 0) {
            f->type = DSG_DATE;
            n->kind = K_DATE64;
            return DSG_OK;
        }
        if (fmt[1] == 't' && len == 3) {
            switch (fmt[2]) {
            case 's': f->type = DSG_TIME_MS; n->kind = K_SCALE32; n->scale = 1000; return DSG_OK;
            case 'm': f->type = DSG_TIME_MS; n->width = 4; return DSG_OK;
            case 'u': f->type = DSG_TIME_US; n->width = 8; return DSG_OK;
            case 'n': f->type = DSG_TIME_NS; n->width = 8; return DSG_OK;
            default: break;
            }
        }
        if (fmt[1] == 's' && len >= 4 && fmt[3] == ':') {
            if (fmt[4] == '\0')
                f->flags |= DSG_FIELD_LOCAL_TIME;
            n->width = 8;
            switch (fmt[2]) {
            case 's': f->type = DSG_TIMESTAMP_MS; n->kind = K_SCALE64; n->scale = 1000; return DSG_OK;
            case 'm': f->type = DSG_TIMESTAMP_MS; return DSG_OK;
            case 'u': f->type = DSG_TIMESTAMP; return DSG_OK;
            case 'n': f->type = DSG_TIMESTAMP_NS; return DSG_OK;
            default: break;
            }
        }
        if (fmt[1] == 'D' && len == 3 && strchr("smun", fmt[2])) {
            f->type = DSG_DURATION;
            n->width = 8;
            return DSG_OK;
        }
        return unsupported(path, fmt, NULL, err);
    }
    if (fmt[0] != '+')
        return unsupported(path, fmt, NULL, err);
    /* nested */
    if (strcmp(fmt, "+m") == 0) {
        /* a map: one child, the non-null struct "entries" of key and value */
        DSGI_RETURN_IF(s->n_children != 1 || s->children == NULL || s->children[0] == NULL ||
                           s->children[0]->format == NULL || strcmp(s->children[0]->format, "+s") != 0 ||
                           s->children[0]->n_children != 2 || s->children[0]->children == NULL,
                       err, DSG_ETYPE, "column %s: an Arrow map must have one struct child of key and value", path);
        const struct ArrowSchema *entries = s->children[0];
        f->type = DSG_MAP;
        n->kind = K_MAP;
        n->children = dsgi_calloc(2, sizeof *n->children);
        dsg_field *cf = dsgi_calloc(2, sizeof *cf);
        n->child_arrays = dsgi_calloc(2, sizeof *n->child_arrays);
        f->children = cf;
        if (n->children == NULL || cf == NULL || n->child_arrays == NULL)
            return dsgi_fail(err, DSG_ENOMEM, "out of memory (Arrow schema)");
        n->n_children = 2;
        f->n_children = 2;
        for (size_t i = 0; i < 2; i++) {
            DSGI_RETURN_IF(entries->children[i] == NULL, err, DSG_ETYPE, "column %s: a map child is missing", path);
            DSGI_FORWARD(build(&n->children[i], &cf[i], entries->children[i], path, depth + 1, err));
        }
        cf[0].flags &= ~DSG_FIELD_NULLABLE; /* keys are never null */
        DSGI_RETURN_IF(n->children[0].dict != NULL || cf[0].type == DSG_STRUCT || cf[0].type == DSG_LIST ||
                           cf[0].type == DSG_MAP || cf[0].type == DSG_NULL,
                       err, DSG_ETYPE, "column %s: map keys must be of a primitive type", path);
        return DSG_OK;
    }
    int is_list = strcmp(fmt, "+l") == 0 || strcmp(fmt, "+L") == 0;
    int is_fixed_list = fmt[1] == 'w' && fmt[2] == ':';
    if (is_fixed_list) {
        if (!parse_int(fmt + 3, &e, &a) || *e != '\0' || a < 0 || a > INT32_MAX)
            return unsupported(path, fmt, "malformed fixed-size list format", err);
        n->list_size = a;
    }
    int is_struct = strcmp(fmt, "+s") == 0;
    if (!is_list && !is_fixed_list && !is_struct)
        return unsupported(path, fmt, NULL, err);
    DSGI_RETURN_IF(s->n_children < 1 || s->children == NULL, err, DSG_ETYPE,
                   "column %s: Arrow type '%s' without children", path, fmt);
    DSGI_RETURN_IF(!is_struct && s->n_children != 1, err, DSG_ETYPE,
                   "column %s: Arrow type '%s' must have one child", path, fmt);
    f->type = is_struct ? DSG_STRUCT : DSG_LIST;
    n->kind = is_struct ? K_STRUCT : is_fixed_list ? K_FIXED_LIST : fmt[1] == 'L' ? K_LIST64 : K_LIST32;
    size_t nc = (size_t)s->n_children;
    n->children = dsgi_calloc(nc, sizeof *n->children);
    dsg_field *cf = dsgi_calloc(nc, sizeof *cf);
    n->child_arrays = dsgi_calloc(nc, sizeof *n->child_arrays);
    f->children = cf;
    if (n->children == NULL || cf == NULL || n->child_arrays == NULL)
        return dsgi_fail(err, DSG_ENOMEM, "out of memory (Arrow schema)");
    n->n_children = nc;
    f->n_children = nc;
    for (size_t i = 0; i < nc; i++) {
        DSGI_RETURN_IF(s->children[i] == NULL, err, DSG_ETYPE, "column %s: a child schema is missing", path);
        DSGI_FORWARD(build(&n->children[i], &cf[i], s->children[i], path, depth + 1, err));
    }
    return DSG_OK;
}

static dsg_status build(node *n, dsg_field *f, const struct ArrowSchema *s, const char *parent_path,
                        int depth, dsg_error *err)
{
    DSGI_RETURN_IF(s->release == NULL, err, DSG_EINVAL, "the Arrow schema was already released");
    DSGI_RETURN_IF(s->format == NULL, err, DSG_ETYPE, "an Arrow schema has no format");
    const char *name = s->name ? s->name : "";
    char path[256];
    if (parent_path)
        snprintf(path, sizeof path, "%s.%s", parent_path, name);
    else
        snprintf(path, sizeof path, "%s", name);
    DSGI_RETURN_IF(depth > MAX_DEPTH, err, DSG_ETYPE, "column %s is nested too deeply", path);
    n->field = f;
    f->name = dsgi_strdup(*name ? name : "element");
    DSGI_RETURN_IF(f->name == NULL, err, DSG_ENOMEM, "out of memory (Arrow schema)");
    if (s->flags & ARROW_FLAG_NULLABLE)
        f->flags |= DSG_FIELD_NULLABLE;
    if (s->dictionary == NULL)
        return build_value_type(n, f, s, path, depth, err);
    /* dictionary-encoded: the format is the index type */
    const char *fmt = s->format;
    static const char idx[] = "cCsSiIlL";
    const char *p = strlen(fmt) == 1 ? strchr(idx, fmt[0]) : NULL;
    DSGI_RETURN_IF(p == NULL, err, DSG_ETYPE, "column %s: dictionary index type '%s' is not an integer",
                   path, fmt);
    n->dict_index_bytes = 1 << ((p - idx) / 2);
    n->dict_index_signed = (p - idx) % 2 == 0;
    n->dict = dsgi_calloc(1, sizeof *n->dict);
    dsg_field *df = dsgi_calloc(1, sizeof *df);
    if (n->dict == NULL || df == NULL) {
        dsgi_free(df);
        return dsgi_fail(err, DSG_ENOMEM, "out of memory (Arrow schema)");
    }
    n->dict->field = df;
    const struct ArrowSchema *ds = s->dictionary;
    DSGI_RETURN_IF(ds->format == NULL, err, DSG_ETYPE, "column %s: the dictionary has no format", path);
    df->name = dsgi_strdup(name);
    DSGI_RETURN_IF(df->name == NULL, err, DSG_ENOMEM, "out of memory (Arrow schema)");
    DSGI_FORWARD(build_value_type(n->dict, df, ds, path, depth, err));
    DSGI_RETURN_IF(n->dict->kind != K_PLAIN && n->dict->kind != K_STR32 && n->dict->kind != K_STR64 &&
                       n->dict->kind != K_FIXED && n->dict->kind != K_VIEW,
                   err, DSG_ETYPE, "column %s: a dictionary of Arrow type '%s' cannot be written", path,
                   ds->format);
    /* the column has the dictionary's value type */
    f->type = df->type;
    f->precision = df->precision;
    f->scale = df->scale;
    f->flags |= df->flags & DSG_FIELD_LOCAL_TIME;
    return DSG_OK;
}

void dsg_arrow_importer_free(dsg_arrow_importer *imp)
{
    if (imp == NULL)
        return;
    for (size_t i = 0; i < imp->n_blocks; i++)
        dsgi_free(imp->blocks[i]);
    dsgi_free(imp->blocks);
    for (size_t i = 0; i < imp->n_fields; i++) {
        if (imp->columns)
            node_free(&imp->columns[i]);
        field_free(&imp->fields[i]);
    }
    dsgi_free(imp->columns);
    dsgi_free(imp->fields);
    dsgi_free(imp->arrays);
    dsgi_free(imp);
}

dsg_status dsg_arrow_importer_create(dsg_arrow_importer **out, const struct ArrowSchema *schema,
                                     dsg_error *err)
{
    DSGI_RETURN_IF(schema == NULL || schema->release == NULL, err, DSG_EINVAL,
                   "no Arrow schema given (or it was released)");
    DSGI_RETURN_IF(schema->format == NULL || strcmp(schema->format, "+s") != 0, err, DSG_ETYPE,
                   "an Arrow record batch schema must be a struct, not '%s'",
                   schema->format ? schema->format : "(none)");
    DSGI_RETURN_IF(schema->n_children < 1 || schema->children == NULL, err, DSG_EINVAL,
                   "the Arrow schema has no columns");
    dsg_arrow_importer *imp = dsgi_calloc(1, sizeof *imp);
    DSGI_RETURN_IF(imp == NULL, err, DSG_ENOMEM, "out of memory (Arrow importer)");
    size_t n = (size_t)schema->n_children;
    imp->fields = dsgi_calloc(n, sizeof *imp->fields);
    imp->columns = dsgi_calloc(n, sizeof *imp->columns);
    imp->arrays = dsgi_calloc(n, sizeof *imp->arrays);
    dsg_status st = DSG_OK;
    if (imp->fields == NULL || imp->columns == NULL || imp->arrays == NULL)
        st = dsgi_fail(err, DSG_ENOMEM, "out of memory (Arrow importer)");
    for (size_t i = 0; st == DSG_OK && i < n; i++) {
        imp->n_fields = i + 1;
        if (schema->children[i] == NULL)
            st = dsgi_fail(err, DSG_ETYPE, "the Arrow schema's column %zu is missing", i);
        else
            st = build(&imp->columns[i], &imp->fields[i], schema->children[i], NULL, 0, err);
    }
    if (st != DSG_OK) {
        dsg_arrow_importer_free(imp);
        return st;
    }
    *out = imp;
    return DSG_OK;
}

const dsg_field *dsg_arrow_importer_fields(const dsg_arrow_importer *imp, size_t *n_fields)
{
    *n_fields = imp->n_fields;
    return imp->fields;
}

/* ---- arrays ---- */

static void *block(dsg_arrow_importer *imp, size_t bytes, dsg_error *err)
{
    if (imp->n_blocks == imp->blocks_cap) {
        size_t cap = imp->blocks_cap ? imp->blocks_cap * 2 : 64;
        void **p = dsgi_realloc(imp->blocks, cap * sizeof *p);
        if (p == NULL) {
            dsgi_fail(err, DSG_ENOMEM, "out of memory (Arrow conversion)");
            return NULL;
        }
        imp->blocks = p;
        imp->blocks_cap = cap;
    }
    void *b = dsgi_malloc(bytes ? bytes : 1);
    if (b == NULL) {
        dsgi_fail(err, DSG_ENOMEM, "out of memory (Arrow conversion of %zu bytes)", bytes);
        return NULL;
    }
    imp->blocks[imp->n_blocks++] = b;
    return b;
}

static inline int bit(const uint8_t *bits, int64_t i) { return (bits[i >> 3] >> (i & 7)) & 1; }

static float half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1F, man = h & 0x3FF, bits;
    if (exp == 0) {
        if (man == 0) {
            bits = sign;
        } else { /* subnormal: normalize */
            int e = -1;
            do {
                e++;
                man <<= 1;
            } while ((man & 0x400) == 0);
            bits = sign | ((uint32_t)(127 - 15 - e) << 23) | ((man & 0x3FF) << 13);
        }
    } else if (exp == 31) {
        bits = sign | 0x7F800000u | (man << 13);
    } else {
        bits = sign | ((exp + 127 - 15) << 23) | (man << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

typedef struct conv {
    dsg_arrow_importer *imp;
    const char *name;
} conv;

static dsg_status convert(conv *c, const node *n, const struct ArrowArray *a, int64_t base, int64_t length,
                          dsg_array *out, dsg_error *err);

static dsg_status check_buffers(const conv *c, const struct ArrowArray *a, int64_t want, dsg_error *err)
{
    DSGI_RETURN_IF(a->release == NULL, err, DSG_EINVAL, "column %s: the Arrow array was released", c->name);
    DSGI_RETURN_IF(a->length < 0 || a->offset < 0 || a->n_buffers < 0 || a->n_children < 0, err, DSG_ETYPE,
                   "column %s: an Arrow array has a negative length, offset or count", c->name);
    DSGI_RETURN_IF(want >= 0 && a->n_buffers != want, err, DSG_ETYPE,
                   "column %s: an Arrow array has %lld buffers, not %lld", c->name, (long long)a->n_buffers,
                   (long long)want);
    DSGI_RETURN_IF(a->n_buffers > 0 && a->buffers == NULL, err, DSG_ETYPE,
                   "column %s: an Arrow array has no buffer list", c->name);
    return DSG_OK;
}

/* The validity of slots [at, at + length) as bytes, or NULL when every
 * slot is valid. */
static dsg_status validity(conv *c, const struct ArrowArray *a, int64_t at, int64_t length,
                           const uint8_t **out, dsg_error *err)
{
    *out = NULL;
    const uint8_t *bits = a->n_buffers > 0 ? a->buffers[0] : NULL;
    if (bits == NULL || a->null_count == 0 || length == 0) {
        DSGI_RETURN_IF(bits == NULL && a->null_count > 0, err, DSG_ETYPE,
                       "column %s: an Arrow array has nulls but no validity bitmap", c->name);
        return DSG_OK;
    }
    uint8_t *v = block(c->imp, (size_t)length, err);
    if (v == NULL)
        return DSG_ENOMEM;
    for (int64_t i = 0; i < length; i++)
        v[i] = (uint8_t)bit(bits, at + i);
    *out = v;
    return DSG_OK;
}

/* Offsets [at, at + length] of an int32 or int64 offsets buffer into
 * int32, checked nondecreasing and non-negative. */
static dsg_status offsets(conv *c, const void *buf, int wide, int64_t at, int64_t length,
                          const int32_t **out, dsg_error *err)
{
    DSGI_RETURN_IF(buf == NULL, err, DSG_ETYPE, "column %s: an Arrow array has no offsets", c->name);
    if (!wide) {
        const int32_t *o = (const int32_t *)buf + at;
        DSGI_RETURN_IF(o[0] < 0, err, DSG_ETYPE, "column %s: Arrow offsets start below zero", c->name);
        for (int64_t i = 0; i < length; i++)
            DSGI_RETURN_IF(o[i + 1] < o[i], err, DSG_ETYPE, "column %s: Arrow offsets decrease", c->name);
        *out = o;
        return DSG_OK;
    }
    const int64_t *o = (const int64_t *)buf + at;
    int32_t *p = block(c->imp, (size_t)(length + 1) * 4, err);
    if (p == NULL)
        return DSG_ENOMEM;
    for (int64_t i = 0; i <= length; i++) {
        DSGI_RETURN_IF(o[i] < 0 || o[i] > INT32_MAX || (i > 0 && o[i] < o[i - 1]), err, DSG_ETYPE,
                       "column %s: large offsets out of order or beyond 2 GiB in one batch", c->name);
        p[i] = (int32_t)o[i];
    }
    *out = p;
    return DSG_OK;
}

static dsg_status convert_views(conv *c, const struct ArrowArray *a, int64_t at, int64_t length,
                                dsg_array *out, dsg_error *err)
{
    DSGI_RETURN_IF(a->n_buffers < 3, err, DSG_ETYPE, "column %s: a view array needs 3 or more buffers",
                   c->name);
    int64_t n_data = a->n_buffers - 3;
    const uint8_t *views = a->buffers[1];
    DSGI_RETURN_IF(length > 0 && views == NULL, err, DSG_ETYPE, "column %s: a view array has no views",
                   c->name);
    const int64_t *sizes = a->buffers[a->n_buffers - 1];
    int32_t *off = block(c->imp, (size_t)(length + 1) * 4, err);
    if (off == NULL)
        return DSG_ENOMEM;
    uint64_t total = 0;
    for (int64_t i = 0; i < length; i++) {
        int32_t len;
        memcpy(&len, views + (at + i) * 16, 4);
        DSGI_RETURN_IF(len < 0, err, DSG_ETYPE, "column %s: a view has a negative length", c->name);
        if (out->valid == NULL || out->valid[i])
            total += (uint64_t)len;
    }
    DSGI_RETURN_IF(total > INT32_MAX, err, DSG_ETYPE, "column %s: more than 2 GiB of strings in one batch",
                   c->name);
    char *data = block(c->imp, (size_t)total, err);
    if (data == NULL)
        return DSG_ENOMEM;
    int32_t pos = 0;
    for (int64_t i = 0; i < length; i++) {
        off[i] = pos;
        if (out->valid != NULL && !out->valid[i])
            continue;
        const uint8_t *v = views + (at + i) * 16;
        int32_t len, buf_index, buf_off;
        memcpy(&len, v, 4);
        if (len <= 12) {
            memcpy(data + pos, v + 4, (size_t)len);
        } else {
            memcpy(&buf_index, v + 8, 4);
            memcpy(&buf_off, v + 12, 4);
            DSGI_RETURN_IF(buf_index < 0 || buf_index >= n_data || buf_off < 0 || a->buffers[2 + buf_index] == NULL,
                           err, DSG_ETYPE, "column %s: a view points outside its data buffers", c->name);
            DSGI_RETURN_IF(sizes != NULL && (int64_t)buf_off + len > sizes[buf_index], err, DSG_ETYPE,
                           "column %s: a view points outside its data buffers", c->name);
            memcpy(data + pos, (const uint8_t *)a->buffers[2 + buf_index] + buf_off, (size_t)len);
        }
        pos += len;
    }
    off[length] = pos;
    out->offsets = off;
    out->data = data;
    return DSG_OK;
}

/* Values of 'vn' (a dictionary's value node, array d) gathered by the
 * indices of a, slots [at, at + length). */
static dsg_status convert_dictionary(conv *c, const node *n, const struct ArrowArray *a, int64_t at,
                                     int64_t length, dsg_array *out, dsg_error *err)
{
    DSGI_RETURN_IF(a->dictionary == NULL, err, DSG_ETYPE, "column %s: a dictionary array has no dictionary",
                   c->name);
    DSGI_RETURN_IF(length > 0 && a->buffers[1] == NULL, err, DSG_ETYPE,
                   "column %s: a dictionary array has no indices", c->name);
    const struct ArrowArray *d = a->dictionary;
    dsg_array dv;
    memset(&dv, 0, sizeof dv);
    DSGI_FORWARD(convert(c, n->dict, d, 0, d->length, &dv, err));
    /* indices as int64, checked */
    int64_t *ix = block(c->imp, (size_t)length * 8 + 8, err);
    if (ix == NULL)
        return DSG_ENOMEM;
    const uint8_t *ib = a->buffers[1];
    for (int64_t i = 0; i < length; i++) {
        int64_t k = 0;
        const uint8_t *p = ib + (at + i) * n->dict_index_bytes;
        switch (n->dict_index_bytes) {
        case 1: k = n->dict_index_signed ? (int64_t)(int8_t)p[0] : (int64_t)p[0]; break;
        case 2: {
            uint16_t u;
            memcpy(&u, p, 2);
            k = n->dict_index_signed ? (int64_t)(int16_t)u : (int64_t)u;
            break;
        }
        case 4: {
            uint32_t u;
            memcpy(&u, p, 4);
            k = n->dict_index_signed ? (int64_t)(int32_t)u : (int64_t)u;
            break;
        }
        default: memcpy(&k, p, 8); break;
        }
        if (out->valid != NULL && !out->valid[i])
            k = 0;
        else
            DSGI_RETURN_IF(k < 0 || k >= d->length, err, DSG_ETYPE,
                           "column %s: a dictionary index is out of range", c->name);
        if (dv.valid != NULL && !dv.valid[k] && (out->valid == NULL || out->valid[i])) {
            /* a null dictionary entry makes the slot null */
            DSGI_RETURN_IF(!(n->field->flags & DSG_FIELD_NULLABLE), err, DSG_ETYPE,
                           "column %s is not nullable but has null values", c->name);
            if (out->valid == NULL) {
                uint8_t *v = block(c->imp, (size_t)length, err);
                if (v == NULL)
                    return DSG_ENOMEM;
                memset(v, 1, (size_t)length);
                out->valid = v;
            }
            ((uint8_t *)out->valid)[i] = 0;
            k = 0;
        }
        ix[i] = k;
    }
    if (dv.offsets != NULL) { /* strings and binaries */
        uint64_t total = 0;
        for (int64_t i = 0; i < length; i++)
            if (out->valid == NULL || out->valid[i])
                total += (uint64_t)(dv.offsets[ix[i] + 1] - dv.offsets[ix[i]]);
        DSGI_RETURN_IF(total > INT32_MAX, err, DSG_ETYPE,
                       "column %s: more than 2 GiB of strings in one batch", c->name);
        int32_t *off = block(c->imp, (size_t)(length + 1) * 4, err);
        char *data = off ? block(c->imp, (size_t)total, err) : NULL;
        if (data == NULL)
            return DSG_ENOMEM;
        int32_t pos = 0;
        for (int64_t i = 0; i < length; i++) {
            off[i] = pos;
            if (out->valid != NULL && !out->valid[i])
                continue;
            int32_t b = dv.offsets[ix[i]], e = dv.offsets[ix[i] + 1];
            if (e > b)
                memcpy(data + pos, dv.data + b, (size_t)(e - b));
            pos += e - b;
        }
        off[length] = pos;
        out->offsets = off;
        out->data = data;
        return DSG_OK;
    }
    size_t w = n->dict->kind == K_FIXED ? n->dict->width : n->dict->width ? n->dict->width : 4;
    uint8_t *vals = block(c->imp, (size_t)length * w, err);
    if (vals == NULL)
        return DSG_ENOMEM;
    for (int64_t i = 0; i < length; i++)
        memcpy(vals + (size_t)i * w, (const uint8_t *)dv.values + (size_t)ix[i] * w, w);
    out->values = vals;
    return DSG_OK;
}

static dsg_status convert(conv *c, const node *n, const struct ArrowArray *a, int64_t base, int64_t length,
                          dsg_array *out, dsg_error *err)
{
    const dsg_field *f = n->field;
    int64_t want = -1;
    if (n->dict == NULL) {
        switch (n->kind) {
        case K_NULL: want = 0; break;
        case K_STR32:
        case K_STR64: want = 3; break;
        case K_VIEW: want = -1; break;
        case K_LIST32:
        case K_LIST64:
        case K_MAP: want = 2; break;
        case K_FIXED_LIST:
        case K_STRUCT: want = 1; break;
        default: want = 2; break;
        }
    } else {
        want = 2;
    }
    DSGI_FORWARD(check_buffers(c, a, want, err));
    DSGI_RETURN_IF(base < 0 || length < 0 || a->offset > INT64_MAX / 4 || base > INT64_MAX / 4 ||
                       a->length < base + length,
                   err, DSG_ETYPE, "column %s: an Arrow array is shorter than its parent", c->name);
    int64_t at = base + a->offset;
    memset(out, 0, sizeof *out);
    out->type = f->type;
    out->length = (size_t)length;
    if (n->kind == K_NULL && n->dict == NULL) {
        uint8_t *v = block(c->imp, (size_t)length, err);
        if (v == NULL)
            return DSG_ENOMEM;
        memset(v, 0, (size_t)length);
        out->valid = v;
        return DSG_OK;
    }
    DSGI_FORWARD(validity(c, a, at, length, &out->valid, err));
    if (n->dict != NULL)
        return convert_dictionary(c, n, a, at, length, out, err);
    const void *buf1 = a->n_buffers > 1 ? a->buffers[1] : NULL;
    int need_values = length > 0 && n->kind != K_STRUCT && n->kind != K_FIXED_LIST && n->kind != K_VIEW;
    DSGI_RETURN_IF(need_values && buf1 == NULL, err, DSG_ETYPE, "column %s: an Arrow array has no values",
                   c->name);
    switch (n->kind) {
    case K_PLAIN:
    case K_FIXED: out->values = (const uint8_t *)buf1 + (size_t)at * n->width; return DSG_OK;
    case K_BOOL: {
        uint8_t *v = block(c->imp, (size_t)length, err);
        if (v == NULL)
            return DSG_ENOMEM;
        for (int64_t i = 0; i < length; i++)
            v[i] = (uint8_t)bit(buf1, at + i);
        out->values = v;
        return DSG_OK;
    }
    case K_HALF: {
        float *v = block(c->imp, (size_t)length * 4, err);
        if (v == NULL)
            return DSG_ENOMEM;
        const uint16_t *h = (const uint16_t *)buf1 + at;
        for (int64_t i = 0; i < length; i++)
            v[i] = half_to_float(h[i]);
        out->values = v;
        return DSG_OK;
    }
    case K_DATE64: {
        int32_t *v = block(c->imp, (size_t)length * 4, err);
        if (v == NULL)
            return DSG_ENOMEM;
        const int64_t *ms = (const int64_t *)buf1 + at;
        for (int64_t i = 0; i < length; i++) {
            int64_t d = ms[i] / 86400000 - (ms[i] % 86400000 < 0);
            DSGI_RETURN_IF((out->valid == NULL || out->valid[i]) && (d < INT32_MIN || d > INT32_MAX), err,
                           DSG_ETYPE, "column %s: a date64 value is out of range", c->name);
            v[i] = (int32_t)d;
        }
        out->values = v;
        return DSG_OK;
    }
    case K_SCALE32: {
        int32_t *v = block(c->imp, (size_t)length * 4, err);
        if (v == NULL)
            return DSG_ENOMEM;
        const int32_t *src = (const int32_t *)buf1 + at;
        for (int64_t i = 0; i < length; i++) {
            int64_t x = (int64_t)src[i] * n->scale;
            DSGI_RETURN_IF((out->valid == NULL || out->valid[i]) && (x < INT32_MIN || x > INT32_MAX), err,
                           DSG_ETYPE, "column %s: a time value is out of range", c->name);
            v[i] = (int32_t)x;
        }
        out->values = v;
        return DSG_OK;
    }
    case K_SCALE64: {
        int64_t *v = block(c->imp, (size_t)length * 8, err);
        if (v == NULL)
            return DSG_ENOMEM;
        const int64_t *src = (const int64_t *)buf1 + at;
        for (int64_t i = 0; i < length; i++) {
            int64_t x = src[i];
            DSGI_RETURN_IF((out->valid == NULL || out->valid[i]) &&
                               (x > INT64_MAX / n->scale || x < INT64_MIN / n->scale),
                           err, DSG_ETYPE, "column %s: a timestamp in seconds is out of range", c->name);
            v[i] = (out->valid == NULL || out->valid[i]) ? x * n->scale : 0;
        }
        out->values = v;
        return DSG_OK;
    }
    case K_STR32:
    case K_STR64:
        DSGI_FORWARD(offsets(c, buf1, n->kind == K_STR64, at, length, &out->offsets, err));
        out->data = a->buffers[2];
        DSGI_RETURN_IF(out->offsets[length] > 0 && out->data == NULL, err, DSG_ETYPE,
                       "column %s: an Arrow string array has no data", c->name);
        if (out->data == NULL)
            out->data = "";
        return DSG_OK;
    case K_VIEW: return convert_views(c, a, at, length, out, err);
    case K_LIST32:
    case K_LIST64:
    case K_FIXED_LIST: {
        DSGI_RETURN_IF(a->n_children != 1 || a->children == NULL || a->children[0] == NULL, err, DSG_ETYPE,
                       "column %s: an Arrow list array has no child array", c->name);
        const struct ArrowArray *ch = a->children[0];
        DSGI_FORWARD(check_buffers(c, ch, -1, err));
        if (n->kind == K_FIXED_LIST) {
            int64_t k = n->list_size;
            DSGI_RETURN_IF((at + length) * k > INT32_MAX || (at + length) * k > ch->length, err, DSG_ETYPE,
                           "column %s: a fixed-size list's child is too short or too long", c->name);
            int32_t *o = block(c->imp, (size_t)(length + 1) * 4, err);
            if (o == NULL)
                return DSG_ENOMEM;
            for (int64_t i = 0; i <= length; i++)
                o[i] = (int32_t)((at + i) * k);
            out->offsets = o;
        } else {
            DSGI_FORWARD(offsets(c, buf1, n->kind == K_LIST64, at, length, &out->offsets, err));
        }
        DSGI_RETURN_IF(out->offsets[length] > ch->length, err, DSG_ETYPE,
                       "column %s: list offsets point past the child array", c->name);
        out->children = n->child_arrays;
        return convert(c, &n->children[0], ch, 0, ch->length, &n->child_arrays[0], err);
    }
    case K_STRUCT:
        DSGI_RETURN_IF((size_t)a->n_children != n->n_children || a->children == NULL, err, DSG_ETYPE,
                       "column %s: an Arrow struct array has %lld children, not %zu", c->name,
                       (long long)a->n_children, n->n_children);
        for (size_t i = 0; i < n->n_children; i++) {
            DSGI_RETURN_IF(a->children[i] == NULL, err, DSG_ETYPE, "column %s: a struct member is missing",
                           c->name);
            DSGI_FORWARD(check_buffers(c, a->children[i], -1, err));
            DSGI_FORWARD(convert(c, &n->children[i], a->children[i], at, length, &n->child_arrays[i], err));
        }
        out->children = n->child_arrays;
        return DSG_OK;
    case K_MAP: {
        DSGI_RETURN_IF(a->n_children != 1 || a->children == NULL || a->children[0] == NULL, err, DSG_ETYPE,
                       "column %s: an Arrow map array has no entries", c->name);
        const struct ArrowArray *en = a->children[0];
        DSGI_FORWARD(check_buffers(c, en, 1, err));
        DSGI_RETURN_IF(en->n_children != 2 || en->children == NULL || en->children[0] == NULL ||
                           en->children[1] == NULL,
                       err, DSG_ETYPE, "column %s: an Arrow map's entries must have a key and a value", c->name);
        DSGI_RETURN_IF(en->null_count > 0, err, DSG_ETYPE, "column %s: an Arrow map has null entries", c->name);
        DSGI_FORWARD(offsets(c, buf1, 0, at, length, &out->offsets, err));
        DSGI_RETURN_IF(out->offsets[length] > en->length, err, DSG_ETYPE,
                       "column %s: map offsets point past the entries", c->name);
        for (int k = 0; k < 2; k++) {
            DSGI_FORWARD(check_buffers(c, en->children[k], -1, err));
            DSGI_FORWARD(convert(c, &n->children[k], en->children[k], en->offset, en->length,
                                 &n->child_arrays[k], err));
        }
        out->children = n->child_arrays;
        return DSG_OK;
    }
    case K_NULL: break;
    }
    return dsgi_fail(err, DSG_EINTERNAL, "column %s: no conversion", c->name);
}

dsg_status dsg_arrow_importer_convert(dsg_arrow_importer *imp, const struct ArrowArray *array,
                                      const dsg_array **columns, size_t *n_rows, dsg_error *err)
{
    for (size_t i = 0; i < imp->n_blocks; i++)
        dsgi_free(imp->blocks[i]);
    imp->n_blocks = 0;
    DSGI_RETURN_IF(array == NULL || array->release == NULL, err, DSG_EINVAL,
                   "no Arrow array given (or it was released)");
    DSGI_RETURN_IF(array->length < 0 || array->offset < 0, err, DSG_ETYPE,
                   "an Arrow record batch has a negative length or offset");
    DSGI_RETURN_IF((size_t)array->n_children != imp->n_fields || array->children == NULL, err, DSG_ETYPE,
                   "an Arrow record batch has %lld columns, not the %zu of its schema",
                   (long long)array->n_children, imp->n_fields);
    DSGI_RETURN_IF(array->null_count > 0, err, DSG_ETYPE, "an Arrow record batch has null rows");
    for (size_t i = 0; i < imp->n_fields; i++) {
        conv c = {imp, imp->fields[i].name};
        const struct ArrowArray *ch = array->children[i];
        DSGI_RETURN_IF(ch == NULL, err, DSG_ETYPE, "column %s: its Arrow array is missing", c.name);
        DSGI_FORWARD(check_buffers(&c, ch, -1, err));
        DSGI_RETURN_IF(ch->length < array->offset + array->length, err, DSG_ETYPE,
                       "column %s: its Arrow array is shorter than the record batch", c.name);
        DSGI_FORWARD(convert(&c, &imp->columns[i], ch, array->offset, array->length, &imp->arrays[i], err));
    }
    *columns = imp->arrays;
    *n_rows = (size_t)array->length;
    return DSG_OK;
}
