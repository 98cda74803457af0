/*
 * test_writer.c - the Parquet writer through the public API, checked by a
 * small reader written here from parquet.thrift and Encodings.md: a Thrift
 * compact decoder for the footer, page headers and page indexes, and a
 * page decoder (levels, PLAIN, dictionaries); page bodies are decompressed
 * by the compression libraries' own decoders.
 *
 * verify_file() checks everything a file must satisfy whatever its data:
 * magic and footer length, schema, row groups that tile the file, pages
 * that tile each chunk, sizes and offsets, encodings, statistics and page
 * indexes recomputed from the decoded values. The tests then check what
 * their own input implies.
 */
#include "dsg/dsg.h"
#include "test_util.h"

#include <brotli/decode.h>
#include <dirent.h>
#include <libdeflate.h>
#include <lz4.h>
#include <math.h>
#include <snappy-c.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

/* parquet.thrift */
enum { BOOLEAN = 0, INT32 = 1, INT64 = 2, FLOAT = 4, DOUBLE = 5, BYTE_ARRAY = 6 };
enum { REQUIRED = 0, OPTIONAL = 1, REPEATED = 2 };
enum { ENC_PLAIN = 0, ENC_PLAIN_DICTIONARY = 2, ENC_RLE = 3, ENC_RLE_DICTIONARY = 8 };
enum { PAGE_DATA = 0, PAGE_DICTIONARY = 2 };
enum { CT_UTF8 = 0, CT_MAP = 1, CT_LIST = 3, CT_DECIMAL = 5, CT_DATE = 6, CT_TIMESTAMP_MICROS = 10,
       CT_INT_8 = 15, CT_INT_16 = 16 };

/* ================================================================== */
/* Thrift compact protocol decoder: any struct into a tree             */
/* ================================================================== */

enum { T_TRUE = 1, T_FALSE = 2, T_I8 = 3, T_I16 = 4, T_I32 = 5, T_I64 = 6, T_DOUBLE = 7,
       T_BINARY = 8, T_LIST = 9, T_SET = 10, T_STRUCT = 12 };

typedef struct tnode {
    int type;                /* T_TRUE for any bool */
    int16_t id;              /* field id (struct members) */
    int64_t i;               /* integers, bools; element type of a list */
    const uint8_t *bin;      /* binary */
    size_t len;
    struct tnode *kids;      /* struct members or list elements */
    size_t n;
} tnode;

typedef struct treader {
    const uint8_t *p, *end;
    const char *what;
} treader;

static uint64_t t_varint(treader *r)
{
    uint64_t v = 0;
    for (int shift = 0;; shift += 7) {
        CHECKF(r->p < r->end && shift < 64, "%s: truncated varint", r->what);
        uint8_t b = *r->p++;
        v |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80))
            return v;
    }
}

