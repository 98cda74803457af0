/*
 * pq_reader.c - whole leaf columns of a Parquet file in memory (see
 * pq_reader.h). A Thrift compact decoder for the footer and page headers,
 * then per column chunk: pages in order, decompressed, levels decoded
 * (RLE/bit-packed hybrid), values decoded (PLAIN or dictionary indices).
 * Every length and offset is checked against the buffer: a corrupt file is
 * an error (DSG_EIO naming the file), never an out-of-bounds read.
 */
#include "pq_reader.h"

#include "codecs/codec.h"

#include <stdio.h>

enum { PHYS_BOOLEAN = 0, PHYS_INT32 = 1, PHYS_INT64 = 2, PHYS_INT96 = 3, PHYS_FLOAT = 4, PHYS_DOUBLE = 5,
       PHYS_BYTE_ARRAY = 6, PHYS_FLBA = 7 };
enum { ENC_PLAIN = 0, ENC_PLAIN_DICT = 2, ENC_RLE = 3, ENC_RLE_DICT = 8 };
enum { PAGE_DATA = 0, PAGE_INDEX = 1, PAGE_DICT = 2, PAGE_DATA_V2 = 3 };

#define MAX_DEPTH 32
#define MAX_LEAVES 4096

/* ---- Thrift compact protocol, read side ---- */

typedef struct tr {
    const uint8_t *p, *end;
    int bad;
} tr;

static uint64_t tr_varint(tr *t)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (t->p >= t->end) {
            t->bad = 1;
            return 0;
        }
        uint8_t b = *t->p++;
        v |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80))
            return v;
    }
    t->bad = 1;
    return 0;
}