static int64_t t_zigzag(treader *r)
{
    uint64_t v = t_varint(r);
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static void t_value(treader *r, int type, tnode *out, int depth);

static void t_struct(treader *r, tnode *out, int depth)
{
    CHECKF(depth < 32, "%s: nested too deeply", r->what);
    memset(out, 0, sizeof *out);
    out->type = T_STRUCT;
    size_t cap = 0;
    int16_t last = 0;
    for (;;) {
        CHECKF(r->p < r->end, "%s: truncated struct", r->what);
        uint8_t b = *r->p++;
        if (b == 0)
            return;
        int type = b & 0x0F, delta = b >> 4;
        int16_t id = delta ? (int16_t)(last + delta) : (int16_t)t_zigzag(r);
        last = id;
        for (size_t k = 0; k < out->n; k++)
            CHECKF(out->kids[k].id != id, "%s: field %d appears twice", r->what, id);
        if (out->n == cap) {
            cap = cap ? cap * 2 : 8;
            out->kids = realloc(out->kids, cap * sizeof *out->kids);
            CHECK(out->kids != NULL);
        }
        tnode *k = &out->kids[out->n++];
        memset(k, 0, sizeof *k);
        if (type == T_TRUE || type == T_FALSE) {
            k->type = T_TRUE;
            k->i = type == T_TRUE;
        } else {
            t_value(r, type, k, depth + 1);
        }
        k->id = id;
    }
}

static void t_value(treader *r, int type, tnode *out, int depth)
{
    memset(out, 0, sizeof *out);
    out->type = type;
    switch (type) {
    case T_I8:
        CHECKF(r->p < r->end, "%s: truncated i8", r->what);
        out->i = (int8_t)*r->p++;
        return;
    case T_I16:
    case T_I32:
    case T_I64: out->i = t_zigzag(r); return;
    case T_DOUBLE:
        CHECKF(r->end - r->p >= 8, "%s: truncated double", r->what);
        r->p += 8;
        return;
    case T_BINARY:
        out->len = (size_t)t_varint(r);
        CHECKF(out->len <= (size_t)(r->end - r->p), "%s: truncated binary", r->what);
        out->bin = r->p;
        r->p += out->len;
        return;
    case T_LIST:
    case T_SET: {
        CHECKF(r->p < r->end, "%s: truncated list", r->what);
        uint8_t h = *r->p++;
        uint64_t n = h >> 4;
        int elem = h & 0x0F;
        if (n == 15)
            n = t_varint(r);
        CHECKF(n <= (uint64_t)(r->end - r->p), "%s: list of %llu elements", r->what,
               (unsigned long long)n);
        out->type = T_LIST;
        out->i = elem == T_FALSE ? T_TRUE : elem;
        out->n = (size_t)n;
        out->kids = calloc(n ? n : 1, sizeof *out->kids);
        CHECK(out->kids != NULL);
        for (size_t k = 0; k < n; k++) {
            if (elem == T_TRUE || elem == T_FALSE) {
                CHECKF(r->p < r->end && (*r->p == 1 || *r->p == 2 || *r->p == 0),
                       "%s: bad bool element", r->what);
                out->kids[k].type = T_TRUE;
                out->kids[k].i = *r->p++ == 1;
            } else {
                t_value(r, elem, &out->kids[k], depth + 1);
            }
        }
        return;
    }
    case T_STRUCT: t_struct(r, out, depth); return;
    default: CHECKF(0, "%s: unexpected thrift type %d", r->what, type);
    }
}

static void t_free(tnode *t)
{
    for (size_t k = 0; k < t->n; k++)
        t_free(&t->kids[k]);
    free(t->kids);
}

/* Parses one struct at p (at most 'avail' bytes); returns its size. */
static size_t t_parse(const uint8_t *p, size_t avail, tnode *out, const char *what)
{
    treader r = {p, p + avail, what};
    t_struct(&r, out, 0);
    return (size_t)(r.p - p);
}

static const tnode *t_get(const tnode *s, int id)
{
    for (size_t k = 0; k < s->n; k++)
        if (s->kids[k].id == id)
            return &s->kids[k];
    return NULL;
}

/* A field that must be present with the given type. */
static const tnode *t_req(const tnode *s, int id, int type)
{
    const tnode *k = t_get(s, id);
    CHECKF(k != NULL, "required field %d is missing", id);
    CHECKF(k->type == type, "field %d has type %d, not %d", id, k->type, type);
    return k;
}

static int64_t t_int(const tnode *s, int id, int type) { return t_req(s, id, type)->i; }

static int t_str_eq(const tnode *t, const char *s)
{
    return t->type == T_BINARY && t->len == strlen(s) && memcmp(t->bin, s, t->len) == 0;
}

/* ================================================================== */
/* Page bodies                                                         */
/* ================================================================== */

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int bit_width(uint32_t v) { return v == 0 ? 0 : 32 - __builtin_clz(v); }

/* Decodes n values of the RLE / bit-packed hybrid from p[0..len); the
 * stream must end exactly there (a bit-packed group may carry padding). */
static void hybrid_decode(const uint8_t *p, size_t len, int bw, size_t n, uint32_t *out)
{
    treader r = {p, p + len, "RLE/bit-packed data"};
    size_t got = 0;
    while (got < n) {
        uint64_t h = t_varint(&r);
        if (h & 1) {
            size_t values = (size_t)(h >> 1) * 8, bytes = (size_t)(h >> 1) * (size_t)bw;
            CHECKF(values > 0 && bytes <= (size_t)(r.end - r.p), "bad bit-packed run");
            for (size_t k = 0; k < values && got < n; k++) {
                uint32_t v = 0;
                for (int b = 0; b < bw; b++) {
                    size_t bit = k * (size_t)bw + (size_t)b;
                    v |= (uint32_t)((r.p[bit / 8] >> (bit % 8)) & 1) << b;
                }
                out[got++] = v;
            }
            r.p += bytes;
        } else {
            size_t count = (size_t)(h >> 1), nb = (size_t)(bw + 7) / 8;
            CHECKF(count > 0 && count <= n - got && nb <= (size_t)(r.end - r.p), "bad RLE run");
            uint32_t v = 0;
            for (size_t b = 0; b < nb; b++)
                v |= (uint32_t)r.p[b] << (8 * b);
            r.p += nb;
            while (count--)
                out[got++] = v;
        }
    }
    CHECKF(r.p == r.end, "%zu bytes after the last RLE/bit-packed run", (size_t)(r.end - r.p));
}

/* A value as Parquet PLAIN bytes without the BYTE_ARRAY length prefix:
 * the form statistics use. */
typedef struct value {
    const uint8_t *p;
    uint32_t len;
} value;

static const uint8_t bool_bytes[2] = {0, 1};

static uint32_t phys_width(int phys)
{
    switch (phys) {
    case INT32:
    case FLOAT: return 4;
    case INT64:
    case DOUBLE: return 8;
    default: return 0;
    }
}

/* Splits n PLAIN values of type phys from p[0..len), which they must fill. */
static void plain_decode(int phys, const uint8_t *p, size_t len, size_t n, value *out)
{
    size_t at = 0;
    for (size_t k = 0; k < n; k++) {
        if (phys == BOOLEAN) {
            CHECKF(k / 8 < len, "PLAIN booleans truncated");
            out[k].p = &bool_bytes[(p[k / 8] >> (k % 8)) & 1];
            out[k].len = 1;
            continue;
        }
        uint32_t w = phys_width(phys);
        if (phys == BYTE_ARRAY) {
            CHECKF(len - at >= 4, "PLAIN byte array length truncated");
            w = le32(p + at);
            at += 4;
        }
        CHECKF(len - at >= w, "PLAIN values truncated");
        out[k].p = p + at;
        out[k].len = w;
        at += w;
    }
    if (phys == BOOLEAN)
        at = (n + 7) / 8;
    CHECKF(at == len, "PLAIN data of %zu values: %zu bytes, %zu used", n, len, at);
}

static int is_nan(int phys, value v)
{
    if (phys == FLOAT) {
        float f;
        memcpy(&f, v.p, 4);
        return isnan(f);
    }
    if (phys == DOUBLE) {
        double d;
        memcpy(&d, v.p, 8);
        return isnan(d);
    }
    return 0;
}

/* Parquet's sort order per physical type (signed integers, IEEE floats,
 * unsigned bytes); NaN is never compared. */
static int value_cmp(int phys, value a, value b)
{
    switch (phys) {
    case BOOLEAN: return (int)a.p[0] - (int)b.p[0];
    case INT32: {
        int32_t x, y;
        memcpy(&x, a.p, 4);
        memcpy(&y, b.p, 4);
        return (x > y) - (x < y);
    }
    case INT64: {
        int64_t x, y;
        memcpy(&x, a.p, 8);
        memcpy(&y, b.p, 8);
        return (x > y) - (x < y);
    }
    case FLOAT: {
        float x, y;
        memcpy(&x, a.p, 4);
        memcpy(&y, b.p, 4);
        return (x > y) - (x < y);
    }
    case DOUBLE: {
        double x, y;
        memcpy(&x, a.p, 8);
        memcpy(&y, b.p, 8);
        return (x > y) - (x < y);
    }
    default: {
        size_t n = a.len < b.len ? a.len : b.len;
        int c = n ? memcmp(a.p, b.p, n) : 0;
        return c ? c : (a.len > b.len) - (a.len < b.len);
    }
    }
}

/* min/max of a page or chunk; mm_min and mm_max give them as the
 * writer must report them. */
typedef struct minmax {
    int has, zero_rule;
    value min, max;
    uint8_t min_buf[8], max_buf[8]; /* floats with the zero rule applied */
} minmax;

static void minmax_add(minmax *m, int phys, value v)
{
    if (is_nan(phys, v))
        return;
    if (!m->has || value_cmp(phys, v, m->min) < 0)
        m->min = v;
    if (!m->has || value_cmp(phys, v, m->max) > 0)
        m->max = v;
    m->has = 1;
}

/* The zero rule: a minimum of +-0 is written -0.0, a maximum +0.0. */
static void minmax_finish(minmax *m, int phys)
{
    if (!m->has || (phys != FLOAT && phys != DOUBLE))
        return;
    memcpy(m->min_buf, m->min.p, m->min.len);
    memcpy(m->max_buf, m->max.p, m->max.len);
    if (phys == FLOAT) {
        float a, b;
        memcpy(&a, m->min_buf, 4);
        memcpy(&b, m->max_buf, 4);
        a = a == 0 ? -0.0f : a;
        b = b == 0 ? 0.0f : b;
        memcpy(m->min_buf, &a, 4);
        memcpy(m->max_buf, &b, 4);
    } else {
        double a, b;
        memcpy(&a, m->min_buf, 8);
        memcpy(&b, m->max_buf, 8);
        a = a == 0 ? -0.0 : a;
        b = b == 0 ? 0.0 : b;
        memcpy(m->min_buf, &a, 8);
        memcpy(m->max_buf, &b, 8);
    }
    m->zero_rule = 1;
}

static value mm_min(const minmax *m)
{
    return m->zero_rule ? (value){m->min_buf, m->min.len} : m->min;
}

static value mm_max(const minmax *m)
{
    return m->zero_rule ? (value){m->max_buf, m->max.len} : m->max;
}

static int bytes_eq(const tnode *t, value v)
{
    return t->type == T_BINARY && t->len == v.len && (v.len == 0 || memcmp(t->bin, v.p, v.len) == 0);
}

/* ================================================================== */
/* A whole file                                                        */
/* ================================================================== */

#define MAX_LEAVES 64
#define MAX_SCHEMA 128

/* Everything decoded of one leaf column, across row groups. */
typedef struct column {
    const tnode *elem; /* SchemaElement */
    const tnode *path[16];
    size_t depth;
    int phys, max_def, max_rep;
    size_t n_levels, cap_levels;
    uint32_t *def, *rep;
    size_t n_values, cap_values; /* non-null values */
    value *values;
    /* pages over all row groups */
    size_t dict_pages, dict_entries, dict_data_pages, plain_data_pages;
} column;

/* A column's name, for messages. */
#define NAME(c) (int)(c)->path[(c)->depth - 1]->len, (const char *)(c)->path[(c)->depth - 1]->bin

typedef struct pfile {
    uint8_t *data;
    size_t len;
    size_t footer_start;
    tnode meta;
    size_t n_schema;
    const tnode *schema[MAX_SCHEMA];
    char schema_path[MAX_SCHEMA][128];
    size_t n_columns;
    column columns[MAX_LEAVES];
    uint8_t **scratch; /* decompressed page bodies */
    size_t n_scratch;
} pfile;

/* Walks the schema depth first; returns the next element index. */
static size_t walk_schema(pfile *f, size_t i, const char *parent, const tnode **path, size_t depth,
                          int def, int rep)
{
    const tnode *schema = t_req(&f->meta, 2, T_LIST);
    CHECKF(i < schema->n && depth < 16, "schema ends early");
    const tnode *e = &schema->kids[i];
    const tnode *name = t_req(e, 4, T_BINARY);
    int repetition = (int)t_int(e, 3, T_I32);
    CHECKF(repetition >= REQUIRED && repetition <= REPEATED, "bad repetition %d", repetition);
    def += repetition != REQUIRED;
    rep += repetition == REPEATED;
    snprintf(f->schema_path[i], sizeof f->schema_path[i], "%s%s%.*s", parent, *parent ? "." : "",
             (int)name->len, (const char *)name->bin);
    f->schema[i] = e;
    path[depth] = name;
    const tnode *nc = t_get(e, 5);
    if (nc == NULL) {
        CHECKF(f->n_columns < MAX_LEAVES, "too many columns");
        column *c = &f->columns[f->n_columns++];
        c->elem = e;
        c->phys = (int)t_int(e, 1, T_I32);
        c->max_def = def;
        c->max_rep = rep;
        c->depth = depth + 1;
        memcpy(c->path, path, c->depth * sizeof *path);
        return i + 1;
    }
    CHECKF(t_get(e, 1) == NULL && nc->i > 0, "group %s has a type or no children", f->schema_path[i]);
    size_t next = i + 1;
    for (int64_t k = 0; k < nc->i; k++)
        next = walk_schema(f, next, f->schema_path[i], path, depth + 1, def, rep);
    return next;
}

static void column_push_level(column *c, uint32_t def, uint32_t rep)
{
    if (c->n_levels == c->cap_levels) {
        c->cap_levels = c->cap_levels ? c->cap_levels * 2 : 1024;
        c->def = realloc(c->def, c->cap_levels * sizeof *c->def);
        c->rep = realloc(c->rep, c->cap_levels * sizeof *c->rep);
        CHECK(c->def != NULL && c->rep != NULL);
    }
    c->def[c->n_levels] = def;
    c->rep[c->n_levels] = rep;
    c->n_levels++;
}

static void column_push_value(column *c, value v)
{
    if (c->n_values == c->cap_values) {
        c->cap_values = c->cap_values ? c->cap_values * 2 : 1024;
        c->values = realloc(c->values, c->cap_values * sizeof *c->values);
        CHECK(c->values != NULL);
    }
    c->values[c->n_values++] = v;
}

/* The uncompressed body of a page. */
static const uint8_t *page_body(pfile *f, int codec, const uint8_t *p, size_t csize, size_t usize)
{
    if (codec == 0) {
        CHECKF(csize == usize, "uncompressed page: sizes %zu and %zu differ", csize, usize);
        return p;
    }
    uint8_t *out = malloc(usize ? usize : 1);
    f->scratch = realloc(f->scratch, (f->n_scratch + 1) * sizeof *f->scratch);
    CHECK(out != NULL && f->scratch != NULL);
    f->scratch[f->n_scratch++] = out;
    size_t n = usize;
    int ok = 0;
    switch (codec) { /* parquet.thrift CompressionCodec */
    case 1: ok = snappy_uncompress((const char *)p, csize, (char *)out, &n) == SNAPPY_OK; break;
    case 2: {
        struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
        CHECK(d != NULL);
        ok = libdeflate_gzip_decompress(d, p, csize, out, usize, &n) == LIBDEFLATE_SUCCESS;
        libdeflate_free_decompressor(d);
        break;
    }
    case 4: ok = BrotliDecoderDecompress(csize, p, &n, out) == BROTLI_DECODER_RESULT_SUCCESS; break;
    case 6: n = ZSTD_decompress(out, usize, p, csize); ok = !ZSTD_isError(n); break;
    case 7: {
        int r = LZ4_decompress_safe((const char *)p, (char *)out, (int)csize, (int)usize);
        ok = r >= 0;
        n = (size_t)r;
        break;
    }
    default: CHECKF(0, "unknown codec %d", codec);
    }
    CHECKF(ok && n == usize, "codec %d: a page of %zu bytes does not decompress to %zu", codec, csize, usize);
    return out;
}

/* What one data page held. */
typedef struct page {
    size_t offset, size; /* header included */
    size_t levels, values, rows, first_row;
    int encoding;
    minmax mm;
    int only_nan;
} page;

/* Decodes a data page's levels and values into c; fills pg. */
static void decode_data_page(column *c, const uint8_t *body, size_t usize, size_t n_levels,
                             int encoding, const value *dict, size_t n_dict, page *pg)
{
    const uint8_t *p = body, *end = body + usize;
    uint32_t *rep = calloc(n_levels + 1, sizeof *rep), *def = calloc(n_levels + 1, sizeof *def);
    CHECK(rep != NULL && def != NULL);
    for (int pass = 0; pass < 2; pass++) {
        int max = pass == 0 ? c->max_rep : c->max_def;
        uint32_t *out = pass == 0 ? rep : def;
        if (max == 0) {
            for (size_t k = 0; k < n_levels; k++)
                out[k] = 0;
            continue;
        }
        CHECKF(end - p >= 4, "levels truncated");
        size_t len = le32(p);
        p += 4;
        CHECKF(len <= (size_t)(end - p), "levels of %zu bytes overrun the page", len);
        hybrid_decode(p, len, bit_width((uint32_t)max), n_levels, out);
        p += len;
        for (size_t k = 0; k < n_levels; k++)
            CHECKF(out[k] <= (uint32_t)max, "level %u above its maximum %d", out[k], max);
    }
    if (c->max_def == 0)
        for (size_t k = 0; k < n_levels; k++)
            def[k] = 0;
    CHECKF(n_levels == 0 || rep[0] == 0, "a page starts in the middle of a row");
    size_t values = 0, rows = 0;
    for (size_t k = 0; k < n_levels; k++) {
        values += def[k] == (uint32_t)c->max_def;
        rows += rep[k] == 0;
        column_push_level(c, def[k], rep[k]);
    }
    value *v = calloc(values + 1, sizeof *v);
    CHECK(v != NULL);
    if (encoding == ENC_PLAIN) {
        plain_decode(c->phys, p, (size_t)(end - p), values, v);
    } else {
        CHECKF(encoding == ENC_RLE_DICTIONARY, "unexpected data page encoding %d", encoding);
        CHECKF(dict != NULL, "dictionary-encoded page without a dictionary page");
        CHECKF(p < end, "dictionary indices without a bit width");
        int bw = *p++;
        CHECKF(bw <= 32, "index bit width %d", bw);
        uint32_t *idx = calloc(values + 1, sizeof *idx);
        CHECK(idx != NULL);
        hybrid_decode(p, (size_t)(end - p), bw, values, idx);
        for (size_t k = 0; k < values; k++) {
            CHECKF(idx[k] < n_dict, "index %u past a dictionary of %zu", idx[k], n_dict);
            v[k] = dict[idx[k]];
        }
        free(idx);
    }
    memset(&pg->mm, 0, sizeof pg->mm);
    for (size_t k = 0; k < values; k++) {
        column_push_value(c, v[k]);
        minmax_add(&pg->mm, c->phys, v[k]);
    }
    pg->levels = n_levels;
    pg->values = values;
    pg->rows = rows;
    pg->encoding = encoding;
    pg->only_nan = values > 0 && !pg->mm.has;
    free(v);
    free(rep);
    free(def);
}

static int value_bytes_cmp(const void *a, const void *b)
{
    const value *x = a, *y = b;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return x->len ? memcmp(x->p, y->p, x->len) : 0;
}

/* Dictionary entries must be distinct. */
static void check_distinct(const value *dict, size_t n)
{
    value *sorted = malloc((n + 1) * sizeof *sorted);
    CHECK(sorted != NULL);
    memcpy(sorted, dict, n * sizeof *dict);
    qsort(sorted, n, sizeof *sorted, value_bytes_cmp);
    for (size_t k = 1; k < n; k++)
        CHECKF(value_bytes_cmp(&sorted[k - 1], &sorted[k]) != 0, "the dictionary holds a value twice");
    free(sorted);
}

typedef struct region {
    size_t begin, end;
} region;

/* Page index structs of one chunk, against the pages read. */
static void check_page_indexes(pfile *f, const tnode *cc, const column *c, const page *pages,
                               size_t n_pages, region *regions, size_t *n_regions,
                               size_t data_end, int any_only_nan)
{
    const tnode *oi_off = t_get(cc, 4), *ci_off = t_get(cc, 6);
    CHECKF(oi_off != NULL, "no OffsetIndex");
    size_t off = (size_t)oi_off->i, len = (size_t)t_int(cc, 5, T_I32);
    CHECKF(off >= data_end && off + len <= f->footer_start, "OffsetIndex at %zu+%zu is outside the index area", off, len);
    regions[(*n_regions)++] = (region){off, off + len};
    tnode oi;
    CHECKF(t_parse(f->data + off, len, &oi, "OffsetIndex") == len, "OffsetIndex is not %zu bytes", len);
    const tnode *locs = t_req(&oi, 1, T_LIST);
    CHECKF(locs->n == n_pages, "OffsetIndex has %zu pages, the chunk %zu", locs->n, n_pages);
    for (size_t k = 0; k < n_pages; k++) {
        const tnode *l = &locs->kids[k];
        CHECKF((size_t)t_int(l, 1, T_I64) == pages[k].offset, "page %zu offset", k);
        CHECKF((size_t)t_int(l, 2, T_I32) == pages[k].size, "page %zu size", k);
        CHECKF((size_t)t_int(l, 3, T_I64) == pages[k].first_row, "page %zu: first row %lld, not %zu",
               k, (long long)t_int(l, 3, T_I64), pages[k].first_row);
    }
    t_free(&oi);

    /* A page of NaN only has no honest min/max: no ColumnIndex then. */
    CHECKF((ci_off != NULL) == !any_only_nan, "%.*s: ColumnIndex %s", NAME(c), ci_off ? "despite NaN-only pages" : "missing");
    if (ci_off == NULL)
        return;
    off = (size_t)ci_off->i;
    len = (size_t)t_int(cc, 7, T_I32);
    CHECKF(off >= data_end && off + len <= f->footer_start, "ColumnIndex outside the index area");
    regions[(*n_regions)++] = (region){off, off + len};
    tnode ci;
    CHECKF(t_parse(f->data + off, len, &ci, "ColumnIndex") == len, "ColumnIndex is not %zu bytes", len);
    const tnode *nulls = t_req(&ci, 1, T_LIST), *mins = t_req(&ci, 2, T_LIST),
                *maxs = t_req(&ci, 3, T_LIST), *counts = t_req(&ci, 5, T_LIST);
    CHECK(nulls->n == n_pages && mins->n == n_pages && maxs->n == n_pages && counts->n == n_pages);
    int order = (int)t_int(&ci, 4, T_I32);
    CHECKF(order >= 0 && order <= 2, "boundary order %d", order);
    const page *prev = NULL;
    for (size_t k = 0; k < n_pages; k++) {
        const page *pg = &pages[k];
        CHECKF(nulls->kids[k].i == (pg->values == 0), "page %zu: null_pages wrong", k);
        CHECKF((size_t)counts->kids[k].i == pg->levels - pg->values, "page %zu: null count %lld, not %zu",
               k, (long long)counts->kids[k].i, pg->levels - pg->values);
        if (pg->values == 0) {
            CHECKF(mins->kids[k].len == 0 && maxs->kids[k].len == 0, "null page %zu has min/max", k);
            continue;
        }
        CHECKF(bytes_eq(&mins->kids[k], mm_min(&pg->mm)), "%.*s page %zu: ColumnIndex min wrong", NAME(c), k);
        CHECKF(bytes_eq(&maxs->kids[k], mm_max(&pg->mm)), "%.*s page %zu: ColumnIndex max wrong", NAME(c), k);
        if (prev != NULL && order != 0) {
            int s = order == 1 ? 1 : -1;
            CHECKF(s * value_cmp(c->phys, mm_min(&prev->mm), mm_min(&pg->mm)) <= 0 &&
                       s * value_cmp(c->phys, mm_max(&prev->mm), mm_max(&pg->mm)) <= 0,
                   "boundary order %d does not hold at page %zu", order, k);
        }
        prev = pg;
    }
    t_free(&ci);
}

/* Reads one column chunk starting at 'start'; returns where it ends. */
static size_t verify_chunk(pfile *f, const tnode *cc, column *c, size_t start, size_t rg_rows,
                           int page_index, region *regions, size_t *n_regions, size_t data_end,
                           int64_t *uncompressed)
{
    t_req(cc, 2, T_I64);
    const tnode *md = t_req(cc, 3, T_STRUCT);
    CHECKF(t_int(md, 1, T_I32) == c->phys, "chunk type differs from the schema");
    const tnode *path = t_req(md, 3, T_LIST);
    CHECKF(path->n == c->depth, "path_in_schema has %zu names, not %zu", path->n, c->depth);
    for (size_t k = 0; k < c->depth; k++)
        CHECKF(path->kids[k].len == c->path[k]->len &&
                   memcmp(path->kids[k].bin, c->path[k]->bin, c->path[k]->len) == 0,
               "path_in_schema differs from the schema");
    int codec = (int)t_int(md, 4, T_I32);
    size_t data_off = (size_t)t_int(md, 9, T_I64);
    const tnode *dict_node = t_get(md, 11);
    size_t first = dict_node ? (size_t)dict_node->i : data_off;
    CHECKF(first == start, "chunk starts at %zu, not right after the previous one at %zu", first, start);
    size_t total_c = (size_t)t_int(md, 7, T_I64), end = start + total_c;
    CHECKF(end <= f->footer_start, "chunk runs past the footer");

    value *dict = NULL;
    size_t n_dict = 0, pos = start, levels = 0, rows = 0, n_pages = 0;
    page *pages = NULL;
    int64_t sum_u = 0;
    int seen_data = 0, any_only_nan = 0;
    minmax chunk_mm = {0};
    size_t chunk_nulls = 0, n_dict_data = 0, n_plain_data = 0, n_dict_pages = 0;
    while (pos < end) {
        tnode ph;
        size_t hlen = t_parse(f->data + pos, end - pos, &ph, "page header");
        int type = (int)t_int(&ph, 1, T_I32);
        size_t usize = (size_t)t_int(&ph, 2, T_I32), csize = (size_t)t_int(&ph, 3, T_I32);
        CHECKF(csize <= end - pos - hlen, "page at %zu overruns its chunk", pos);
        sum_u += (int64_t)(hlen + usize);
        const uint8_t *body = page_body(f, codec, f->data + pos + hlen, csize, usize);
        if (type == PAGE_DICTIONARY) {
            CHECKF(pos == start && dict_node != NULL, "dictionary page not first or not in the metadata");
            const tnode *dh = t_req(&ph, 7, T_STRUCT);
            n_dict = (size_t)t_int(dh, 1, T_I32);
            int enc = (int)t_int(dh, 2, T_I32);
            CHECKF(enc == ENC_PLAIN || enc == ENC_PLAIN_DICTIONARY, "dictionary encoding %d", enc);
            dict = calloc(n_dict + 1, sizeof *dict);
            CHECK(dict != NULL);
            plain_decode(c->phys, body, usize, n_dict, dict);
            check_distinct(dict, n_dict);
            n_dict_pages++;
            c->dict_entries += n_dict;
        } else {
            CHECKF(type == PAGE_DATA, "unexpected page type %d", type);
            const tnode *dh = t_req(&ph, 5, T_STRUCT);
            CHECK(t_int(dh, 3, T_I32) == ENC_RLE && t_int(dh, 4, T_I32) == ENC_RLE);
            if (!seen_data)
                CHECKF(pos == data_off, "data_page_offset %zu, first data page at %zu", data_off, pos);
            seen_data = 1;
            pages = realloc(pages, (n_pages + 1) * sizeof *pages);
            CHECK(pages != NULL);
            page *pg = &pages[n_pages++];
            size_t n_levels = (size_t)t_int(dh, 1, T_I32);
            int enc = (int)t_int(dh, 2, T_I32);
            decode_data_page(c, body, usize, n_levels, enc, dict, n_dict, pg);
            pg->offset = pos;
            pg->size = hlen + csize;
            pg->first_row = rows;
            levels += n_levels;
            rows += pg->rows;
            chunk_nulls += pg->levels - pg->values;
            any_only_nan |= pg->only_nan;
            if (pg->mm.has) {
                minmax_add(&chunk_mm, c->phys, pg->mm.min);
                minmax_add(&chunk_mm, c->phys, pg->mm.max);
            }
            minmax_finish(&pg->mm, c->phys);
            if (enc == ENC_PLAIN)
                n_plain_data++;
            else
                n_dict_data++;
        }
        t_free(&ph);
        pos += hlen + csize;
    }
    CHECKF(pos == end, "pages end at %zu, the chunk at %zu", pos, end);
    CHECKF(seen_data, "a chunk without data pages");
    CHECKF(sum_u == t_int(md, 6, T_I64), "total_uncompressed_size %lld, pages add up to %lld",
           (long long)t_int(md, 6, T_I64), (long long)sum_u);
    CHECKF((int64_t)levels == t_int(md, 5, T_I64), "num_values %lld, pages hold %zu",
           (long long)t_int(md, 5, T_I64), levels);
    CHECKF(rows == rg_rows, "the chunk holds %zu rows, its row group %zu", rows, rg_rows);
    *uncompressed += sum_u;

    /* encodings: exactly those used */
    int want[9] = {0}, got[9] = {0};
    want[ENC_PLAIN] = n_plain_data > 0 || n_dict_pages > 0;
    want[ENC_RLE] = c->max_def > 0 || c->max_rep > 0;
    want[ENC_RLE_DICTIONARY] = n_dict_data > 0;
    const tnode *encs = t_req(md, 2, T_LIST);
    for (size_t k = 0; k < encs->n; k++) {
        int e = (int)encs->kids[k].i;
        CHECKF(e >= 0 && e < 9 && !got[e], "encoding %d unknown or listed twice", e);
        got[e] = 1;
    }
    for (int e = 0; e < 9; e++)
        CHECKF(want[e] == got[e] || (e == ENC_RLE && got[e]), "encoding %d %s", e,
               got[e] ? "listed but not used" : "used but not listed");
    const tnode *es = t_get(md, 13);
    if (es != NULL) {
        size_t dict_count = 0, dd = 0, pd = 0;
        for (size_t k = 0; k < es->n; k++) {
            int ptype = (int)t_int(&es->kids[k], 1, T_I32), enc = (int)t_int(&es->kids[k], 2, T_I32);
            size_t count = (size_t)t_int(&es->kids[k], 3, T_I32);
            if (ptype == PAGE_DICTIONARY)
                dict_count += count;
            else if (enc == ENC_PLAIN)
                pd += count;
            else
                dd += count;
        }
        CHECKF(dict_count == n_dict_pages && dd == n_dict_data && pd == n_plain_data,
               "encoding_stats do not match the pages");
    }

    /* statistics, recomputed from the values */
    minmax_finish(&chunk_mm, c->phys);
    const tnode *st = t_req(md, 12, T_STRUCT);
    CHECKF(t_get(st, 1) == NULL && t_get(st, 2) == NULL, "deprecated min/max written");
    CHECKF((size_t)t_int(st, 3, T_I64) == chunk_nulls, "%.*s: null_count %lld, the pages hold %zu nulls",
           NAME(c), (long long)t_int(st, 3, T_I64), chunk_nulls);
    const tnode *mx = t_get(st, 5), *mn = t_get(st, 6);
    CHECKF((mx != NULL) == chunk_mm.has && (mn != NULL) == chunk_mm.has, "%.*s: min/max %s", NAME(c),
           chunk_mm.has ? "missing" : "written without a non-NaN value");
    if (chunk_mm.has) {
        uint32_t w = c->phys == BOOLEAN ? 1 : phys_width(c->phys);
        CHECKF(w == 0 || (mn->len == w && mx->len == w), "min/max of %zu/%zu bytes for a %u-byte type",
               mn->len, mx->len, w);
        CHECKF(bytes_eq(mn, mm_min(&chunk_mm)), "%.*s: min_value is not the minimum", NAME(c));
        CHECKF(bytes_eq(mx, mm_max(&chunk_mm)), "%.*s: max_value is not the maximum", NAME(c));
    }
    for (int id = 7; id <= 8; id++)
        CHECKF(t_get(st, id) == NULL || t_get(st, id)->i == 1, "min/max claimed inexact");

    if (page_index)
        check_page_indexes(f, cc, c, pages, n_pages, regions, n_regions, data_end, any_only_nan);
    else
        CHECKF(t_get(cc, 4) == NULL && t_get(cc, 6) == NULL, "page index written though disabled");
    c->dict_pages += n_dict_pages;
    c->dict_data_pages += n_dict_data;
    c->plain_data_pages += n_plain_data;
    free(pages);
    free(dict);
    return end;
}

static int region_cmp(const void *a, const void *b)
{
    const region *x = a, *y = b;
    return (x->begin > y->begin) - (x->begin < y->begin);
}

/* Where the data of the last row group ends: the start of the indexes. */
static size_t data_end_of(const pfile *f)
{
    const tnode *rgs = t_req(&f->meta, 4, T_LIST);
    size_t end = 4;
    for (size_t g = 0; g < rgs->n; g++) {
        const tnode *cols = t_req(&rgs->kids[g], 1, T_LIST);
        for (size_t k = 0; k < cols->n; k++) {
            const tnode *md = t_req(&cols->kids[k], 3, T_STRUCT);
            const tnode *d = t_get(md, 11);
            size_t s = d ? (size_t)d->i : (size_t)t_int(md, 9, T_I64);
            if (s + (size_t)t_int(md, 7, T_I64) > end)
                end = s + (size_t)t_int(md, 7, T_I64);
        }
    }
    return end;
}

/* Reads 'path' and checks every rule that holds whatever the data. */
static void verify_file(pfile *f, const char *path, int page_index)
{
    memset(f, 0, sizeof *f);
    FILE *fp = fopen(path, "rb");
    CHECKF(fp != NULL, "cannot open %s", path);
    CHECK(fseek(fp, 0, SEEK_END) == 0);
    f->len = (size_t)ftell(fp);
    rewind(fp);
    f->data = malloc(f->len + 1);
    CHECK(f->data != NULL && fread(f->data, 1, f->len, fp) == f->len);
    fclose(fp);

    CHECKF(f->len >= 12 && memcmp(f->data, "PAR1", 4) == 0 && memcmp(f->data + f->len - 4, "PAR1", 4) == 0,
           "%s: no PAR1 magic at both ends", path);
    size_t footer_len = le32(f->data + f->len - 8);
    CHECKF(footer_len <= f->len - 12, "footer length %zu in a file of %zu bytes", footer_len, f->len);
    f->footer_start = f->len - 8 - footer_len;
    CHECKF(t_parse(f->data + f->footer_start, footer_len, &f->meta, "FileMetaData") == footer_len,
           "FileMetaData is shorter than the footer length");

    int64_t version = t_int(&f->meta, 1, T_I32);
    CHECKF(version == 1 || version == 2, "version %lld", (long long)version);
    const tnode *created = t_req(&f->meta, 6, T_BINARY);
    char want[128], build[64];
    snprintf(want, sizeof want, "dataset-generator version %s (build ", dsg_version());
    size_t wl = strlen(want);
    CHECKF(created->len > wl + 1 && memcmp(created->bin, want, wl) == 0 && created->bin[created->len - 1] == ')',
           "created_by '%.*s'", (int)created->len, (const char *)created->bin);
    snprintf(build, sizeof build, "%.*s", (int)(created->len - wl - 1), (const char *)created->bin + wl);
    CHECKF(strcmp(build, dsg_build_id()) == 0 && strpbrk(build, " ()") == NULL, "build id '%s'", build);

    const tnode *schema = t_req(&f->meta, 2, T_LIST);
    CHECK(schema->n >= 2 && schema->n <= MAX_SCHEMA);
    const tnode *root = &schema->kids[0];
    CHECKF(t_get(root, 1) == NULL, "the root has a type");
    f->schema[0] = root;
    snprintf(f->schema_path[0], sizeof f->schema_path[0], "%s", "");
    size_t next = 1;
    const tnode *name_path[16];
    for (int64_t k = 0; k < t_int(root, 5, T_I32); k++)
        next = walk_schema(f, next, "", name_path, 0, 0, 0);
    CHECKF(next == schema->n, "schema has %zu elements, the tree %zu", schema->n, next);
    f->n_schema = next;

    const tnode *orders = t_req(&f->meta, 7, T_LIST);
    CHECKF(orders->n == f->n_columns, "%zu column orders for %zu columns", orders->n, f->n_columns);
    for (size_t k = 0; k < orders->n; k++) {
        const tnode *o = t_req(&orders->kids[k], 1, T_STRUCT);
        CHECKF(o->n == 0, "TYPE_ORDER is not empty");
    }

    const tnode *rgs = t_req(&f->meta, 4, T_LIST);
    size_t data_end = data_end_of(f), pos = 4, n_regions = 0;
    region *regions = calloc(2 * f->n_columns * rgs->n + 1, sizeof *regions);
    CHECK(regions != NULL);
    int64_t rows = 0;
    for (size_t g = 0; g < rgs->n; g++) {
        const tnode *rg = &rgs->kids[g];
        int64_t rg_rows = t_int(rg, 3, T_I64);
        CHECKF(rg_rows > 0, "row group %zu is empty", g);
        rows += rg_rows;
        const tnode *cols = t_req(rg, 1, T_LIST);
        CHECKF(cols->n == f->n_columns, "row group %zu has %zu chunks", g, cols->n);
        size_t rg_start = pos;
        int64_t uncompressed = 0;
        for (size_t k = 0; k < cols->n; k++)
            pos = verify_chunk(f, &cols->kids[k], &f->columns[k], pos, (size_t)rg_rows, page_index,
                               regions, &n_regions, data_end, &uncompressed);
        const tnode *fo = t_get(rg, 5), *tc = t_get(rg, 6), *ord = t_get(rg, 7);
        CHECKF(fo == NULL || (size_t)fo->i == rg_start, "row group %zu file_offset", g);
        CHECKF(tc == NULL || (size_t)tc->i == pos - rg_start, "row group %zu total_compressed_size", g);
        CHECKF(ord == NULL || ord->i == (int64_t)g, "row group %zu ordinal", g);
        CHECKF(t_int(rg, 2, T_I64) == uncompressed, "row group %zu total_byte_size", g);
    }
    CHECK(pos == data_end);
    CHECKF(t_int(&f->meta, 3, T_I64) == rows, "num_rows %lld, row groups hold %lld",
           (long long)t_int(&f->meta, 3, T_I64), (long long)rows);
    qsort(regions, n_regions, sizeof *regions, region_cmp);
    for (size_t k = 1; k < n_regions; k++)
        CHECKF(regions[k - 1].end <= regions[k].begin, "page index structures overlap");
    free(regions);
}

static void pfile_free(pfile *f)
{
    for (size_t k = 0; k < f->n_columns; k++) {
        free(f->columns[k].def);
        free(f->columns[k].rep);
        free(f->columns[k].values);
    }
    for (size_t k = 0; k < f->n_scratch; k++)
        free(f->scratch[k]);
    free(f->scratch);
    t_free(&f->meta);
    free(f->data);
}

static const tnode *schema_elem(const pfile *f, const char *path)
{
    for (size_t i = 1; i < f->n_schema; i++)
        if (strcmp(f->schema_path[i], path) == 0)
            return f->schema[i];
    CHECKF(0, "no schema element %s", path);
    return NULL;
}

static const column *column_of(const pfile *f, const char *path)
{
    const tnode *e = schema_elem(f, path);
    for (size_t k = 0; k < f->n_columns; k++)
        if (f->columns[k].elem == e)
            return &f->columns[k];
    CHECKF(0, "%s is not a leaf", path);
    return NULL;
}

/* The chunk metadata of a column in row group g. */
static const tnode *chunk_meta(const pfile *f, size_t g, const char *path)
{
    const column *c = column_of(f, path);
    const tnode *rg = &t_req(&f->meta, 4, T_LIST)->kids[g];
    return t_req(&t_req(rg, 1, T_LIST)->kids[c - f->columns], 3, T_STRUCT);
}

static size_t n_row_groups(const pfile *f) { return t_req(&f->meta, 4, T_LIST)->n; }

/* ================================================================== */
/* Writing                                                             */
/* ================================================================== */

static char tmp_dir[64];

static void path_in_tmp(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", tmp_dir, name);
}

/* Names in the temporary directory, dot-files included; n of them. */
static size_t dir_entries(char names[][256], size_t max)
{
    DIR *d = opendir(tmp_dir);
    CHECK(d != NULL);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        CHECK(n < max);
        snprintf(names[n++], 256, "%s", e->d_name);
    }
    closedir(d);
    return n;
}

static void empty_tmp_dir(void)
{
    char names[64][256], path[512];
    size_t n = dir_entries(names, 64);
    for (size_t k = 0; k < n; k++) {
        path_in_tmp(path, sizeof path, names[k]);
        CHECK(unlink(path) == 0);
    }
}

static dsg_parquet_writer *open_writer(const char *name, const dsg_field *fields, size_t n,
                                       const dsg_parquet_options *opt)
{
    char path[512];
    path_in_tmp(path, sizeof path, name);
    dsg_error err;
    dsg_error_clear(&err);
    dsg_sink *sink = NULL;
    CHECKF(dsg_file_sink_open(&sink, path, &err) == DSG_OK, "%s", err.message);
    dsg_parquet_writer *w = NULL;
    CHECKF(dsg_parquet_writer_open(&w, sink, fields, n, opt, &err) == DSG_OK, "open: %s", err.message);
    return w;
}

static void write_ok(dsg_parquet_writer *w, const dsg_array *cols, size_t n)
{
    dsg_error err;
    dsg_error_clear(&err);
    CHECKF(dsg_parquet_writer_write(w, cols, n, &err) == DSG_OK, "write: %s", err.message);
}

/* The writer's file-level column statistics (dsg_parquet_writer_column_stats)
 * against what the file holds, decoded independently: per leaf its path,
 * field id (SchemaElement field 9), levels, nulls, NaNs and the exact
 * min/max over every row group (NaN excluded, the zero rule applied). */