static int64_t tr_zz(tr *t)
{
    uint64_t v = tr_varint(t);
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static void tr_skip(tr *t, int type, int depth);

static void tr_skip_struct(tr *t, int depth)
{
    if (depth > MAX_DEPTH) {
        t->bad = 1;
        return;
    }
    while (!t->bad) {
        if (t->p >= t->end) {
            t->bad = 1;
            return;
        }
        uint8_t b = *t->p++;
        if (b == 0)
            return;
        if ((b >> 4) == 0)
            (void)tr_zz(t);
        tr_skip(t, b & 0x0F, depth + 1);
    }
}

static void tr_bytes(tr *t, size_t n)
{
    if ((size_t)(t->end - t->p) < n)
        t->bad = 1;
    else
        t->p += n;
}

static void tr_skip(tr *t, int type, int depth)
{
    switch (type) {
    case 1:
    case 2: break; /* bool in a field header */
    case 3: tr_bytes(t, 1); break;
    case 4:
    case 5:
    case 6: (void)tr_varint(t); break;
    case 7: tr_bytes(t, 8); break;
    case 8: tr_bytes(t, tr_varint(t)); break;
    case 9:
    case 10: {
        if (t->p >= t->end) {
            t->bad = 1;
            return;
        }
        uint8_t h = *t->p++;
        uint64_t n = h >> 4;
        if (n == 15)
            n = tr_varint(t);
        int et = h & 0x0F;
        for (uint64_t i = 0; i < n && !t->bad; i++)
            tr_skip(t, et == 1 || et == 2 ? 3 : et, depth + 1); /* list bools are bytes */
        break;
    }
    case 11: {
        uint64_t n = tr_varint(t);
        if (n == 0)
            break;
        if (t->p >= t->end) {
            t->bad = 1;
            return;
        }
        uint8_t kv = *t->p++;
        for (uint64_t i = 0; i < n && !t->bad; i++) {
            tr_skip(t, (kv >> 4) == 1 || (kv >> 4) == 2 ? 3 : kv >> 4, depth + 1);
            tr_skip(t, (kv & 15) == 1 || (kv & 15) == 2 ? 3 : kv & 15, depth + 1);
        }
        break;
    }
    case 12: tr_skip_struct(t, depth); break;
    default: t->bad = 1;
    }
}

/* Next field of the current struct: 0 at its end. */
static int tr_field(tr *t, int16_t *last, int16_t *id, int *type)
{
    if (t->bad || t->p >= t->end) {
        t->bad = 1;
        return 0;
    }
    uint8_t b = *t->p++;
    if (b == 0)
        return 0;
    *type = b & 0x0F;
    *id = (b >> 4) ? (int16_t)(*last + (b >> 4)) : (int16_t)tr_zz(t);
    *last = *id;
    return 1;
}

/* A list header: element type and count. */
static uint64_t tr_list(tr *t, int *et)
{
    if (t->p >= t->end) {
        t->bad = 1;
        return 0;
    }
    uint8_t h = *t->p++;
    uint64_t n = h >> 4;
    if (n == 15)
        n = tr_varint(t);
    *et = h & 0x0F;
    if (n > (uint64_t)(t->end - t->p)) /* every element takes at least a byte */
        t->bad = 1;
    return t->bad ? 0 : n;
}

/* ---- footer ---- */

typedef struct schema_node {
    int phys, repetition, n_children;
    const uint8_t *name;
    size_t name_len;
} schema_node;

typedef struct leaf {
    int phys;
    int16_t max_def, max_rep;
    int16_t node_def[MAX_DEPTH];
    const uint8_t *names[MAX_DEPTH];
    size_t name_len[MAX_DEPTH];
    size_t depth;
} leaf;

typedef struct chunk {
    int codec;
    int64_t num_values, start, total_compressed;
} chunk;

typedef struct footer {
    schema_node *schema;
    size_t n_schema;
    leaf *leaves;
    size_t n_leaves;
    chunk *chunks; /* n_groups x n_leaves */
    size_t n_groups;
    int64_t rows;
} footer;

static void footer_free(footer *f)
{
    dsgi_free(f->schema);
    dsgi_free(f->leaves);
    dsgi_free(f->chunks);
}

static int read_schema_element(tr *t, schema_node *n)
{
    int16_t last = 0, id;
    int type;
    memset(n, 0, sizeof *n);
    n->phys = -1;
    while (tr_field(t, &last, &id, &type)) {
        if (id == 1 && type == 5)
            n->phys = (int)tr_zz(t);
        else if (id == 3 && type == 5)
            n->repetition = (int)tr_zz(t);
        else if (id == 4 && type == 8) {
            n->name_len = tr_varint(t);
            n->name = t->p;
            tr_bytes(t, n->name_len);
        } else if (id == 5 && type == 5)
            n->n_children = (int)tr_zz(t);
        else
            tr_skip(t, type, 1);
    }
    return !t->bad && n->n_children >= 0 && n->n_children < MAX_LEAVES;
}

/* Walks the schema from element *i (a child of a node at 'depth' with
 * levels def/rep), appending leaves. */
static int walk(footer *f, size_t *i, leaf *path, size_t depth, int16_t def, int16_t rep)
{
    if (*i >= f->n_schema || depth >= MAX_DEPTH)
        return 0;
    const schema_node *n = &f->schema[(*i)++];
    int16_t d = (int16_t)(def + (n->repetition != 0));
    int16_t r = (int16_t)(rep + (n->repetition == 2));
    path->names[depth] = n->name;
    path->name_len[depth] = n->name_len;
    path->node_def[depth] = d;
    if (n->n_children == 0) {
        if (f->n_leaves >= MAX_LEAVES || n->phys < 0)
            return 0;
        leaf *l = &f->leaves[f->n_leaves++];
        *l = *path;
        l->phys = n->phys;
        l->max_def = d;
        l->max_rep = r;
        l->depth = depth + 1;
        return 1;
    }
    for (int c = 0; c < n->n_children; c++)
        if (!walk(f, i, path, depth + 1, d, r))
            return 0;
    return 1;
}

static int read_column_meta(tr *t, chunk *c)
{
    int16_t last = 0, id;
    int type;
    int64_t data_off = -1, dict_off = -1;
    while (tr_field(t, &last, &id, &type)) {
        if (id == 4 && type == 5)
            c->codec = (int)tr_zz(t);
        else if (id == 5 && type == 6)
            c->num_values = tr_zz(t);
        else if (id == 7 && type == 6)
            c->total_compressed = tr_zz(t);
        else if (id == 9 && type == 6)
            data_off = tr_zz(t);
        else if (id == 11 && type == 6)
            dict_off = tr_zz(t);
        else
            tr_skip(t, type, 2);
    }
    c->start = dict_off > 0 && dict_off < data_off ? dict_off : data_off;
    return !t->bad && c->start >= 0 && c->num_values >= 0 && c->total_compressed >= 0;
}

static int read_footer(const uint8_t *file, size_t len, footer *f)
{
    memset(f, 0, sizeof *f);
    if (len < 12 || memcmp(file, "PAR1", 4) != 0 || memcmp(file + len - 4, "PAR1", 4) != 0)
        return 0;
    uint32_t flen = (uint32_t)file[len - 8] | (uint32_t)file[len - 7] << 8 | (uint32_t)file[len - 6] << 16 |
                    (uint32_t)file[len - 5] << 24;
    if (flen > len - 12)
        return 0;
    tr t = {file + len - 8 - flen, file + len - 8, 0};
    int16_t last = 0, id;
    int type;
    while (tr_field(&t, &last, &id, &type)) {
        if (id == 2 && type == 9) {
            int et;
            uint64_t n = tr_list(&t, &et);
            if (et != 12 || n == 0 || f->schema != NULL)
                return 0;
            f->schema = dsgi_calloc(n, sizeof *f->schema);
            if (f->schema == NULL)
                return 0;
            f->n_schema = n;
            for (uint64_t i = 0; i < n; i++)
                if (!read_schema_element(&t, &f->schema[i]))
                    return 0;
        } else if (id == 3 && type == 6) {
            f->rows = tr_zz(&t);
        } else if (id == 4 && type == 9) {
            if (f->schema == NULL || f->leaves != NULL)
                return 0;
            f->leaves = dsgi_calloc(MAX_LEAVES, sizeof *f->leaves);
            if (f->leaves == NULL)
                return 0;
            size_t i = 1;
            leaf path;
            memset(&path, 0, sizeof path);
            for (int c = 0; c < f->schema[0].n_children; c++)
                if (!walk(f, &i, &path, 0, 0, 0))
                    return 0;
            int et;
            uint64_t ng = tr_list(&t, &et);
            if (et != 12)
                return 0;
            f->chunks = dsgi_calloc(ng ? ng * f->n_leaves : 1, sizeof *f->chunks);
            if (f->chunks == NULL)
                return 0;
            f->n_groups = ng;
            for (uint64_t g = 0; g < ng; g++) {
                int16_t glast = 0, gid;
                int gtype;
                while (tr_field(&t, &glast, &gid, &gtype)) {
                    if (gid != 1 || gtype != 9) {
                        tr_skip(&t, gtype, 1);
                        continue;
                    }
                    uint64_t nc = tr_list(&t, &et);
                    if (et != 12 || nc != f->n_leaves)
                        return 0;
                    for (uint64_t c = 0; c < nc; c++) {
                        int16_t clast = 0, cid;
                        int ctype;
                        int have_meta = 0;
                        while (tr_field(&t, &clast, &cid, &ctype)) {
                            if (cid == 3 && ctype == 12) {
                                if (!read_column_meta(&t, &f->chunks[g * f->n_leaves + c]))
                                    return 0;
                                have_meta = 1;
                            } else {
                                tr_skip(&t, ctype, 1);
                            }
                        }
                        if (!have_meta)
                            return 0;
                    }
                }
            }
        } else {
            tr_skip(&t, type, 0);
        }
    }
    return !t.bad && f->leaves != NULL;
}

/* ---- levels and values ---- */

static int width_of(unsigned v) { return v == 0 ? 0 : 32 - __builtin_clz(v); }

/* RLE / bit-packed hybrid: n values of bw bits from p[0..len). */
static int rle_decode(const uint8_t *p, size_t len, int bw, size_t n, uint32_t *out)
{
    tr t = {p, p + len, 0};
    size_t k = 0;
    size_t vbytes = (size_t)(bw + 7) / 8;
    while (k < n) {
        uint64_t h = tr_varint(&t);
        if (t.bad)
            return 0;
        if (h & 1) {
            uint64_t groups = h >> 1;
            size_t bytes = (size_t)groups * (size_t)bw;
            if (groups > (1u << 26) || (size_t)(t.end - t.p) < bytes)
                return 0;
            uint64_t acc = 0;
            int bits = 0;
            const uint8_t *q = t.p;
            for (uint64_t i = 0; i < groups * 8; i++) {
                while (bits < bw) {
                    acc |= (uint64_t)*q++ << bits;
                    bits += 8;
                }
                uint32_t v = bw ? (uint32_t)(acc & ((1ull << bw) - 1)) : 0;
                acc >>= bw;
                bits -= bw;
                if (k < n)
                    out[k++] = v;
            }
            t.p += bytes;
        } else {
            uint64_t run = h >> 1;
            if ((size_t)(t.end - t.p) < vbytes)
                return 0;
            uint32_t v = 0;
            for (size_t i = 0; i < vbytes; i++)
                v |= (uint32_t)t.p[i] << (8 * i);
            t.p += vbytes;
            if (bw < 32 && v >> bw)
                return 0;
            for (uint64_t i = 0; i < run && k < n; i++)
                out[k++] = v;
        }
    }
    return 1;
}

typedef struct col_state {
    dsgi_pq_column *c;
    const leaf *l;
    dsgi_buf def, rep, ints, offsets, bytes;
    /* dictionary */
    int64_t *dict_ints;
    uint32_t *dict_off;
    const uint8_t *dict_bytes;
    uint8_t *dict_store;
    size_t dict_n;
    int has_dict;
} col_state;

static int push_value_int(col_state *s, int64_t v)
{
    return dsgi_buf_append(&s->ints, &v, 8, NULL) == DSG_OK;
}

static int push_value_bytes(col_state *s, const uint8_t *p, size_t n)
{
    if (dsgi_buf_append(&s->bytes, p, n, NULL) != DSG_OK || s->bytes.len > UINT32_MAX)
        return 0;
    uint32_t end = (uint32_t)s->bytes.len;
    return dsgi_buf_append(&s->offsets, &end, 4, NULL) == DSG_OK;
}

/* PLAIN values: n of them from p[0..len) into the column (dict: into the
 * dictionary instead). */
static int plain_decode(col_state *s, const uint8_t *p, size_t len, size_t n, int to_dict)
{
    int phys = s->l->phys;
    size_t pos = 0;
    if (to_dict) {
        s->dict_n = n;
        if (phys == PHYS_BYTE_ARRAY || phys == PHYS_FLBA) {
            s->dict_off = dsgi_calloc(2 * (n ? n : 1), sizeof *s->dict_off); /* [start, end) pairs */
            s->dict_store = dsgi_malloc(len ? len : 1);
            if (s->dict_off == NULL || s->dict_store == NULL)
                return 0;
            memcpy(s->dict_store, p, len);
            s->dict_bytes = s->dict_store;
        } else {
            s->dict_ints = dsgi_calloc(n ? n : 1, sizeof *s->dict_ints);
            if (s->dict_ints == NULL)
                return 0;
        }
    }
    for (size_t i = 0; i < n; i++) {
        int64_t v = 0;
        switch (phys) {
        case PHYS_BOOLEAN:
            if (i / 8 >= len)
                return 0;
            v = (p[i / 8] >> (i % 8)) & 1;
            break;
        case PHYS_INT32:
        case PHYS_FLOAT:
            if (len - pos < 4 || pos > len)
                return 0;
            v = (int32_t)((uint32_t)p[pos] | (uint32_t)p[pos + 1] << 8 | (uint32_t)p[pos + 2] << 16 |
                          (uint32_t)p[pos + 3] << 24);
            pos += 4;
            break;
        case PHYS_INT64:
        case PHYS_DOUBLE: {
            if (len - pos < 8 || pos > len)
                return 0;
            uint64_t u = 0;
            for (int k = 0; k < 8; k++)
                u |= (uint64_t)p[pos + k] << (8 * k);
            v = (int64_t)u;
            pos += 8;
            break;
        }
        case PHYS_BYTE_ARRAY: {
            if (len - pos < 4 || pos > len)
                return 0;
            uint32_t n_b = (uint32_t)p[pos] | (uint32_t)p[pos + 1] << 8 | (uint32_t)p[pos + 2] << 16 |
                           (uint32_t)p[pos + 3] << 24;
            pos += 4;
            if (len - pos < n_b)
                return 0;
            if (to_dict) {
                s->dict_off[2 * i] = (uint32_t)pos;
                s->dict_off[2 * i + 1] = (uint32_t)(pos + n_b);
            } else if (!push_value_bytes(s, p + pos, n_b)) {
                return 0;
            }
            pos += n_b;
            continue;
        }
        default: return 0; /* INT96, FIXED_LEN_BYTE_ARRAY: not needed */
        }
        if (to_dict)
            s->dict_ints[i] = v;
        else if (!push_value_int(s, v))
            return 0;
    }
    return 1;
}

static int dict_values(col_state *s, const uint8_t *p, size_t len, size_t n)
{
    if (!s->has_dict || len < 1)
        return n == 0;
    int bw = p[0];
    if (bw > 32)
        return 0;
    uint32_t *idx = dsgi_calloc(n ? n : 1, sizeof *idx);
    if (idx == NULL)
        return 0;
    int ok = rle_decode(p + 1, len - 1, bw, n, idx);
    for (size_t i = 0; ok && i < n; i++) {
        if (idx[i] >= s->dict_n) {
            ok = 0;
        } else if (s->l->phys == PHYS_BYTE_ARRAY) {
            uint32_t b = s->dict_off[2 * idx[i]], e = s->dict_off[2 * idx[i] + 1];
            ok = push_value_bytes(s, s->dict_bytes + b, e - b);
        } else {
            ok = push_value_int(s, s->dict_ints[idx[i]]);
        }
    }
    dsgi_free(idx);
    return ok;
}

/* Decodes one data page's levels and values. */
static int data_page(col_state *s, const uint8_t *body, size_t len, size_t n_levels, int encoding,
                     int v2, size_t rep_len, size_t def_len)
{
    const leaf *l = s->l;
    size_t old = s->def.len;
    if (dsgi_buf_reserve(&s->def, n_levels * 2, NULL) != DSG_OK ||
        dsgi_buf_reserve(&s->rep, n_levels * 2, NULL) != DSG_OK)
        return 0;
    uint32_t *tmp = dsgi_calloc(n_levels ? n_levels : 1, sizeof *tmp);
    if (tmp == NULL)
        return 0;
    size_t pos = 0;
    int ok = 1;
    /* repetition levels, then definition levels */
    for (int which = 0; which < 2 && ok; which++) {
        int16_t max = which == 0 ? l->max_rep : l->max_def;
        dsgi_buf *out = which == 0 ? &s->rep : &s->def;
        if (max == 0) {
            memset(tmp, 0, n_levels * sizeof *tmp);
        } else {
            size_t n_b;
            if (v2) {
                n_b = which == 0 ? rep_len : def_len;
            } else {
                if (len - pos < 4) {
                    ok = 0;
                    break;
                }
                n_b = (size_t)body[pos] | (size_t)body[pos + 1] << 8 | (size_t)body[pos + 2] << 16 |
                      (size_t)body[pos + 3] << 24;
                pos += 4;
            }
            if (n_b > len - pos || !rle_decode(body + pos, n_b, width_of((unsigned)max), n_levels, tmp)) {
                ok = 0;
                break;
            }
            pos += n_b;
        }
        for (size_t i = 0; i < n_levels; i++) {
            if (tmp[i] > (uint32_t)max) {
                ok = 0;
                break;
            }
            uint16_t v = (uint16_t)tmp[i];
            dsgi_buf_put(out, &v, 2);
        }
    }
    size_t n_values = 0;
    for (size_t i = 0; ok && i < n_levels; i++) {
        uint16_t d;
        memcpy(&d, s->def.data + old + 2 * i, 2);
        n_values += d == l->max_def;
    }
    dsgi_free(tmp);
    if (!ok)
        return 0;
    const uint8_t *vp = body + pos;
    size_t vlen = len - pos;
    switch (encoding) {
    case ENC_PLAIN: return plain_decode(s, vp, vlen, n_values, 0);
    case ENC_PLAIN_DICT:
    case ENC_RLE_DICT: return dict_values(s, vp, vlen, n_values);
    case ENC_RLE: {
        if (l->phys != PHYS_BOOLEAN || vlen < 4)
            return 0;
        uint32_t *b = dsgi_calloc(n_values ? n_values : 1, sizeof *b);
        size_t n_b = (size_t)vp[0] | (size_t)vp[1] << 8 | (size_t)vp[2] << 16 | (size_t)vp[3] << 24;
        ok = b != NULL && n_b <= vlen - 4 && rle_decode(vp + 4, n_b, 1, n_values, b);
        for (size_t i = 0; ok && i < n_values; i++)
            ok = push_value_int(s, b[i]);
        dsgi_free(b);
        return ok;
    }
    default: return 0;
    }
}

static int read_chunk(col_state *s, const uint8_t *file, size_t len, const chunk *c)
{
    if (c->start < 4 || (uint64_t)c->start > len)
        return 0;
    tr t = {file + c->start, file + len, 0};
    int64_t seen = 0;
    dsgi_buf page;
    dsgi_buf_init(&page, (size_t)1 << 31);
    int ok = 1;
    while (ok && seen < c->num_values) {
        int16_t last = 0, id;
        int type;
        int ptype = -1;
        int64_t usize = -1, csize = -1, nv = -1, nnulls = 0, def_len = 0, rep_len = 0;
        int enc = -1, compressed = 1, v2 = 0;
        while (tr_field(&t, &last, &id, &type)) {
            if (id == 1 && type == 5)
                ptype = (int)tr_zz(&t);
            else if (id == 2 && type == 5)
                usize = tr_zz(&t);
            else if (id == 3 && type == 5)
                csize = tr_zz(&t);
            else if ((id == 5 || id == 7 || id == 8) && type == 12) {
                int16_t l2 = 0, id2;
                int t2;
                v2 = id == 8;
                while (tr_field(&t, &l2, &id2, &t2)) {
                    if (id2 == 1 && t2 == 5)
                        nv = tr_zz(&t);
                    else if (id2 == 2 && t2 == 5 && !v2)
                        enc = (int)tr_zz(&t);
                    else if (id2 == 2 && t2 == 5 && v2)
                        nnulls = tr_zz(&t);
                    else if (id2 == 4 && t2 == 5 && v2)
                        enc = (int)tr_zz(&t);
                    else if (id2 == 5 && t2 == 5 && v2)
                        def_len = tr_zz(&t);
                    else if (id2 == 6 && t2 == 5 && v2)
                        rep_len = tr_zz(&t);
                    else if (id2 == 7 && (t2 == 1 || t2 == 2) && v2)
                        compressed = t2 == 1;
                    else
                        tr_skip(&t, t2, 2);
                }
            } else {
                tr_skip(&t, type, 1);
            }
        }
        (void)nnulls;
        if (t.bad || usize < 0 || csize < 0 || csize > t.end - t.p || usize > ((int64_t)1 << 30)) {
            ok = 0;
            break;
        }
        const uint8_t *body = t.p;
        t.p += csize;
        if (ptype == PAGE_INDEX)
            continue;
        /* v2: levels are never compressed; the rest may be */
        size_t lv = v2 ? (size_t)(def_len + rep_len) : 0;
        if (def_len < 0 || rep_len < 0 || lv > (size_t)csize || lv > (size_t)usize) {
            ok = 0;
            break;
        }
        dsgi_buf_reset(&page);
        if (dsgi_buf_reserve(&page, (size_t)usize + 1, NULL) != DSG_OK) {
            ok = 0;
            break;
        }
        memcpy(page.data, body, lv);
        if (v2 && !compressed) {
            if (csize != usize) {
                ok = 0;
                break;
            }
            memcpy(page.data + lv, body + lv, (size_t)csize - lv);
        } else {
            dsg_codec codec;
            switch (c->codec) {
            case 0: codec = DSG_CODEC_NONE; break;
            case 1: codec = DSG_CODEC_SNAPPY; break;
            case 2: codec = DSG_CODEC_GZIP; break;
            case 4: codec = DSG_CODEC_BROTLI; break;
            case 6: codec = DSG_CODEC_ZSTD; break;
            case 7: codec = DSG_CODEC_LZ4_RAW; break;
            default: ok = 0; continue;
            }
            if (dsgi_codec_decompress(codec, body + lv, (size_t)csize - lv, page.data + lv,
                                      (size_t)usize - lv, NULL) != DSG_OK) {
                ok = 0;
                break;
            }
        }
        page.len = (size_t)usize;
        if (ptype == PAGE_DICT) {
            if (s->has_dict || nv < 0 || (enc != ENC_PLAIN && enc != ENC_PLAIN_DICT) ||
                (size_t)nv > page.len + 1) {
                ok = 0;
                break;
            }
            s->has_dict = 1;
            ok = plain_decode(s, page.data, page.len, (size_t)nv, 1); /* copies what it keeps */
        } else if (ptype == PAGE_DATA || ptype == PAGE_DATA_V2) {
            if (nv < 0 || nv > c->num_values - seen) {
                ok = 0;
                break;
            }
            ok = data_page(s, page.data, page.len, (size_t)nv, enc, v2, (size_t)rep_len, (size_t)def_len);
            seen += nv;
        } else {
            ok = 0;
        }
    }
    dsgi_buf_free(&page);
    dsgi_free(s->dict_ints);
    dsgi_free(s->dict_off);
    dsgi_free(s->dict_store);
    s->dict_ints = NULL;
    s->dict_off = NULL;
    s->dict_store = NULL;
    s->dict_bytes = NULL;
    s->has_dict = 0;
    return ok;
}

static int path_matches(const leaf *l, const char *path)
{
    size_t d = 0;
    const char *p = path;
    while (*p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (d >= l->depth)
            return 0;
        if (!(n == 1 && *p == '*') && (n != l->name_len[d] || memcmp(p, l->names[d], n) != 0))
            return 0;
        d++;
        p += n;
        if (*p == '.')
            p++;
    }
    return d == l->depth;
}

void dsgi_pq_column_free(dsgi_pq_column *c)
{
    if (c == NULL)
        return;
    dsgi_free(c->def);
    dsgi_free(c->rep);
    dsgi_free(c->ints);
    dsgi_free(c->offsets);
    dsgi_free(c->bytes);
    memset(c, 0, sizeof *c);
}

dsg_status dsgi_pq_read_columns(const uint8_t *file, size_t len, const char *const *paths, size_t n,
                                dsgi_pq_column *out, uint64_t *rows, const char *what, dsg_error *err)
{
    footer f;
    memset(out, 0, n * sizeof *out);
    if (!read_footer(file, len, &f)) {
        footer_free(&f);
        return dsgi_fail(err, DSG_EIO, "%s is not a readable Parquet file (bad footer)", what);
    }
    dsg_status st = DSG_OK;
    for (size_t k = 0; k < n && st == DSG_OK; k++) {
        size_t li;
        for (li = 0; li < f.n_leaves; li++)
            if (path_matches(&f.leaves[li], paths[k]))
                break;
        if (li == f.n_leaves)
            continue;
        const leaf *l = &f.leaves[li];
        dsgi_pq_column *c = &out[k];
        c->found = 1;
        c->phys = l->phys;
        c->max_def = l->max_def;
        c->max_rep = l->max_rep;
        c->path_len = DSGI_MIN(l->depth, (size_t)DSGI_PQ_MAX_PATH);
        for (size_t i = 0; i < c->path_len; i++)
            c->node_def[i] = l->node_def[i];
        col_state s;
        memset(&s, 0, sizeof s);
        s.c = c;
        s.l = l;
        dsgi_buf_init(&s.def, (size_t)1 << 31);
        dsgi_buf_init(&s.rep, (size_t)1 << 31);
        dsgi_buf_init(&s.ints, (size_t)1 << 31);
        dsgi_buf_init(&s.offsets, (size_t)1 << 31);
        dsgi_buf_init(&s.bytes, (size_t)1 << 31);
        uint32_t zero = 0;
        int ok = dsgi_buf_append(&s.offsets, &zero, 4, NULL) == DSG_OK;
        for (size_t g = 0; ok && g < f.n_groups; g++)
            ok = read_chunk(&s, file, len, &f.chunks[g * f.n_leaves + li]);
        c->n_levels = s.def.len / 2;
        c->def = (uint16_t *)s.def.data;
        c->rep = (uint16_t *)s.rep.data;
        c->ints = (int64_t *)s.ints.data;
        c->offsets = (uint32_t *)s.offsets.data;
        c->bytes = s.bytes.data;
        c->n_values = l->phys == PHYS_BYTE_ARRAY ? s.offsets.len / 4 - 1 : s.ints.len / 8;
        if (ok && l->max_rep == 0 && (int64_t)c->n_levels != f.rows)
            ok = 0;
        if (!ok)
            st = dsgi_fail(err, DSG_EIO, "%s: column %s cannot be read (corrupt or an unsupported encoding)",
                           what, paths[k]);
    }
    if (st == DSG_OK)
        *rows = (uint64_t)f.rows;
    else
        for (size_t k = 0; k < n; k++)
            dsgi_pq_column_free(&out[k]);
    footer_free(&f);
    return st;
}

void dsgi_pq_column_row(dsgi_pq_column *c, size_t *first, size_t *end)
{
    size_t b = c->cur_level, e = b;
    if (c->found && e < c->n_levels) {
        e++;
        while (e < c->n_levels && c->max_rep > 0 && c->rep[e] != 0)
            e++;
    }
    c->cur_level = e;
    *first = b;
    *end = e;
}