static void check_column_stats(const dsg_parquet_writer *w, const pfile *f)
{
    dsg_error err;
    dsg_error_clear(&err);
    const dsg_column_stats *cs = NULL;
    size_t n = 0;
    CHECKF(dsg_parquet_writer_column_stats(w, &cs, &n, &err) == DSG_OK, "column stats: %s", err.message);
    CHECKF(n == f->n_columns, "%zu column stats for %zu leaves", n, f->n_columns);
    for (size_t k = 0; k < n; k++) {
        const column *c = &f->columns[k];
        const dsg_column_stats *s = &cs[k];
        CHECKF(s->path_len == c->depth, "%.*s: path of %zu names, not %zu", NAME(c), s->path_len, c->depth);
        for (size_t i = 0; i < c->depth; i++)
            CHECKF(strlen(s->path[i]) == c->path[i]->len && memcmp(s->path[i], c->path[i]->bin, c->path[i]->len) == 0,
                   "%.*s: path name %zu is %s", NAME(c), i, s->path[i]);
        CHECK(s->field != NULL);
        const char *last = s->path[s->path_len - 1];
        if (strcmp(last, "element") != 0 && strcmp(last, "key") != 0 && strcmp(last, "value") != 0)
            CHECKF(strcmp(s->field->name, s->path[s->path_len - 1]) == 0, "%.*s: field %s", NAME(c), s->field->name);
        const tnode *id = t_get(c->elem, 9);
        CHECKF(s->field_id == (id ? (int32_t)id->i : 0), "%.*s: field id %d, the file says %d", NAME(c),
               (int)s->field_id, id ? (int)id->i : 0);
        uint64_t nulls = 0, nans = 0;
        for (size_t i = 0; i < c->n_levels; i++)
            nulls += c->def[i] < (uint32_t)c->max_def;
        minmax mm = {0};
        for (size_t i = 0; i < c->n_values; i++) {
            nans += is_nan(c->phys, c->values[i]);
            minmax_add(&mm, c->phys, c->values[i]);
        }
        minmax_finish(&mm, c->phys);
        CHECKF(s->values == c->n_levels, "%.*s: %llu values, the file has %zu levels", NAME(c),
               (unsigned long long)s->values, c->n_levels);
        CHECKF(s->nulls == nulls, "%.*s: %llu nulls, not %llu", NAME(c), (unsigned long long)s->nulls,
               (unsigned long long)nulls);
        CHECKF(s->nans == nans, "%.*s: %llu NaNs, not %llu", NAME(c), (unsigned long long)s->nans,
               (unsigned long long)nans);
        CHECKF(s->has_minmax == mm.has, "%.*s: has_minmax %d, not %d", NAME(c), s->has_minmax, mm.has);
        if (mm.has) {
            value vmin = mm_min(&mm), vmax = mm_max(&mm);
            CHECK_BYTES(s->min, s->min_len, vmin.p, vmin.len);
            CHECK_BYTES(s->max, s->max_len, vmax.p, vmax.len);
        }
    }
}

/* With field_ids: every schema element after the root has the next id in
 * schema (depth-first pre-order) order, except the repeated middle group
 * of a three-level list, which has none. */
static void check_field_ids_preorder(const pfile *f)
{
    int32_t next = 1;
    for (size_t i = 1; i < f->n_schema; i++) {
        const tnode *e = f->schema[i];
        const tnode *id = t_get(e, 9);
        if (t_int(e, 3, T_I32) == REPEATED) {
            CHECKF(id == NULL, "%s: the list's repeated group has a field id", f->schema_path[i]);
            continue;
        }
        CHECKF(id != NULL && id->i == next, "%s: field id %lld, not %d", f->schema_path[i],
               id ? (long long)id->i : 0LL, (int)next);
        next++;
    }
}

/* Closes, checks the byte count, frees and verifies the file. */
static void close_and_verify(dsg_parquet_writer *w, const char *name, pfile *f, int page_index)
{
    dsg_error err;
    dsg_error_clear(&err);
    CHECKF(dsg_parquet_writer_close(w, &err) == DSG_OK, "close: %s", err.message);
    char path[512];
    path_in_tmp(path, sizeof path, name);
    struct stat st;
    CHECK(stat(path, &st) == 0);
    CHECKF(dsg_parquet_writer_bytes(w) == (uint64_t)st.st_size, "writer counted %llu bytes, the file has %lld",
           (unsigned long long)dsg_parquet_writer_bytes(w), (long long)st.st_size);
    uint64_t rows = dsg_parquet_writer_rows(w);
    verify_file(f, path, page_index);
    CHECK((uint64_t)t_int(&f->meta, 3, T_I64) == rows);
    check_column_stats(w, f);
    dsg_parquet_writer_free(w);
}

static dsg_parquet_options plain_options(void)
{
    dsg_parquet_options opt;
    dsg_parquet_options_init(&opt);
    opt.codec = DSG_CODEC_NONE;
    return opt;
}

/* Moves a flat array 'rows' rows on; width: bytes per value. */
static void advance(dsg_array *a, size_t rows, size_t width)
{
    if (a->values != NULL)
        a->values = (const uint8_t *)a->values + rows * width;
    if (a->valid != NULL)
        a->valid += rows;
    if (a->offsets != NULL)
        a->offsets += rows;
    a->length -= rows;
}

#define FIELD(name, type, flags) {name, type, flags, 0, 0, NULL, 0}
#define ARRAY(type, n, valid, values) {type, n, valid, values, NULL, NULL, NULL}
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Checks that flat column 'path' holds exactly these rows: valid[i] (NULL:
 * all valid) and the PLAIN bytes of value i at vals + i * width. */
static void check_fixed_values(const pfile *f, const char *path, size_t n, const uint8_t *valid,
                               const void *vals, size_t width)
{
    const column *c = column_of(f, path);
    CHECKF(c->n_levels == n, "%s: %zu levels, not %zu", path, c->n_levels, n);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int present = valid == NULL || valid[i];
        CHECKF((int)c->def[i] == (present ? c->max_def : c->max_def - 1), "%s row %zu: definition level", path, i);
        if (!present)
            continue;
        CHECKF(k < c->n_values && c->values[k].len == width &&
                   memcmp(c->values[k].p, (const uint8_t *)vals + i * width, width) == 0,
               "%s row %zu: value differs", path, i);
        k++;
    }
    CHECK(k == c->n_values);
}

static void check_string_values(const pfile *f, const char *path, size_t n, const uint8_t *valid,
                                const int32_t *offsets, const char *data)
{
    const column *c = column_of(f, path);
    CHECKF(c->n_levels == n, "%s: %zu levels, not %zu", path, c->n_levels, n);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (valid != NULL && !valid[i])
            continue;
        uint32_t len = (uint32_t)(offsets[i + 1] - offsets[i]);
        CHECKF(k < c->n_values && c->values[k].len == len &&
                   (len == 0 || memcmp(c->values[k].p, data + offsets[i], len) == 0),
               "%s row %zu: string differs", path, i);
        k++;
    }
    CHECK(k == c->n_values);
}

/* ================================================================== */
/* Tests                                                               */
/* ================================================================== */

static void check_elem(const pfile *f, const char *path, int phys, int repetition, int converted,
                       int n_children)
{
    const tnode *e = schema_elem(f, path);
    const tnode *t = t_get(e, 1), *c = t_get(e, 6), *nc = t_get(e, 5);
    CHECKF(phys < 0 ? t == NULL : (t != NULL && t->i == phys), "%s: physical type", path);
    CHECKF(t_int(e, 3, T_I32) == repetition, "%s: repetition", path);
    CHECKF(converted < 0 ? c == NULL : (c != NULL && c->i == converted), "%s: converted type", path);
    CHECKF(n_children < 0 ? nc == NULL : (nc != NULL && nc->i == n_children), "%s: children", path);
}

/* The LogicalType union member of an element (id), or NULL. */
static const tnode *logical(const pfile *f, const char *path, int id)
{
    const tnode *lt = t_get(schema_elem(f, path), 10);
    if (lt == NULL)
        return NULL;
    CHECKF(lt->type == T_STRUCT && lt->n == 1, "%s: LogicalType is not a union of one member", path);
    const tnode *m = t_get(lt, id);
    CHECKF(m != NULL, "%s: LogicalType member %d missing", path, id);
    return m;
}

static void test_schema_and_types(void)
{
    static const dsg_field list_elem[] = {FIELD("element", DSG_INT32, DSG_FIELD_NULLABLE)};
    static const dsg_field members[] = {FIELD("a", DSG_INT32, 0), FIELD("b", DSG_STRING, DSG_FIELD_NULLABLE)};
    static const dsg_field fields[] = {
        FIELD("id", DSG_INT64, DSG_FIELD_NO_DICT),
        FIELD("i8", DSG_INT8, DSG_FIELD_NULLABLE),
        FIELD("i16", DSG_INT16, 0),
        FIELD("day", DSG_DATE, 0),
        FIELD("ts", DSG_TIMESTAMP, 0),
        FIELD("dur", DSG_DURATION, 0),
        FIELD("s", DSG_STRING, DSG_FIELD_NULLABLE),
        {"dec", DSG_DECIMAL, 0, 9, 2, NULL, 0},
        {"dec18", DSG_DECIMAL, 0, 18, 4, NULL, 0},
        {"dec10", DSG_DECIMAL, 0, 10, 0, NULL, 0},
        FIELD("flag", DSG_BOOL, 0),
        FIELD("f", DSG_FLOAT, 0),
        FIELD("g", DSG_DOUBLE, 0),
        {"lst", DSG_LIST, DSG_FIELD_NULLABLE, 0, 0, list_elem, 1},
        {"st", DSG_STRUCT, DSG_FIELD_NULLABLE, 0, 0, members, 2},
    };
    enum { N = 3 };
    static const int64_t id[N] = {1, 2, 3}, ts[N] = {0, -1, INT64_MAX}, dur[N] = {5, 6, 7};
    static const int64_t dec[N] = {-99999999, 0, 12345}, dec18[N] = {999999999999999999, -1, 0};
    static const int64_t dec10[N] = {9999999999, -9999999999, 1};
    static const int8_t i8[N] = {-128, 0, 127};
    static const int16_t i16[N] = {-32768, 1, 32767};
    static const int32_t day[N] = {-719162, 0, 2932896};
    static const uint8_t i8_valid[N] = {1, 0, 1}, flag[N] = {1, 0, 1}, lst_valid[N] = {1, 1, 0};
    static const int32_t s_off[N + 1] = {0, 3, 3, 8};
    static const float fl[N] = {1.5f, -2.0f, 0.25f};
    static const double g[N] = {1e300, -1e-300, 3.0};
    static const int32_t lst_off[N + 1] = {0, 2, 2, 2}, elem[2] = {10, 20};
    static const uint8_t elem_valid[2] = {0, 1};
    static const int32_t a[N] = {4, 5, 6}, b_off[N + 1] = {0, 1, 2, 3};
    static const uint8_t st_valid[N] = {1, 0, 1};
    dsg_array lst_child = ARRAY(DSG_INT32, 2, elem_valid, elem);
    dsg_array st_children[2] = {ARRAY(DSG_INT32, N, NULL, a),
                                {DSG_STRING, N, NULL, NULL, b_off, "xyz", NULL}};
    dsg_array cols[] = {
        ARRAY(DSG_INT64, N, NULL, id),
        ARRAY(DSG_INT8, N, i8_valid, i8),
        ARRAY(DSG_INT16, N, NULL, i16),
        ARRAY(DSG_DATE, N, NULL, day),
        ARRAY(DSG_TIMESTAMP, N, NULL, ts),
        ARRAY(DSG_DURATION, N, NULL, dur),
        {DSG_STRING, N, NULL, NULL, s_off, "abcdefgh", NULL},
        ARRAY(DSG_DECIMAL, N, NULL, dec),
        ARRAY(DSG_DECIMAL, N, NULL, dec18),
        ARRAY(DSG_DECIMAL, N, NULL, dec10),
        ARRAY(DSG_BOOL, N, NULL, flag),
        ARRAY(DSG_FLOAT, N, NULL, fl),
        ARRAY(DSG_DOUBLE, N, NULL, g),
        {DSG_LIST, N, lst_valid, NULL, lst_off, NULL, &lst_child},
        {DSG_STRUCT, N, st_valid, NULL, NULL, NULL, st_children},
    };
    static const dsg_kv kv[] = {{"origin", "test_writer"}, {"empty", ""}};
    dsg_parquet_options opt = plain_options();
    opt.metadata = kv;
    opt.n_metadata = COUNT(kv);
    dsg_parquet_writer *w = open_writer("types.parquet", fields, COUNT(fields), &opt);
    write_ok(w, cols, N);
    pfile f;
    close_and_verify(w, "types.parquet", &f, 1);

    CHECK(t_int(&f.meta, 3, T_I64) == N && f.n_columns == 16);
    CHECK(t_int(f.schema[0], 5, T_I32) == (int64_t)COUNT(fields));
    check_elem(&f, "id", INT64, REQUIRED, -1, -1);
    check_elem(&f, "i8", INT32, OPTIONAL, CT_INT_8, -1);
    check_elem(&f, "i16", INT32, REQUIRED, CT_INT_16, -1);
    check_elem(&f, "day", INT32, REQUIRED, CT_DATE, -1);
    check_elem(&f, "ts", INT64, REQUIRED, CT_TIMESTAMP_MICROS, -1);
    check_elem(&f, "dur", INT64, REQUIRED, -1, -1);
    check_elem(&f, "s", BYTE_ARRAY, OPTIONAL, CT_UTF8, -1);
    check_elem(&f, "dec", INT32, REQUIRED, CT_DECIMAL, -1);
    check_elem(&f, "dec18", INT64, REQUIRED, CT_DECIMAL, -1);
    check_elem(&f, "dec10", INT64, REQUIRED, CT_DECIMAL, -1);
    check_elem(&f, "flag", BOOLEAN, REQUIRED, -1, -1);
    check_elem(&f, "f", FLOAT, REQUIRED, -1, -1);
    check_elem(&f, "g", DOUBLE, REQUIRED, -1, -1);
    check_elem(&f, "lst", -1, OPTIONAL, CT_LIST, 1);
    check_elem(&f, "lst.list", -1, REPEATED, -1, 1);
    check_elem(&f, "lst.list.element", INT32, OPTIONAL, -1, -1);
    check_elem(&f, "st", -1, OPTIONAL, -1, 2);
    check_elem(&f, "st.a", INT32, REQUIRED, -1, -1);
    check_elem(&f, "st.b", BYTE_ARRAY, OPTIONAL, CT_UTF8, -1);

    /* logical types, and no logical type where none applies */
    const tnode *it = logical(&f, "i8", 10);
    CHECK(t_int(it, 1, T_I8) == 8 && t_int(it, 2, T_TRUE) == 1);
    it = logical(&f, "i16", 10);
    CHECK(t_int(it, 1, T_I8) == 16 && t_int(it, 2, T_TRUE) == 1);
    CHECK(logical(&f, "day", 6)->n == 0);
    const tnode *tsl = logical(&f, "ts", 8);
    CHECK(t_int(tsl, 1, T_TRUE) == 1);
    const tnode *unit = t_req(tsl, 2, T_STRUCT);
    CHECK(unit->n == 1 && t_req(unit, 2, T_STRUCT)->n == 0); /* MICROS */
    CHECK(logical(&f, "s", 1)->n == 0 && logical(&f, "st.b", 1)->n == 0);
    const tnode *dl = logical(&f, "dec", 5);
    CHECK(t_int(dl, 1, T_I32) == 2 && t_int(dl, 2, T_I32) == 9);
    CHECK(t_int(schema_elem(&f, "dec"), 7, T_I32) == 2 && t_int(schema_elem(&f, "dec"), 8, T_I32) == 9);
    dl = logical(&f, "dec18", 5);
    CHECK(t_int(dl, 1, T_I32) == 4 && t_int(dl, 2, T_I32) == 18);
    CHECK(logical(&f, "lst", 3)->n == 0);
    static const char *const bare[] = {"id", "dur", "flag", "f", "g", "lst.list", "lst.list.element", "st", "st.a"};
    for (size_t k = 0; k < COUNT(bare); k++)
        CHECKF(t_get(schema_elem(&f, bare[k]), 10) == NULL, "%s has a logical type", bare[k]);

    /* levels */
    const column *c = column_of(&f, "lst.list.element");
    CHECK(c->max_def == 3 && c->max_rep == 1);
    c = column_of(&f, "st.b");
    CHECK(c->max_def == 2 && c->max_rep == 0);

    /* key/value metadata */
    const tnode *md = t_req(&f.meta, 5, T_LIST);
    CHECK(md->n == 2);
    CHECK(t_str_eq(t_req(&md->kids[0], 1, T_BINARY), "origin") && t_str_eq(t_req(&md->kids[0], 2, T_BINARY), "test_writer"));
    CHECK(t_str_eq(t_req(&md->kids[1], 1, T_BINARY), "empty"));
    const tnode *v = t_get(&md->kids[1], 2);
    CHECK(v == NULL || t_str_eq(v, ""));

    /* values, as a reader sees them */
    check_fixed_values(&f, "id", N, NULL, id, 8);
    int32_t wide[N];
    for (int i = 0; i < N; i++)
        wide[i] = i8[i];
    check_fixed_values(&f, "i8", N, i8_valid, wide, 4);
    for (int i = 0; i < N; i++)
        wide[i] = i16[i];
    check_fixed_values(&f, "i16", N, NULL, wide, 4);
    for (int i = 0; i < N; i++)
        wide[i] = (int32_t)dec[i];
    check_fixed_values(&f, "dec", N, NULL, wide, 4);
    check_fixed_values(&f, "dec18", N, NULL, dec18, 8);
    check_fixed_values(&f, "dec10", N, NULL, dec10, 8);
    check_fixed_values(&f, "day", N, NULL, day, 4);
    check_fixed_values(&f, "ts", N, NULL, ts, 8);
    check_fixed_values(&f, "dur", N, NULL, dur, 8);
    check_fixed_values(&f, "flag", N, NULL, flag, 1);
    check_fixed_values(&f, "f", N, NULL, fl, 4);
    check_fixed_values(&f, "g", N, NULL, g, 8);
    check_string_values(&f, "s", N, NULL, s_off, "abcdefgh");
    check_fixed_values(&f, "st.a", N, st_valid, a, 4);

    /* lst: [null, 20], [], null -> (rep, def): (0,2) (1,3) (0,1) (0,0) */
    c = column_of(&f, "lst.list.element");
    static const uint32_t want_rep[] = {0, 1, 0, 0}, want_def[] = {2, 3, 1, 0};
    CHECK(c->n_levels == 4 && c->n_values == 1);
    for (size_t k = 0; k < 4; k++)
        CHECKF(c->rep[k] == want_rep[k] && c->def[k] == want_def[k], "lst level %zu", k);
    CHECK(le32(c->values[0].p) == 20);
    pfile_free(&f);
    empty_tmp_dir();
}

static void test_row_groups(void)
{
    static const dsg_field fields[] = {FIELD("x", DSG_INT32, DSG_FIELD_NULLABLE)};
    enum { N = 2500 };
    static int32_t x[N];
    static uint8_t valid[N];
    for (int i = 0; i < N; i++) {
        x[i] = i;
        valid[i] = i % 7 != 0;
    }
    dsg_parquet_options opt = plain_options();
    opt.row_group_rows = 1000;

    /* rows split at 1000 whatever the batch sizes */
    dsg_parquet_writer *w = open_writer("rg.parquet", fields, 1, &opt);
    static const size_t batches[] = {700, 300, 1, 1499};
    size_t at = 0;
    for (size_t k = 0; k < COUNT(batches); k++) {
        dsg_array col = ARRAY(DSG_INT32, batches[k], valid + at, x + at);
        write_ok(w, &col, batches[k]);
        at += batches[k];
    }
    pfile f;
    close_and_verify(w, "rg.parquet", &f, 1);
    static const int64_t want[] = {1000, 1000, 500};
    CHECK(n_row_groups(&f) == 3);
    for (size_t g = 0; g < 3; g++)
        CHECK(t_int(&t_req(&f.meta, 4, T_LIST)->kids[g], 3, T_I64) == want[g]);
    check_fixed_values(&f, "x", N, valid, x, 4);
    /* each row group's statistics cover its own rows */
    const tnode *st = t_req(chunk_meta(&f, 1, "x"), 12, T_STRUCT);
    CHECK(le32(t_req(st, 6, T_BINARY)->bin) == 1000 && le32(t_req(st, 5, T_BINARY)->bin) == 1999);
    pfile_free(&f);

    /* an exact multiple of the row group size: no empty row group at close */
    w = open_writer("rg2.parquet", fields, 1, &opt);
    dsg_array col = ARRAY(DSG_INT32, 2000, valid, x);
    write_ok(w, &col, 2000);
    close_and_verify(w, "rg2.parquet", &f, 1);
    CHECK(n_row_groups(&f) == 2);
    pfile_free(&f);

    /* no rows at all: a valid file without row groups */
    w = open_writer("rg0.parquet", fields, 1, &opt);
    write_ok(w, &col, 0);
    close_and_verify(w, "rg0.parquet", &f, 1);
    CHECK(n_row_groups(&f) == 0 && t_int(&f.meta, 3, T_I64) == 0);
    pfile_free(&f);

    /* small compressed pages: offsets and sizes of every codec's pages */
    static const dsg_codec codecs[] = {DSG_CODEC_SNAPPY, DSG_CODEC_GZIP, DSG_CODEC_ZSTD,
                                       DSG_CODEC_BROTLI, DSG_CODEC_LZ4_RAW};
    static const int64_t parquet_codec[] = {[DSG_CODEC_SNAPPY] = 1, [DSG_CODEC_GZIP] = 2,
                                            [DSG_CODEC_BROTLI] = 4, [DSG_CODEC_ZSTD] = 6,
                                            [DSG_CODEC_LZ4_RAW] = 7};
    col.length = N;
    for (size_t k = 0; k < COUNT(codecs); k++) {
        opt.codec = codecs[k];
        opt.page_bytes = 1024;
        opt.row_group_rows = 1 << 20;
        w = open_writer("rg_codec.parquet", fields, 1, &opt);
        write_ok(w, &col, N);
        close_and_verify(w, "rg_codec.parquet", &f, 1);
        CHECK(n_row_groups(&f) == 1 && f.columns[0].plain_data_pages + f.columns[0].dict_data_pages >= 3);
        CHECK(t_int(chunk_meta(&f, 0, "x"), 4, T_I32) == parquet_codec[codecs[k]]);
        check_fixed_values(&f, "x", N, valid, x, 4);
        pfile_free(&f);
    }

    /* without page index */
    opt.page_index = 0;
    w = open_writer("rg_noindex.parquet", fields, 1, &opt);
    write_ok(w, &col, N);
    close_and_verify(w, "rg_noindex.parquet", &f, 0);
    pfile_free(&f);

    /* the byte limit cuts row groups too (checked after each write) */
    opt = plain_options();
    opt.row_group_bytes = 1024;
    w = open_writer("rg_bytes.parquet", fields, 1, &opt);
    dsg_array part = col;
    for (size_t k = 0; k < 5; k++) {
        part.length = N / 5;
        write_ok(w, &part, N / 5);
        advance(&part, N / 5, 4);
    }
    close_and_verify(w, "rg_bytes.parquet", &f, 1);
    CHECKF(n_row_groups(&f) >= 2, "%zu row groups", n_row_groups(&f));
    check_fixed_values(&f, "x", N, valid, x, 4);
    pfile_free(&f);
    empty_tmp_dir();
}

/* Expects the chunk statistics of 'path' in row group 0. */
static void expect_stats(const pfile *f, const char *path, uint64_t nulls, const void *min,
                         const void *max, size_t len)
{
    const tnode *st = t_req(chunk_meta(f, 0, path), 12, T_STRUCT);
    CHECKF((uint64_t)t_int(st, 3, T_I64) == nulls, "%s: null count", path);
    if (min == NULL) {
        CHECKF(t_get(st, 5) == NULL && t_get(st, 6) == NULL, "%s: min/max written", path);
        return;
    }
    value vmin = {min, (uint32_t)len}, vmax = {max, (uint32_t)len};
    CHECKF(bytes_eq(t_req(st, 6, T_BINARY), vmin), "%s: min_value", path);
    CHECKF(bytes_eq(t_req(st, 5, T_BINARY), vmax), "%s: max_value", path);
}

static void test_statistics(void)
{
    static const dsg_field fields[] = {
        FIELD("d_nan", DSG_DOUBLE, 0),    FIELD("d_allnan", DSG_DOUBLE, 0),
        FIELD("d_pzero", DSG_DOUBLE, 0),  FIELD("d_nzero", DSG_DOUBLE, 0),
        FIELD("f_zero", DSG_FLOAT, 0),    FIELD("f_neg", DSG_FLOAT, 0),
        FIELD("s", DSG_STRING, 0),        FIELD("i8", DSG_INT8, 0),
        FIELD("i16", DSG_INT16, 0),       FIELD("i32n", DSG_INT32, DSG_FIELD_NULLABLE),
        FIELD("alln", DSG_INT64, DSG_FIELD_NULLABLE), FIELD("b", DSG_BOOL, 0),
        {"dec", DSG_DECIMAL, 0, 9, 2, NULL, 0}, {"dec18", DSG_DECIMAL, 0, 18, 0, NULL, 0},
        FIELD("s_nulls", DSG_STRING, DSG_FIELD_NULLABLE), FIELD("s_nul", DSG_STRING, 0),
    };
    enum { N = 4 };
    static const double d_nan[N] = {NAN, 3.5, -2.0, NAN}, d_allnan[N] = {NAN, NAN, -NAN, NAN};
    static const double d_pzero[N] = {0.0, 0.0, 0.0, 0.0}, d_nzero[N] = {-0.0, -0.0, -0.0, -0.0};
    static const float f_zero[N] = {0.0f, 1.0f, -0.0f, 2.0f}, f_neg[N] = {-1.0f, -0.0f, NAN, -3.0f};
    static const int32_t s_off[N + 1] = {0, 1, 2, 2, 5};
    static const int8_t i8[N] = {0, -128, 127, 5};
    static const int16_t i16[N] = {1, -32768, 32767, 0};
    static const int32_t i32n[N] = {5, 99, -7, -99};
    static const uint8_t i32n_valid[N] = {1, 0, 1, 0}, none[N] = {0, 0, 0, 0};
    static const int64_t alln[N] = {1, 2, 3, 4};
    static const uint8_t b[N] = {0, 0, 0, 0};
    static const int64_t dec[N] = {-999999999, 12345, 999999999, 0};
    static const int64_t dec18[N] = {-999999999999999999, 0, 999999999999999999, 1};
    static const int32_t sn_off[N + 1] = {0, 0, 0, 0, 0};
    static const uint8_t sn_valid[N] = {0, 1, 0, 0};
    static const int32_t nul_off[N + 1] = {0, 3, 6, 9, 10}; /* "a\0b" "a\0c" "a\0a" "a" */
    dsg_array cols[] = {
        ARRAY(DSG_DOUBLE, N, NULL, d_nan),   ARRAY(DSG_DOUBLE, N, NULL, d_allnan),
        ARRAY(DSG_DOUBLE, N, NULL, d_pzero), ARRAY(DSG_DOUBLE, N, NULL, d_nzero),
        ARRAY(DSG_FLOAT, N, NULL, f_zero),   ARRAY(DSG_FLOAT, N, NULL, f_neg),
        {DSG_STRING, N, NULL, NULL, s_off, "z\xff" "abc", NULL},
        ARRAY(DSG_INT8, N, NULL, i8),        ARRAY(DSG_INT16, N, NULL, i16),
        ARRAY(DSG_INT32, N, i32n_valid, i32n), ARRAY(DSG_INT64, N, none, alln),
        ARRAY(DSG_BOOL, N, NULL, b),         ARRAY(DSG_DECIMAL, N, NULL, dec),
        ARRAY(DSG_DECIMAL, N, NULL, dec18),
        {DSG_STRING, N, sn_valid, NULL, sn_off, NULL, NULL},
        {DSG_STRING, N, NULL, NULL, nul_off, "a\0ba\0ca\0aa", NULL},
    };
    dsg_parquet_options opt = plain_options();
    dsg_parquet_writer *w = open_writer("stats.parquet", fields, COUNT(fields), &opt);
    write_ok(w, cols, N);
    pfile f;
    close_and_verify(w, "stats.parquet", &f, 1);

    double dmin = -2.0, dmax = 3.5, nz = -0.0, pz = 0.0;
    expect_stats(&f, "d_nan", 0, &dmin, &dmax, 8);
    expect_stats(&f, "d_allnan", 0, NULL, NULL, 0);
    CHECK(t_get(&t_req(&t_req(&f.meta, 4, T_LIST)->kids[0], 1, T_LIST)->kids[1], 6) == NULL);
    expect_stats(&f, "d_pzero", 0, &nz, &pz, 8);
    expect_stats(&f, "d_nzero", 0, &nz, &pz, 8);
    float fnz = -0.0f, fmax = 2.0f, fmin = -3.0f, fpz = 0.0f;
    expect_stats(&f, "f_zero", 0, &fnz, &fmax, 4);
    expect_stats(&f, "f_neg", 0, &fmin, &fpz, 4);
    const tnode *st = t_req(chunk_meta(&f, 0, "s"), 12, T_STRUCT);
    CHECK(t_str_eq(t_req(st, 6, T_BINARY), "") && t_str_eq(t_req(st, 5, T_BINARY), "\xff"));
    int32_t lo = -128, hi = 127;
    expect_stats(&f, "i8", 0, &lo, &hi, 4);
    lo = -32768, hi = 32767;
    expect_stats(&f, "i16", 0, &lo, &hi, 4);
    lo = -7, hi = 5;
    expect_stats(&f, "i32n", 2, &lo, &hi, 4);
    expect_stats(&f, "alln", 4, NULL, NULL, 0);
    uint8_t bfalse = 0;
    expect_stats(&f, "b", 0, &bfalse, &bfalse, 1);
    lo = -999999999, hi = 999999999;
    expect_stats(&f, "dec", 0, &lo, &hi, 4);
    expect_stats(&f, "dec18", 0, &dec18[0], &dec18[2], 8);
    st = t_req(chunk_meta(&f, 0, "s_nulls"), 12, T_STRUCT);
    CHECK(t_int(st, 3, T_I64) == 3 && t_str_eq(t_req(st, 6, T_BINARY), "") && t_str_eq(t_req(st, 5, T_BINARY), ""));
    /* bytes after a zero byte count */
    st = t_req(chunk_meta(&f, 0, "s_nul"), 12, T_STRUCT);
    CHECK(t_str_eq(t_req(st, 6, T_BINARY), "a") && bytes_eq(t_req(st, 5, T_BINARY), (value){(const uint8_t *)"a\0c", 3}));
    pfile_free(&f);

    /* many pages and row groups of random values with NaN, zeros, nulls
     * and high bytes: verify_file recomputes every page's and chunk's
     * statistics */
    static const dsg_field rfields[] = {FIELD("d", DSG_DOUBLE, DSG_FIELD_NULLABLE),
                                        FIELD("s", DSG_STRING, DSG_FIELD_NULLABLE),
                                        FIELD("n", DSG_INT64, 0), FIELD("b", DSG_BOOL, 0)};
    enum { R = 30000 };
    static double d[R];
    static uint8_t dv[R], sv[R];
    static int32_t soff[R + 1];
    static char sdata[R * 3];
    static int64_t n[R];
    static uint8_t bits[R];
    uint64_t x = 12345;
    for (int i = 0; i < R; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        uint32_t r = (uint32_t)(x >> 33);
        /* a NaN-only stretch, a zero-only stretch, then mixed */
        d[i] = i < 3000 ? NAN : i < 6000 ? (r & 1 ? 0.0 : -0.0) : r % 5 == 0 ? NAN : (double)(int)(r % 2001) - 1000.0;
        dv[i] = r % 11 != 0;
        sv[i] = r % 13 != 0;
        size_t len = r % 4;
        for (size_t k = 0; k < len; k++)
            sdata[soff[i] + k] = (char)(uint8_t)(r >> (8 * k));
        soff[i + 1] = soff[i] + (int32_t)len;
        n[i] = i % 3000 == 0 ? INT64_MIN : (int64_t)r - (i & 1 ? 0 : INT64_C(1) << 40);
        bits[i] = i < 5000 || (r & 1); /* true only at first: pages differ */
    }
    dsg_array rcols[] = {ARRAY(DSG_DOUBLE, R, dv, d), {DSG_STRING, R, sv, NULL, soff, sdata, NULL},
                         ARRAY(DSG_INT64, R, NULL, n), ARRAY(DSG_BOOL, R, NULL, bits)};
    opt.row_group_rows = 10000;
    opt.page_bytes = 1024;
    w = open_writer("stats_random.parquet", rfields, COUNT(rfields), &opt);
    write_ok(w, rcols, R);
    close_and_verify(w, "stats_random.parquet", &f, 1);
    CHECK(n_row_groups(&f) == 3);
    check_fixed_values(&f, "d", R, dv, d, 8);
    check_string_values(&f, "s", R, sv, soff, sdata);
    check_fixed_values(&f, "n", R, NULL, n, 8);
    check_fixed_values(&f, "b", R, NULL, bits, 1);
    pfile_free(&f);
    empty_tmp_dir();
}

static void test_dictionary(void)
{
    static const dsg_field fields[] = {
        FIELD("low", DSG_STRING, DSG_FIELD_NULLABLE), FIELD("high", DSG_INT64, 0),
        FIELD("high_s", DSG_STRING, 0),               FIELD("nodict", DSG_INT64, DSG_FIELD_NO_DICT),
        FIELD("flag", DSG_BOOL, 0),                   FIELD("low_f", DSG_DOUBLE, 0),
    };
    enum { N = 20000 };
    static const char *const words[] = {"red", "green", "", "blue", "\xff\xfe"};
    static int32_t low_off[N + 1], high_s_off[N + 1];
    static char low_data[N * 6], high_s_data[N * 12];
    static uint8_t low_valid[N], flag[N];
    static int64_t high[N], nodict[N];
    static double low_f[N];
    for (int i = 0; i < N; i++) {
        const char *word = words[(i * 7 + i / 3) % 5];
        low_valid[i] = i % 10 != 3;
        memcpy(low_data + low_off[i], word, strlen(word));
        low_off[i + 1] = low_off[i] + (int32_t)strlen(word);
        high[i] = (int64_t)i * 1000003;
        int len = snprintf(high_s_data + high_s_off[i], 12, "v%d", i * 7919);
        high_s_off[i + 1] = high_s_off[i] + len;
        nodict[i] = i % 4;
        flag[i] = i % 3 == 0;
        low_f[i] = i % 4 == 0 ? -0.0 : i % 4 == 1 ? 0.0 : i % 4 == 2 ? NAN : 1.5;
    }
    dsg_array cols[] = {
        {DSG_STRING, N, low_valid, NULL, low_off, low_data, NULL},
        ARRAY(DSG_INT64, N, NULL, high),
        {DSG_STRING, N, NULL, NULL, high_s_off, high_s_data, NULL},
        ARRAY(DSG_INT64, N, NULL, nodict),
        ARRAY(DSG_BOOL, N, NULL, flag),
        ARRAY(DSG_DOUBLE, N, NULL, low_f),
    };
    dsg_parquet_options opt = plain_options();
    opt.dict_bytes = 4096;
    dsg_parquet_writer *w = open_writer("dict.parquet", fields, COUNT(fields), &opt);
    /* two calls: the dictionary carries over from one to the next */
    write_ok(w, cols, N / 2);
    static const size_t widths[] = {0, 8, 0, 8, 1, 8};
    for (size_t k = 0; k < COUNT(cols); k++)
        advance(&cols[k], N / 2, widths[k]);
    write_ok(w, cols, N / 2);
    pfile f;
    close_and_verify(w, "dict.parquet", &f, 1);

    const column *c = column_of(&f, "low");
    CHECKF(c->dict_pages == 1 && c->dict_entries == 5 && c->plain_data_pages == 0 && c->dict_data_pages > 0,
           "low: %zu dictionary pages of %zu entries, %zu PLAIN pages", c->dict_pages, c->dict_entries,
           c->plain_data_pages);
    check_string_values(&f, "low", N, low_valid, low_off, low_data);
    c = column_of(&f, "low_f");
    CHECKF(c->dict_pages == 1 && c->dict_entries == 4 && c->plain_data_pages == 0, "low_f: no dictionary");
    for (int k = 0; k < 2; k++) {
        const char *name = k ? "high_s" : "high";
        c = column_of(&f, name);
        CHECKF(c->dict_pages == 1 && c->dict_data_pages >= 1 && c->plain_data_pages >= 1,
               "%s: %zu dictionary pages, %zu dictionary-encoded and %zu PLAIN data pages", name,
               c->dict_pages, c->dict_data_pages, c->plain_data_pages);
        /* the dictionary stopped growing near its limit */
        CHECKF(c->dict_entries < N / 4, "%s: %zu dictionary entries", name, c->dict_entries);
    }
    check_fixed_values(&f, "high", N, NULL, high, 8);
    check_string_values(&f, "high_s", N, NULL, high_s_off, high_s_data);
    for (int k = 0; k < 2; k++) {
        c = column_of(&f, k ? "flag" : "nodict");
        CHECKF(c->dict_pages == 0 && c->dict_data_pages == 0, "%s has a dictionary", k ? "flag" : "nodict");
    }
    check_fixed_values(&f, "nodict", N, NULL, nodict, 8);
    check_fixed_values(&f, "flag", N, NULL, flag, 1);
    pfile_free(&f);
    empty_tmp_dir();
}

/* Expected (rep, def) levels of one leaf. */
typedef struct levels {
    uint32_t rep[1 << 18], def[1 << 18];
    size_t n;
} levels;

static void push(levels *l, uint32_t rep, uint32_t def)
{
    CHECK(l->n < COUNT(l->rep));
    l->rep[l->n] = rep;
    l->def[l->n++] = def;
}

static void check_levels(const pfile *f, const char *path, const levels *want)
{
    const column *c = column_of(f, path);
    CHECKF(c->n_levels == want->n, "%s: %zu levels, not %zu", path, c->n_levels, want->n);
    for (size_t k = 0; k < want->n; k++)
        CHECKF(c->rep[k] == want->rep[k] && c->def[k] == want->def[k],
               "%s level %zu: (rep %u, def %u), not (%u, %u)", path, k, c->rep[k], c->def[k],
               want->rep[k], want->def[k]);
}

static void test_nested(void)
{
    /* items: list<struct<k: int64, v: list<string>>>, many rows, small
     * pages. Definition levels of items.list.element.v.list.element:
     * 0 items null, 1 items empty, 2 element null, 3 v null, 4 v empty,
     * 5 string null, 6 string present. */
    static const dsg_field v_elem[] = {FIELD("element", DSG_STRING, DSG_FIELD_NULLABLE)};
    static const dsg_field members[] = {FIELD("k", DSG_INT64, 0),
                                        {"v", DSG_LIST, DSG_FIELD_NULLABLE, 0, 0, v_elem, 1}};
    static const dsg_field elem[] = {{"element", DSG_STRUCT, DSG_FIELD_NULLABLE, 0, 0, members, 2}};
    static const dsg_field fields[] = {{"items", DSG_LIST, DSG_FIELD_NULLABLE, 0, 0, elem, 1},
                                       FIELD("row", DSG_INT32, 0)};
    enum { N = 20000, MAXE = N * 4, MAXS = MAXE * 3 };
    static int32_t items_off[N + 1], v_off[MAXE + 1], s_off[MAXS + 1], row[N];
    static uint8_t items_valid[N], elem_valid[MAXE], v_valid[MAXE], s_valid[MAXS];
    static int64_t k[MAXE];
    static char s_data[MAXS];
    static levels want_k, want_s;
    size_t ne = 0, ns = 0;
    for (int i = 0; i < N; i++) {
        row[i] = i;
        items_valid[i] = i % 9 != 4;
        int n_elems = items_valid[i] ? i % 5 : 0;
        if (n_elems == 0) {
            push(&want_k, 0, items_valid[i]);
            push(&want_s, 0, items_valid[i]);
        }
        for (int e = 0; e < n_elems; e++, ne++) {
            uint32_t rep = e == 0 ? 0 : 1;
            elem_valid[ne] = (i + e) % 6 != 0;
            k[ne] = (int64_t)ne;
            v_valid[ne] = (i + e) % 4 != 1;
            push(&want_k, rep, elem_valid[ne] ? 3 : 2);
            int n_s = elem_valid[ne] && v_valid[ne] ? (int)(ne % 4) : 0;
            if (n_s == 0)
                push(&want_s, rep, !elem_valid[ne] ? 2 : !v_valid[ne] ? 3 : 4);
            for (int s = 0; s < n_s; s++, ns++) {
                s_valid[ns] = ns % 5 != 2;
                s_data[ns] = (char)('a' + ns % 26);
                s_off[ns + 1] = s_off[ns] + 1;
                push(&want_s, s == 0 ? rep : 2, s_valid[ns] ? 6 : 5);
            }
            v_off[ne + 1] = (int32_t)ns;
        }
        items_off[i + 1] = (int32_t)ne;
    }
    dsg_array s_arr = {DSG_STRING, ns, s_valid, NULL, s_off, s_data, NULL};
    dsg_array m_arr[2] = {ARRAY(DSG_INT64, ne, NULL, k), {DSG_LIST, ne, v_valid, NULL, v_off, NULL, &s_arr}};
    dsg_array e_arr = {DSG_STRUCT, ne, elem_valid, NULL, NULL, NULL, m_arr};
    dsg_array cols[] = {{DSG_LIST, N, items_valid, NULL, items_off, NULL, &e_arr}, ARRAY(DSG_INT32, N, NULL, row)};
    /* row groups of 2000 rows; then one row group that the writer fills in
     * pieces */
    for (int pass = 0; pass < 2; pass++) {
        dsg_parquet_options opt = plain_options();
        opt.page_bytes = 1024;
        opt.row_group_rows = pass == 0 ? 2000 : 1 << 20;
        opt.field_ids = pass == 0;
        dsg_parquet_writer *w = open_writer("nested.parquet", fields, COUNT(fields), &opt);
        write_ok(w, cols, N);
        pfile f;
        close_and_verify(w, "nested.parquet", &f, 1);
        CHECK(n_row_groups(&f) == (pass == 0 ? N / 2000 : 1) && f.n_columns == 3);
        check_elem(&f, "items", -1, OPTIONAL, CT_LIST, 1);
        check_elem(&f, "items.list", -1, REPEATED, -1, 1);
        check_elem(&f, "items.list.element", -1, OPTIONAL, -1, 2);
        check_elem(&f, "items.list.element.k", INT64, REQUIRED, -1, -1);
        check_elem(&f, "items.list.element.v", -1, OPTIONAL, CT_LIST, 1);
        check_elem(&f, "items.list.element.v.list.element", BYTE_ARRAY, OPTIONAL, CT_UTF8, -1);
        if (pass == 0) {
            /* items 1, (list none), element 2, k 3, v 4, (list none), element 5, row 6 */
            static const struct { const char *path; int id; } ids[] = {
                {"items", 1}, {"items.list", 0}, {"items.list.element", 2}, {"items.list.element.k", 3},
                {"items.list.element.v", 4}, {"items.list.element.v.list", 0},
                {"items.list.element.v.list.element", 5}, {"row", 6}};
            for (size_t i = 0; i < COUNT(ids); i++) {
                const tnode *id = t_get(schema_elem(&f, ids[i].path), 9);
                CHECKF(ids[i].id ? id != NULL && id->i == ids[i].id : id == NULL, "%s: field id", ids[i].path);
            }
        } else {
            for (size_t i = 1; i < f.n_schema; i++)
                CHECKF(t_get(f.schema[i], 9) == NULL, "%s has a field id without field_ids", f.schema_path[i]);
        }
        const column *c = column_of(&f, "items.list.element.k");
        CHECK(c->max_rep == 1 && c->max_def == 3);
        check_levels(&f, "items.list.element.k", &want_k);
        /* the k values are those of present elements, in order */
        size_t kv = 0;
        for (size_t e = 0; e < ne; e++) {
            if (!elem_valid[e])
                continue;
            int64_t got;
            CHECK(kv < c->n_values);
            memcpy(&got, c->values[kv++].p, 8);
            CHECKF(got == k[e], "items.k value %zu", e);
        }
        CHECK(kv == c->n_values);
        c = column_of(&f, "items.list.element.v.list.element");
        CHECK(c->max_rep == 2 && c->max_def == 6);
        check_levels(&f, "items.list.element.v.list.element", &want_s);
        size_t sv = 0;
        for (size_t i = 0; i < ns; i++)
            if (s_valid[i]) {
                CHECK(sv < c->n_values && c->values[sv].len == 1 && c->values[sv].p[0] == (uint8_t)s_data[i]);
                sv++;
            }
        CHECK(sv == c->n_values);
        check_fixed_values(&f, "row", N, NULL, row, 4);
        pfile_free(&f);
        empty_tmp_dir();
    }
}

static void test_map(void)
{
    /* m: map<string, int32 (nullable)> (nullable); definition levels of
     * m.key_value.key: 0 m null, 1 m empty, 2 entry; of .value: 3 when the
     * value is present. Rows: null, empty, then 1..3 entries. */
    static const dsg_field kv[] = {FIELD("key", DSG_STRING, 0), FIELD("value", DSG_INT32, DSG_FIELD_NULLABLE)};
    static const dsg_field fields[] = {{"m", DSG_MAP, DSG_FIELD_NULLABLE, 0, 0, kv, 2},
                                       FIELD("row", DSG_INT32, 0)};
    enum { N = 5000, MAXE = N * 3 };
    static int32_t m_off[N + 1], k_off[MAXE + 1], v[MAXE], row[N];
    static uint8_t m_valid[N], v_valid[MAXE];
    static char k_data[MAXE * 2];
    static levels want_k, want_v;
    size_t ne = 0;
    want_k.n = want_v.n = 0;
    for (int i = 0; i < N; i++) {
        row[i] = i;
        m_valid[i] = i % 7 != 3;
        int n_e = m_valid[i] ? i % 4 : 0;
        if (n_e == 0) {
            push(&want_k, 0, m_valid[i]);
            push(&want_v, 0, m_valid[i]);
        }
        for (int e = 0; e < n_e; e++, ne++) {
            k_data[2 * ne] = (char)('a' + e);
            k_data[2 * ne + 1] = (char)('a' + i % 26);
            k_off[ne + 1] = (int32_t)(2 * ne + 2);
            v_valid[ne] = ne % 5 != 1;
            v[ne] = (int32_t)ne * 3;
            push(&want_k, e == 0 ? 0 : 1, 2);
            push(&want_v, e == 0 ? 0 : 1, v_valid[ne] ? 3 : 2);
        }
        m_off[i + 1] = (int32_t)ne;
    }
    dsg_array kv_arr[2] = {{DSG_STRING, ne, NULL, NULL, k_off, k_data, NULL}, ARRAY(DSG_INT32, ne, v_valid, v)};
    dsg_array cols[] = {{DSG_MAP, N, m_valid, NULL, m_off, NULL, kv_arr}, ARRAY(DSG_INT32, N, NULL, row)};
    dsg_parquet_options opt = plain_options();
    opt.page_bytes = 1024;
    opt.row_group_rows = 1000;
    opt.field_ids = 1;
    dsg_parquet_writer *w = open_writer("map.parquet", fields, COUNT(fields), &opt);
    write_ok(w, cols, N);
    pfile f;
    close_and_verify(w, "map.parquet", &f, 1);
    check_field_ids_preorder(&f); /* m 1, (key_value none), key 2, value 3, row 4 */
    CHECK(t_get(schema_elem(&f, "m.key_value.value"), 9)->i == 3 && t_get(schema_elem(&f, "row"), 9)->i == 4);
    check_elem(&f, "m", -1, OPTIONAL, CT_MAP, 1);
    CHECK(logical(&f, "m", 2) != NULL);
    check_elem(&f, "m.key_value", -1, REPEATED, -1, 2);
    check_elem(&f, "m.key_value.key", BYTE_ARRAY, REQUIRED, CT_UTF8, -1);
    check_elem(&f, "m.key_value.value", INT32, OPTIONAL, -1, -1);
    const column *c = column_of(&f, "m.key_value.key");
    CHECK(c->max_rep == 1 && c->max_def == 2 && c->n_values == ne);
    check_levels(&f, "m.key_value.key", &want_k);
    for (size_t e = 0; e < ne; e++)
        CHECKF(c->values[e].len == 2 && memcmp(c->values[e].p, k_data + 2 * e, 2) == 0, "key %zu", e);
    c = column_of(&f, "m.key_value.value");
    CHECK(c->max_rep == 1 && c->max_def == 3);
    check_levels(&f, "m.key_value.value", &want_v);
    size_t kv_n = 0;
    for (size_t e = 0; e < ne; e++)
        if (v_valid[e]) {
            int32_t got;
            CHECK(kv_n < c->n_values);
            memcpy(&got, c->values[kv_n++].p, 4);
            CHECKF(got == v[e], "value %zu", e);
        }
    CHECK(kv_n == c->n_values);
    check_fixed_values(&f, "row", N, NULL, row, 4);
    pfile_free(&f);
    empty_tmp_dir();

    /* a null key is refused before anything is encoded */
    static const uint8_t k_valid[2] = {1, 0};
    static const int32_t off2[2] = {0, 2}, ko[3] = {0, 1, 2}, vv[2] = {1, 2};
    dsg_array bad_kv[2] = {{DSG_STRING, 2, k_valid, NULL, ko, "ab", NULL}, ARRAY(DSG_INT32, 2, NULL, vv)};
    dsg_array bad[] = {{DSG_MAP, 1, NULL, NULL, off2, NULL, bad_kv}, ARRAY(DSG_INT32, 1, NULL, row)};
    w = open_writer("map.parquet", fields, COUNT(fields), &opt);
    dsg_error err;
    CHECK(dsg_parquet_writer_write(w, bad, 1, &err) == DSG_ETYPE && strstr(err.message, "null key"));
    dsg_parquet_writer_free(w);
    empty_tmp_dir();
}

static void test_misuse(void)
{
    static const dsg_field fields[] = {FIELD("a", DSG_INT32, 0), FIELD("s", DSG_STRING, DSG_FIELD_NULLABLE)};
    static const int32_t a[3] = {1, 2, 3}, s_off[4] = {0, 1, 2, 3};
    static const uint8_t some_null[3] = {1, 0, 1};
    dsg_array cols[2] = {ARRAY(DSG_INT32, 3, NULL, a), {DSG_STRING, 3, some_null, NULL, s_off, "xyz", NULL}};
    dsg_parquet_options opt = plain_options();
    dsg_parquet_writer *w = open_writer("misuse.parquet", fields, 2, &opt);
    dsg_error err;

    /* refused writes leave the writer usable */
    cols[0].type = DSG_INT64;
    dsg_error_clear(&err);
    CHECK(dsg_parquet_writer_write(w, cols, 3, &err) == DSG_ETYPE);
    CHECKF(err.status == DSG_ETYPE && strstr(err.message, "column a") != NULL, "message: %s", err.message);
    cols[0].type = DSG_INT32;
    cols[0].valid = some_null; /* 'a' is not nullable */
    dsg_error_clear(&err);
    CHECK(dsg_parquet_writer_write(w, cols, 3, &err) == DSG_ETYPE && err.message[0] != '\0');
    cols[0].valid = NULL;
    dsg_error_clear(&err);
    CHECK(dsg_parquet_writer_write(w, cols, 4, &err) == DSG_ETYPE); /* arrays too short */
    static const int32_t bad_off[4] = {0, 2, 1, 3};
    cols[1].offsets = bad_off;
    CHECK(dsg_parquet_writer_write(w, cols, 3, &err) == DSG_ETYPE);
    cols[1].offsets = s_off;
    CHECK(dsg_parquet_writer_rows(w) == 0);
    write_ok(w, cols, 3);
    write_ok(w, cols, 2);

    dsg_error_clear(&err);
    CHECK(dsg_parquet_writer_close(w, &err) == DSG_OK);
    dsg_error_clear(&err);
    CHECK(dsg_parquet_writer_write(w, cols, 3, &err) == DSG_ESTATE && err.message[0] != '\0');
    dsg_error_clear(&err);
    CHECK(dsg_parquet_writer_close(w, &err) == DSG_ESTATE && err.message[0] != '\0');
    dsg_parquet_writer_free(w);
    dsg_parquet_writer_free(NULL);
    pfile f;
    char path[512];
    path_in_tmp(path, sizeof path, "misuse.parquet");
    verify_file(&f, path, 1);
    CHECK(t_int(&f.meta, 3, T_I64) == 5);
    pfile_free(&f);
    empty_tmp_dir();
}

/* A decimal beyond its precision is refused, and no file appears. */
static void test_decimal_overflow(void)
{
    static const dsg_field fields[] = {{"price", DSG_DECIMAL, 0, 4, 2, NULL, 0}};
    static const int64_t ok[2] = {9999, -9999}, bad[2] = {5, 10000};
    dsg_array col = ARRAY(DSG_DECIMAL, 2, NULL, ok);
    dsg_parquet_options opt = plain_options();
    dsg_parquet_writer *w = open_writer("decimal.parquet", fields, 1, &opt);
    write_ok(w, &col, 2);
    col.values = bad;
    dsg_error err;
    dsg_error_clear(&err);
    CHECK(dsg_parquet_writer_write(w, &col, 2, &err) == DSG_ETYPE);
    CHECKF(strstr(err.message, "10000") != NULL && strstr(err.message, "price") != NULL, "message: %s",
           err.message);
    dsg_parquet_writer_free(w);
    char names[8][256];
    CHECKF(dir_entries(names, 8) == 0, "%s left behind", names[0]);
}

/* Opening must fail with DSG_EINVAL, and leave nothing behind. */
static void expect_open_refused(const dsg_field *fields, size_t n, const dsg_parquet_options *opt,
                                const char *what)
{
    char path[512], names[8][256];
    path_in_tmp(path, sizeof path, "refused.parquet");
    dsg_error err;
    dsg_error_clear(&err);
    dsg_sink *sink = NULL;
    CHECK(dsg_file_sink_open(&sink, path, &err) == DSG_OK);
    dsg_parquet_writer *w = (dsg_parquet_writer *)&err;
    dsg_status st = dsg_parquet_writer_open(&w, sink, fields, n, opt, &err);
    CHECKF(st == DSG_EINVAL && err.status == DSG_EINVAL && err.message[0] != '\0', "%s: status %d", what, st);
    CHECKF(w == (dsg_parquet_writer *)&err, "%s: out-parameter written on failure", what);
    CHECKF(dir_entries(names, 8) == 0, "%s: %s left behind", what, names[0]);
}

static void test_invalid_options(void)
{
    static const dsg_field one[] = {FIELD("a", DSG_INT32, 0)};
    dsg_parquet_options opt = plain_options();
    opt.row_group_rows = 0;
    expect_open_refused(one, 1, &opt, "row_group_rows 0");
    opt = plain_options();
    opt.codec = DSG_CODEC_ZSTD;
    opt.level = 23;
    expect_open_refused(one, 1, &opt, "zstd level 23");
    opt.codec = DSG_CODEC_SNAPPY;
    opt.level = 1;
    expect_open_refused(one, 1, &opt, "snappy with a level");
    opt = plain_options();
    opt.codec = (dsg_codec)99;
    expect_open_refused(one, 1, &opt, "unknown codec");
    opt = plain_options();
    opt.page_bytes = 10;
    expect_open_refused(one, 1, &opt, "page_bytes 10");
    opt = plain_options();
    opt.n_metadata = 1;
    expect_open_refused(one, 1, &opt, "metadata count without metadata");
    static const dsg_kv no_key[] = {{NULL, "v"}};
    opt.metadata = no_key;
    expect_open_refused(one, 1, &opt, "metadata without a key");
    opt = plain_options();
    expect_open_refused(one, 0, &opt, "no columns");
    static const dsg_field dec19[] = {{"d", DSG_DECIMAL, 0, 19, 2, NULL, 0}};
    expect_open_refused(dec19, 1, &opt, "decimal precision 19");
    static const dsg_field dec_scale[] = {{"d", DSG_DECIMAL, 0, 5, 6, NULL, 0}};
    expect_open_refused(dec_scale, 1, &opt, "decimal scale above precision");
    static const dsg_field two[] = {FIELD("x", DSG_INT32, 0), FIELD("y", DSG_INT32, 0)};
    static const dsg_field list2[] = {{"l", DSG_LIST, 0, 0, 0, two, 2}};
    expect_open_refused(list2, 1, &opt, "list with two children");
    static const dsg_field list0[] = {{"l", DSG_LIST, 0, 0, 0, NULL, 0}};
    expect_open_refused(list0, 1, &opt, "list without a child");
    static const dsg_field map1[] = {{"m", DSG_MAP, 0, 0, 0, one, 1}};
    expect_open_refused(map1, 1, &opt, "map with one child");
    static const dsg_field nkey[] = {FIELD("k", DSG_INT32, DSG_FIELD_NULLABLE), FIELD("v", DSG_INT32, 0)};
    static const dsg_field map_nkey[] = {{"m", DSG_MAP, 0, 0, 0, nkey, 2}};
    expect_open_refused(map_nkey, 1, &opt, "map with a nullable key");
    static const dsg_field dup[] = {FIELD("x", DSG_INT32, 0), FIELD("x", DSG_INT64, 0)};
    expect_open_refused(dup, 2, &opt, "duplicate names");
    static const dsg_field dup_members[] = {FIELD("m", DSG_INT32, 0), FIELD("m", DSG_INT32, 0)};
    static const dsg_field dup_struct[] = {{"s", DSG_STRUCT, 0, 0, 0, dup_members, 2}};
    expect_open_refused(dup_struct, 1, &opt, "duplicate struct members");
    static const dsg_field empty_struct[] = {{"s", DSG_STRUCT, 0, 0, 0, NULL, 0}};
    expect_open_refused(empty_struct, 1, &opt, "struct without members");
    static const dsg_field unnamed[] = {FIELD("", DSG_INT32, 0)};
    expect_open_refused(unnamed, 1, &opt, "empty name");
    static const dsg_field bad_type[] = {FIELD("t", (dsg_type)99, 0)};
    expect_open_refused(bad_type, 1, &opt, "unknown type");
    static const dsg_field prim_kids[] = {{"p", DSG_INT32, 0, 0, 0, one, 1}};
    expect_open_refused(prim_kids, 1, &opt, "primitive with children");
}

static void test_commit(void)
{
    static const dsg_field fields[] = {FIELD("a", DSG_INT32, 0)};
    static const int32_t a[2] = {1, 2};
    dsg_array col = ARRAY(DSG_INT32, 2, NULL, a);
    dsg_parquet_options opt = plain_options();
    char names[8][256], path[512];
    path_in_tmp(path, sizeof path, "commit.parquet");

    /* free without close: no file, no temporary file */
    dsg_parquet_writer *w = open_writer("commit.parquet", fields, 1, &opt);
    write_ok(w, &col, 2);
    dsg_parquet_writer_free(w);
    CHECKF(dir_entries(names, 8) == 0, "%s left behind by free without close", names[0]);

    /* the final name appears only at close; before, only a dot-file */
    w = open_writer("commit.parquet", fields, 1, &opt);
    write_ok(w, &col, 2);
    CHECK(access(path, F_OK) != 0);
    size_t n = dir_entries(names, 8);
    CHECKF(n == 1 && names[0][0] == '.', "before close: %zu entries, first %s", n, n ? names[0] : "");
    dsg_error err;
    CHECK(dsg_parquet_writer_close(w, &err) == DSG_OK);
    n = dir_entries(names, 8);
    CHECKF(n == 1 && strcmp(names[0], "commit.parquet") == 0, "after close: %zu entries, first %s", n, names[0]);
    dsg_parquet_writer_free(w);

    /* a commit that fails (a directory holds the final name) leaves only
     * that directory */
    CHECK(unlink(path) == 0);
    w = open_writer("commit.parquet", fields, 1, &opt);
    write_ok(w, &col, 2);
    CHECK(mkdir(path, 0755) == 0);
    dsg_error_clear(&err);
    dsg_status st = dsg_parquet_writer_close(w, &err);
    CHECKF(st > 0 && strstr(err.message, path) != NULL, "status %d: %s", st, err.message);
    dsg_parquet_writer_free(w);
    n = dir_entries(names, 8);
    CHECKF(n == 1 && strcmp(names[0], "commit.parquet") == 0, "%zu entries, first %s", n, names[0]);
    CHECK(rmdir(path) == 0);

    /* an empty name is refused */
    dsg_sink *sink = (dsg_sink *)&err;
    CHECK(dsg_file_sink_open(&sink, "", NULL) == DSG_EINVAL && sink == (dsg_sink *)&err);

    /* a sink for a missing directory fails cleanly */
    char missing[512];
    path_in_tmp(missing, sizeof missing, "no/such/dir.parquet");
    dsg_error_clear(&err);
    CHECK(dsg_file_sink_open(&sink, missing, &err) > 0 && strstr(err.message, missing) != NULL);
    CHECK(sink == (dsg_sink *)&err);
    empty_tmp_dir();
}

/* A sink written by the user, as dsg.h allows: it records the calls it
 * gets ('w'rite, 'c'ommit, 'a'bort, 'f'ree) and can fail one of them. */
typedef struct user_sink {
    dsg_sink base;
    char calls[4096];
    size_t n_calls;
    size_t bytes;
    int writes, fail_write_at, fail_commit;
    uint8_t head[4], tail[4]; /* first and last bytes */
} user_sink;

static void record(user_sink *s, char c)
{
    CHECK(s->n_calls + 1 < sizeof s->calls);
    s->calls[s->n_calls++] = c;
    s->calls[s->n_calls] = '\0';
}

static dsg_status us_write(dsg_sink *sink, const void *data, size_t size, dsg_error *err)
{
    user_sink *s = (user_sink *)sink;
    record(s, 'w');
    if (++s->writes == s->fail_write_at) {
        if (err != NULL) {
            err->status = DSG_EIO;
            snprintf(err->message, sizeof err->message, "user sink: disk full");
        }
        return DSG_EIO;
    }
    const uint8_t *p = data;
    for (size_t k = 0; k < size; k++, s->bytes++) {
        if (s->bytes < 4)
            s->head[s->bytes] = p[k];
        s->tail[s->bytes % 4] = p[k];
    }
    return DSG_OK;
}

static dsg_status us_commit(dsg_sink *sink, dsg_error *err)
{
    user_sink *s = (user_sink *)sink;
    record(s, 'c');
    if (s->fail_commit) {
        if (err != NULL) {
            err->status = DSG_EIO;
            snprintf(err->message, sizeof err->message, "user sink: commit refused");
        }
        return DSG_EIO;
    }
    return DSG_OK;
}

static void us_abort(dsg_sink *sink) { record((user_sink *)sink, 'a'); }
static void us_free(dsg_sink *sink) { record((user_sink *)sink, 'f'); }

static const dsg_sink_ops user_sink_ops = {us_write, us_commit, us_abort, us_free};

static void user_sink_init(user_sink *s, int fail_write_at, int fail_commit)
{
    memset(s, 0, sizeof *s);
    s->base.ops = &user_sink_ops;
    s->fail_write_at = fail_write_at;
    s->fail_commit = fail_commit;
}

static size_t count_calls(const user_sink *s, char c)
{
    size_t n = 0;
    for (size_t k = 0; k < s->n_calls; k++)
        n += s->calls[k] == c;
    return n;
}

/* Writes 30000 rows in three calls, small row groups, then closes; the
 * first failing status, or DSG_OK. A failed writer must refuse more. */
static dsg_status user_sink_scenario(user_sink *s, dsg_error *err)
{
    static const dsg_field fields[] = {FIELD("a", DSG_INT64, 0), FIELD("s", DSG_STRING, DSG_FIELD_NULLABLE)};
    enum { N = 10000 };
    static int64_t a[N];
    static int32_t off[N + 1];
    static char data[N * 6];
    for (int i = 0; i < N; i++) {
        a[i] = (int64_t)i * i;
        off[i + 1] = off[i] + snprintf(data + off[i], 7, "%d", i % 977);
    }
    dsg_array cols[] = {ARRAY(DSG_INT64, N, NULL, a), {DSG_STRING, N, NULL, NULL, off, data, NULL}};
    dsg_parquet_options opt = plain_options();
    opt.row_group_rows = 7000;
    dsg_parquet_writer *w = NULL;
    dsg_status st = dsg_parquet_writer_open(&w, &s->base, fields, 2, &opt, err);
    for (int k = 0; k < 3 && st == DSG_OK; k++)
        st = dsg_parquet_writer_write(w, cols, N, err);
    if (st == DSG_OK) {
        st = dsg_parquet_writer_close(w, err);
        if (st == DSG_OK)
            CHECK(dsg_parquet_writer_bytes(w) == s->bytes);
    } else if (w != NULL) {
        CHECK(dsg_parquet_writer_write(w, cols, 1, NULL) == DSG_ESTATE);
        CHECK(dsg_parquet_writer_close(w, NULL) == DSG_ESTATE);
    }
    dsg_parquet_writer_free(w);
    return st;
}

/* Exactly one of commit and abort, then free, last (dsg.h). */
static void check_sink_calls(const user_sink *s, int committed, const char *what)
{
    CHECKF(count_calls(s, 'f') == 1 && s->calls[s->n_calls - 1] == 'f', "%s: calls %s", what, s->calls);
    if (committed) {
        CHECKF(count_calls(s, 'c') == 1 && count_calls(s, 'a') == 0, "%s: calls %s", what, s->calls);
        return;
    }
    /* a commit that fails is followed by an abort */
    CHECKF(count_calls(s, 'a') == 1 && s->calls[s->n_calls - 2] == 'a', "%s: calls %s", what, s->calls);
    CHECKF(count_calls(s, 'c') == 0 || strstr(s->calls, "ca") != NULL, "%s: calls %s", what, s->calls);
}

static void test_user_sink(void)
{
    static user_sink s;
    dsg_error err;

    user_sink_init(&s, 0, 0);
    dsg_error_clear(&err);
    CHECKF(user_sink_scenario(&s, &err) == DSG_OK, "%s", err.message);
    check_sink_calls(&s, 1, "a clean run");
    CHECK(memcmp(s.head, "PAR1", 4) == 0);
    for (size_t k = 0; k < 4; k++) /* tail[] is a ring */
        CHECK(s.tail[(s.bytes + k) % 4] == "PAR1"[k]);
    int writes = s.writes;
    CHECK(writes > 3);

    /* each write failing in turn: its status and message come back, the
     * sink is aborted, nothing is committed */
    for (int k = 1; k <= writes; k++) {
        user_sink_init(&s, k, 0);
        dsg_error_clear(&err);
        dsg_status st = user_sink_scenario(&s, &err);
        CHECKF(st == DSG_EIO && strcmp(err.message, "user sink: disk full") == 0,
               "write %d failing: status %d, '%s'", k, st, err.message);
        check_sink_calls(&s, 0, "a failed write");
    }

    user_sink_init(&s, 0, 1);
    dsg_error_clear(&err);
    CHECK(user_sink_scenario(&s, &err) == DSG_EIO && strcmp(err.message, "user sink: commit refused") == 0);
    check_sink_calls(&s, 0, "a failed commit");

    /* free without close */
    static const dsg_field one[] = {FIELD("a", DSG_INT32, 0)};
    dsg_parquet_options opt = plain_options();
    user_sink_init(&s, 0, 0);
    dsg_parquet_writer *w = NULL;
    CHECK(dsg_parquet_writer_open(&w, &s.base, one, 1, &opt, NULL) == DSG_OK);
    dsg_parquet_writer_free(w);
    check_sink_calls(&s, 0, "free without close");

    /* a refused open still owns the sink */
    opt.row_group_rows = 0;
    user_sink_init(&s, 0, 0);
    CHECK(dsg_parquet_writer_open(&w, &s.base, one, 1, &opt, NULL) == DSG_EINVAL);
    check_sink_calls(&s, 0, "a refused open");
}

/* The alltypes dataset (every type, nulls, extremes, nesting) through
 * small pages, row groups and dictionaries: every rule of verify_file. */
/* File-level statistics merged over row groups: NaN in some groups, a
 * group of only NaN, nulls, long strings whose min and max sit in
 * different groups, a column with only nulls. */
static void test_file_stats(void)
{
    static const dsg_field fields[] = {FIELD("d", DSG_DOUBLE, DSG_FIELD_NULLABLE),
                                       FIELD("s", DSG_STRING, 0),
                                       FIELD("n", DSG_INT8, DSG_FIELD_NULLABLE),
                                       FIELD("f", DSG_FLOAT, 0)};
    enum { N = 9, LONG = 300 };
    static double d[N];
    static const uint8_t d_valid[N] = {1, 1, 0, 1, 1, 1, 1, 1, 0};
    static const uint8_t n_valid[N] = {0};
    static const int8_t nv[N] = {0};
    static const float fv[N] = {0.0f, 1.5f, 2.0f, -0.0f, 3.0f, 0.5f, 1.0f, 0.0f, 2.5f};
    static char s_data[N * LONG];
    static int32_t s_off[N + 1];
    double nan = NAN;
    const double dv[N] = {nan, 5.0, 0.0, -3.0, nan, 7.25, nan, nan, 0.0};
    memcpy(d, dv, sizeof d);
    for (int i = 0; i < N; i++) {
        /* 'm' strings; the smallest in the last group, the largest in the second */
        memset(s_data + i * LONG, 'm', LONG);
        if (i == 8)
            s_data[i * LONG + LONG - 1] = 'a';
        if (i == 4)
            s_data[i * LONG + LONG - 1] = 'z';
        s_off[i + 1] = (i + 1) * LONG;
    }
    dsg_array cols[] = {ARRAY(DSG_DOUBLE, N, d_valid, d), {DSG_STRING, N, NULL, NULL, s_off, s_data, NULL},
                        ARRAY(DSG_INT8, N, n_valid, nv), ARRAY(DSG_FLOAT, N, NULL, fv)};
    dsg_parquet_options opt = plain_options();
    opt.row_group_rows = 3;
    opt.field_ids = 1;
    dsg_parquet_writer *w = open_writer("fstats.parquet", fields, COUNT(fields), &opt);
    dsg_error err;
    dsg_error_clear(&err);
    const dsg_column_stats *cs = NULL;
    size_t n = 0;
    CHECK(dsg_parquet_writer_column_stats(w, &cs, &n, &err) == DSG_ESTATE); /* not closed yet */
    write_ok(w, cols, N);
    pfile f;
    CHECKF(dsg_parquet_writer_close(w, &err) == DSG_OK, "%s", err.message);
    char path[512];
    path_in_tmp(path, sizeof path, "fstats.parquet");
    verify_file(&f, path, 1);
    CHECK(n_row_groups(&f) == 3);
    check_field_ids_preorder(&f);
    check_column_stats(w, &f);
    CHECK(dsg_parquet_writer_column_stats(w, &cs, &n, &err) == DSG_OK && n == 4);
    /* and the values themselves, known in advance */
    double mn, mx;
    CHECK(cs[0].has_minmax && cs[0].nans == 4 && cs[0].nulls == 2 && cs[0].values == N);
    memcpy(&mn, cs[0].min, 8);
    memcpy(&mx, cs[0].max, 8);
    CHECK(mn == -3.0 && mx == 7.25 && cs[0].field_id == 1);
    CHECK(cs[1].min_len == LONG && cs[1].max_len == LONG && cs[1].min[LONG - 1] == 'a' &&
          cs[1].max[LONG - 1] == 'z' && cs[1].field_id == 2);
    CHECK(!cs[2].has_minmax && cs[2].nulls == N && cs[2].values == N && cs[2].field_id == 3);
    float fmin, fmax;
    memcpy(&fmin, cs[3].min, 4);
    memcpy(&fmax, cs[3].max, 4);
    CHECK(fmin == -0.0f && signbit(fmin) && fmax == 3.0f && cs[3].nans == 0);
    dsg_parquet_writer_free(w);
    pfile_free(&f);
    empty_tmp_dir();
}

static void test_alltypes(void)
{
    dsg_error err;
    dsg_error_clear(&err);
    dsg_dataset *ds = NULL;
    CHECKF(dsg_dataset_create(&ds, "alltypes", &err) == DSG_OK, "%s", err.message);
    CHECK(dsg_dataset_set(ds, "rows", "12000", &err) == DSG_OK && dsg_dataset_prepare(ds, &err) == DSG_OK);
    dsg_table_info info;
    CHECK(dsg_dataset_table(ds, 0, &info, &err) == DSG_OK && info.rows == 12000);
    dsg_batch *batch = NULL;
    CHECK(dsg_batch_create(&batch, ds, 0, &err) == DSG_OK);
    dsg_parquet_options opt = plain_options();
    opt.page_bytes = 2048;
    opt.dict_bytes = 4096;
    opt.row_group_rows = 5000;
    opt.field_ids = 1;
    dsg_parquet_writer *w = open_writer("alltypes.parquet", info.fields, info.n_fields, &opt);
    for (uint64_t row = 0; row < info.rows; row += 3000) {
        const dsg_array *cols = NULL;
        CHECKF(dsg_dataset_fill(ds, 0, row, 3000, batch, &cols, &err) == DSG_OK, "%s", err.message);
        write_ok(w, cols, 3000);
    }
    pfile f;
    close_and_verify(w, "alltypes.parquet", &f, 1);
    CHECK(n_row_groups(&f) == 3 && t_int(&f.meta, 3, T_I64) == 12000);
    check_field_ids_preorder(&f);
    pfile_free(&f);
    dsg_batch_free(batch);
    dsg_dataset_free(ds);
    empty_tmp_dir();
}

int main(void)
{
    snprintf(tmp_dir, sizeof tmp_dir, "%s", "/tmp/dsg-test-writer-XXXXXX");
    CHECK(mkdtemp(tmp_dir) != NULL);
    test_schema_and_types();
    test_row_groups();
    test_statistics();
    test_dictionary();
    test_nested();
    test_map();
    test_misuse();
    test_decimal_overflow();
    test_invalid_options();
    test_commit();
    test_user_sink();
    test_file_stats();
    test_alltypes();
    CHECK(rmdir(tmp_dir) == 0);
    printf("test_writer: ok\n");
    return 0;
}
