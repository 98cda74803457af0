/*
 * pq_column.c - one leaf column of a Parquet file: values into data pages
 * (PLAIN or RLE_DICTIONARY, data page v1), the chunk's dictionary page,
 * statistics and page index entries.
 *
 * Invariants:
 *  1. A page holds whole rows: pages are cut only between segments, and a
 *     segment ends where the next level starts a row (rep == 0).
 *  2. A page is either dictionary encoded (indices in idx) or PLAIN
 *     (values in plain), never both. Falling back from the dictionary first
 *     finishes the current page; the dictionary then stops growing and is
 *     written, once, before the chunk's data pages.
 *  3. Statistics never lie: min/max cover every non-null, non-NaN value of
 *     the page or chunk; a float page whose values are all NaN has no
 *     min/max, and the chunk then gets no ColumnIndex. A float minimum of
 *     zero is written as -0.0 and a maximum of zero as +0.0.
 *  4. Offsets in the OffsetIndex and the footer are those the bytes
 *     actually land at: the chunk is written at the offset its caller
 *     passes, dictionary page first.
 */
#include "pq_internal.h"

#include <math.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the Parquet encoder assumes a little-endian host"
#endif

#define STATS_MAX_BYTES ((size_t)1 << 30)

void pq_bytes_free(pq_bytes *b)
{
    dsgi_free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

dsg_status pq_bytes_set(pq_bytes *b, const void *p, size_t n, dsg_error *err)
{
    if (n > b->cap) {
        uint8_t *q = dsgi_realloc(b->data, n);
        DSGI_RETURN_IF(q == NULL, err, DSG_ENOMEM, "out of memory (statistics of %zu bytes)", n);
        b->data = q;
        b->cap = n;
    }
    if (n)
        memcpy(b->data, p, n);
    b->len = n;
    return DSG_OK;
}

static void stats_free(pq_stats *s)
{
    pq_bytes_free(&s->min);
    pq_bytes_free(&s->max);
}

static void stats_reset(pq_stats *s)
{
    s->has_minmax = 0;
    s->nulls = 0;
    s->min.len = s->max.len = 0;
}

/* Compares two encoded statistic values of physical type phys. */
static int cmp_encoded(int phys, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    switch (phys) {
    case PQ_BOOLEAN: return (int)a[0] - (int)b[0];
    case PQ_INT32: {
        int32_t x, y;
        memcpy(&x, a, 4);
        memcpy(&y, b, 4);
        return (x > y) - (x < y);
    }
    case PQ_INT64: {
        int64_t x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        return (x > y) - (x < y);
    }
    case PQ_FLOAT: {
        float x, y;
        memcpy(&x, a, 4);
        memcpy(&y, b, 4);
        return (x > y) - (x < y);
    }
    case PQ_DOUBLE: {
        double x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        return (x > y) - (x < y);
    }
    case PQ_CMP_U32: {
        uint32_t x, y;
        memcpy(&x, a, 4);
        memcpy(&y, b, 4);
        return (x > y) - (x < y);
    }
    case PQ_CMP_U64: {
        uint64_t x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        return (x > y) - (x < y);
    }
    case PQ_CMP_FLBA_SIGNED: { /* same width; the sign byte first */
        if (alen > 0 && blen > 0 && (a[0] ^ b[0]) & 0x80)
            return (a[0] & 0x80) ? -1 : 1;
        size_t n = DSGI_MIN(alen, blen);
        int c = n ? memcmp(a, b, n) : 0;
        return c ? c : (alen > blen) - (alen < blen);
    }
    default: {
        /* an empty statistic value has no buffer: never memcmp(NULL, ...) */
        size_t n = DSGI_MIN(alen, blen);
        int c = n ? memcmp(a, b, n) : 0;
        return c ? c : (alen > blen) - (alen < blen);
    }
    }
}

/* Merges the min/max candidates (encoded) into s. */
static dsg_status stats_merge(int phys, pq_stats *s, const void *mn, size_t mn_len, const void *mx,
                              size_t mx_len, dsg_error *err)
{
    if (!s->has_minmax) {
        DSGI_FORWARD(pq_bytes_set(&s->min, mn, mn_len, err));
        DSGI_FORWARD(pq_bytes_set(&s->max, mx, mx_len, err));
        s->has_minmax = 1;
        return DSG_OK;
    }
    if (cmp_encoded(phys, mn, mn_len, s->min.data, s->min.len) < 0)
        DSGI_FORWARD(pq_bytes_set(&s->min, mn, mn_len, err));
    if (cmp_encoded(phys, mx, mx_len, s->max.data, s->max.len) > 0)
        DSGI_FORWARD(pq_bytes_set(&s->max, mx, mx_len, err));
    return DSG_OK;
}

/* Parquet's rule for floating zero: min -0.0, max +0.0. */
static void normalize_zero(int phys, uint8_t *mn, uint8_t *mx)
{
    if (phys == PQ_FLOAT) {
        float a, b;
        memcpy(&a, mn, 4);
        memcpy(&b, mx, 4);
        if (a == 0.0f)
            a = -0.0f;
        if (b == 0.0f)
            b = 0.0f;
        memcpy(mn, &a, 4);
        memcpy(mx, &b, 4);
    } else if (phys == PQ_DOUBLE) {
        double a, b;
        memcpy(&a, mn, 8);
        memcpy(&b, mx, 8);
        if (a == 0.0)
            a = -0.0;
        if (b == 0.0)
            b = 0.0;
        memcpy(mn, &a, 8);
        memcpy(mx, &b, 8);
    }
}

void pq_write_statistics(dsgi_thrift *t, int16_t id, const pq_stats *s)
{
    dsgi_thrift_field(t, id, DSGI_TT_STRUCT);
    dsgi_thrift_struct_begin(t);
    dsgi_thrift_field_i64(t, 3, (int64_t)s->nulls);
    if (s->has_minmax) {
        dsgi_thrift_field_binary(t, 5, s->max.data, s->max.len);
        dsgi_thrift_field_binary(t, 6, s->min.data, s->min.len);
        dsgi_thrift_field_bool(t, 7, 1);
        dsgi_thrift_field_bool(t, 8, 1);
    }
    dsgi_thrift_struct_end(t);
}

/* ---- dictionary ---- */

static uint64_t hash_bytes(const uint8_t *p, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (n * 0xC2B2AE3D27D4EB4Full);
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xFF51AFD7ED558CCDull;
        h ^= h >> 32;
        p += 8;
        n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, p, n);
    h = (h ^ w) * 0xC4CEB9FE1A85EC53ull;
    h ^= h >> 29;
    h *= 0x9E3779B97F4A7C15ull;
    return h ^ (h >> 32);
}

static inline uint64_t hash_fixed(uint64_t key)
{
    key ^= key >> 33;
    key *= 0xFF51AFD7ED558CCDull;
    key ^= key >> 33;
    key *= 0xC4CEB9FE1A85EC53ull;
    return key ^ (key >> 33);
}

static void dict_reset(pq_dict *d)
{
    if (d->slots)
        memset(d->slots, 0, d->n_slots * sizeof *d->slots);
    d->count = 0;
    d->last_entry = 0;
    dsgi_buf_reset(&d->plain);
}

static void dict_free(pq_dict *d)
{
    dsgi_free(d->slots);
    dsgi_free(d->str_off);
    dsgi_buf_free(&d->plain);
    memset(d, 0, sizeof *d);
}

/* Doubles the table (or creates it) and reinserts every slot. A slot's
 * position comes from hash_fixed(key) for fixed-width values and from the
 * stored hash itself for byte arrays. */
static dsg_status dict_grow(pq_dict *d, int fixed, dsg_error *err)
{
    size_t n = d->n_slots ? d->n_slots * 2 : 4096;
    pq_slot *slots = dsgi_calloc(n, sizeof *slots);
    DSGI_RETURN_IF(slots == NULL, err, DSG_ENOMEM, "out of memory (dictionary of %u entries)",
                   d->count);
    for (size_t i = 0; i < d->n_slots; i++) {
        const pq_slot *s = &d->slots[i];
        if (s->entry == 0)
            continue;
        size_t at = (size_t)(fixed ? hash_fixed(s->key) : s->key) & (n - 1);
        while (slots[at].entry != 0)
            at = (at + 1) & (n - 1);
        slots[at] = *s;
    }
    dsgi_free(d->slots);
    d->slots = slots;
    d->n_slots = n;
    return DSG_OK;
}

/* Index of a fixed-width value (its bits in key, 'width' bytes), inserting
 * it if new. Consecutive equal values (sorted keys) skip the table. */
static inline dsg_status dict_fixed(pq_dict *d, uint64_t key, size_t width, uint32_t *out,
                                    dsg_error *err)
{
    if (d->last_entry != 0 && d->last_key == key) {
        *out = d->last_entry - 1;
        return DSG_OK;
    }
    if (DSGI_UNLIKELY((size_t)d->count * 2 >= d->n_slots))
        DSGI_FORWARD(dict_grow(d, 1, err));
    size_t mask = d->n_slots - 1;
    size_t at = (size_t)hash_fixed(key) & mask;
    for (;;) {
        pq_slot *s = &d->slots[at];
        if (s->entry == 0)
            break;
        if (s->key == key) {
            *out = s->entry - 1;
            d->last_key = key;
            d->last_entry = s->entry;
            return DSG_OK;
        }
        at = (at + 1) & mask;
    }
    DSGI_FORWARD(dsgi_buf_append(&d->plain, &key, width, err));
    d->slots[at].key = key;
    d->slots[at].entry = ++d->count;
    d->last_key = key;
    d->last_entry = d->count;
    *out = d->count - 1;
    return DSG_OK;
}

static dsg_status dict_bytes_find(pq_dict *d, const uint8_t *p, uint32_t n, uint32_t *out,
                                  dsg_error *err)
{
    if (DSGI_UNLIKELY((size_t)d->count * 2 >= d->n_slots))
        DSGI_FORWARD(dict_grow(d, 0, err));
    uint64_t h = hash_bytes(p, n);
    size_t mask = d->n_slots - 1;
    size_t at = (size_t)h & mask;
    for (;;) {
        const pq_slot *s = &d->slots[at];
        if (s->entry == 0)
            break;
        if (s->key == h) {
            const uint8_t *e = d->plain.data + d->str_off[s->entry - 1];
            uint32_t len;
            memcpy(&len, e, 4);
            if (len == n && (n == 0 || memcmp(e + 4, p, n) == 0)) {
                *out = s->entry - 1;
                return DSG_OK;
            }
        }
        at = (at + 1) & mask;
    }
    if (d->count >= d->str_cap) {
        size_t cap = d->str_cap ? d->str_cap * 2 : 1024;
        uint32_t *q = dsgi_realloc(d->str_off, cap * sizeof *q);
        DSGI_RETURN_IF(q == NULL, err, DSG_ENOMEM, "out of memory (dictionary)");
        d->str_off = q;
        d->str_cap = cap;
    }
    DSGI_RETURN_IF(d->plain.len > UINT32_MAX - 4 - (size_t)n, err, DSG_ENOMEM,
                   "dictionary too large");
    DSGI_FORWARD(dsgi_buf_reserve(&d->plain, 4 + (size_t)n, err));
    d->str_off[d->count] = (uint32_t)d->plain.len;
    dsgi_buf_put(&d->plain, &n, 4);
    if (n)
        dsgi_buf_put(&d->plain, p, n);
    d->slots[at].key = h;
    d->slots[at].entry = ++d->count;
    *out = d->count - 1;
    return DSG_OK;
}

/* ---- leaf lifecycle ---- */

dsg_status pq_leaf_init(pq_leaf *l, dsg_error *err)
{
    (void)err;
    dsgi_buf_init(&l->plain, PQ_MAX_PAGE_BYTES * 2);
    dsgi_buf_init(&l->dict.plain, (size_t)UINT32_MAX);
    dsgi_buf_init(&l->pages, (size_t)1 << 40);
    dsgi_buf_init(&l->page_minmax, (size_t)1 << 40);
    l->dict_on = l->dict_allowed;
    l->column_index_ok = 1;
    return DSG_OK;
}

void pq_leaf_free(pq_leaf *l)
{
    for (size_t i = 0; i < l->path_len; i++)
        dsgi_free(l->path[i]);
    dsgi_free(l->path);
    dsgi_free(l->def);
    dsgi_free(l->rep);
    dsgi_free(l->idx);
    dsgi_buf_free(&l->plain);
    stats_free(&l->page_stats);
    dict_free(&l->dict);
    dsgi_buf_free(&l->pages);
    stats_free(&l->chunk_stats);
    stats_free(&l->file_stats);
    dsgi_free(l->entries);
    dsgi_buf_free(&l->page_minmax);
    dsgi_free(l->narrow);
}

void pq_leaf_file_finish(pq_leaf *l)
{
    if (l->file_stats.has_minmax)
        normalize_zero(l->phys, l->file_stats.min.data, l->file_stats.max.data);
}

void pq_chunk_meta_free(pq_chunk_meta *m)
{
    stats_free(&m->stats);
    pq_bytes_free(&m->column_index);
    pq_bytes_free(&m->offset_index);
}

static size_t page_estimate(const pq_leaf *l)
{
    size_t levels = (l->max_def || l->max_rep) ? l->n_levels / 2 : 0;
    if (l->dict_on)
        return levels + l->n_idx * (size_t)(dsgi_bit_width(l->dict.count) + 1) / 8;
    return levels + l->plain.len;
}

size_t pq_leaf_estimate(const pq_leaf *l)
{
    return l->pages.len + page_estimate(l) + l->dict.plain.len;
}

/* ---- pages ---- */

static dsg_status put_levels(dsgi_buf *body, const uint16_t *levels, size_t n, int16_t max_level,
                             dsg_error *err)
{
    int bw = dsgi_bit_width((uint64_t)max_level);
    DSGI_FORWARD(dsgi_buf_reserve(body, 4 + dsgi_rle_bound(n, bw), err));
    uint8_t *len_at = body->data + body->len;
    body->len += 4;
    size_t len = dsgi_rle_encode_u16(levels, n, bw, body->data + body->len);
    dsgi_store_le32(len_at, (uint32_t)len);
    body->len += len;
    return DSG_OK;
}

/* Compresses scratch.body into scratch.packed. */
static dsg_status compress_body(pq_context *ctx, dsg_error *err)
{
    pq_scratch *s = &ctx->scratch;
    dsgi_buf_reset(&s->packed);
    DSGI_RETURN_IF(s->body.len > PQ_MAX_PAGE_BYTES, err, DSG_EINVAL,
                   "a page would hold %zu bytes, more than Parquet allows", s->body.len);
    size_t bound = dsgi_codec_bound(ctx->codec, s->body.len);
    DSGI_FORWARD(dsgi_buf_reserve(&s->packed, bound, err));
    size_t n = 0;
    DSGI_FORWARD(dsgi_codec_compress(ctx->codec, s->body.data, s->body.len, s->packed.data, &n, err));
    s->packed.len = n;
    return DSG_OK;
}

static dsg_status finish_page(pq_context *ctx, pq_leaf *l, dsg_error *err)
{
    if (l->n_levels == 0)
        return DSG_OK;
    pq_scratch *s = &ctx->scratch;
    dsgi_buf_reset(&s->body);
    if (l->max_rep > 0)
        DSGI_FORWARD(put_levels(&s->body, l->rep, l->n_levels, l->max_rep, err));
    if (l->max_def > 0)
        DSGI_FORWARD(put_levels(&s->body, l->def, l->n_levels, l->max_def, err));
    int use_dict = l->dict_on && l->page_values > 0;
    if (use_dict) {
        int bw = DSGI_MAX(1, dsgi_bit_width(l->dict.count - 1));
        DSGI_FORWARD(dsgi_buf_reserve(&s->body, 1 + dsgi_rle_bound(l->n_idx, bw), err));
        dsgi_buf_put_u8(&s->body, (uint8_t)bw);
        s->body.len += dsgi_rle_encode_u32(l->idx, l->n_idx, bw, s->body.data + s->body.len);
    } else {
        if (l->bool_bits > 0) {
            DSGI_FORWARD(dsgi_buf_append(&l->plain, &l->bool_acc, (size_t)(l->bool_bits + 7) / 8, err));
            l->bool_acc = 0;
            l->bool_bits = 0;
        }
        DSGI_FORWARD(dsgi_buf_append(&s->body, l->plain.data, l->plain.len, err));
    }
    DSGI_FORWARD(compress_body(ctx, err));

    dsgi_thrift t;
    dsgi_buf_reset(&s->header);
    dsgi_thrift_init(&t, &s->header, err);
    dsgi_thrift_struct_begin(&t);
    dsgi_thrift_field_i32(&t, 1, PQ_PAGE_DATA);
    dsgi_thrift_field_i32(&t, 2, (int32_t)s->body.len);
    dsgi_thrift_field_i32(&t, 3, (int32_t)s->packed.len);
    dsgi_thrift_field(&t, 5, DSGI_TT_STRUCT);
    dsgi_thrift_struct_begin(&t);
    dsgi_thrift_field_i32(&t, 1, (int32_t)l->n_levels);
    dsgi_thrift_field_i32(&t, 2, use_dict ? PQ_ENC_RLE_DICTIONARY : PQ_ENC_PLAIN);
    dsgi_thrift_field_i32(&t, 3, PQ_ENC_RLE);
    dsgi_thrift_field_i32(&t, 4, PQ_ENC_RLE);
    dsgi_thrift_struct_end(&t);
    dsgi_thrift_struct_end(&t);
    DSGI_FORWARD(t.status);

    /* page index entry */
    if (l->n_entries == l->entries_cap) {
        size_t cap = l->entries_cap ? l->entries_cap * 2 : 16;
        pq_page_entry *e = dsgi_realloc(l->entries, cap * sizeof *e);
        DSGI_RETURN_IF(e == NULL, err, DSG_ENOMEM, "out of memory (page index)");
        l->entries = e;
        l->entries_cap = cap;
    }
    pq_page_entry *e = &l->entries[l->n_entries];
    memset(e, 0, sizeof *e);
    e->offset = l->pages.len;
    e->size = (uint32_t)(s->header.len + s->packed.len);
    e->first_row = l->chunk_rows;
    e->nulls = l->page_stats.nulls;
    e->null_page = l->page_values == 0;
    e->has_minmax = l->page_stats.has_minmax;
    if (e->has_minmax) {
        e->min_off = l->page_minmax.len;
        e->min_len = l->page_stats.min.len;
        DSGI_FORWARD(dsgi_buf_append(&l->page_minmax, l->page_stats.min.data, e->min_len, err));
        e->max_off = l->page_minmax.len;
        e->max_len = l->page_stats.max.len;
        DSGI_FORWARD(dsgi_buf_append(&l->page_minmax, l->page_stats.max.data, e->max_len, err));
        normalize_zero(l->phys, l->page_minmax.data + e->min_off, l->page_minmax.data + e->max_off);
        DSGI_FORWARD(stats_merge(l->cmp, &l->chunk_stats, l->page_stats.min.data, l->page_stats.min.len,
                                 l->page_stats.max.data, l->page_stats.max.len, err));
    } else if (!e->null_page) {
        l->column_index_ok = 0; /* only NaN: no honest min/max for this page */
    }
    l->n_entries++;

    DSGI_FORWARD(dsgi_buf_append(&l->pages, s->header.data, s->header.len, err));
    DSGI_FORWARD(dsgi_buf_append(&l->pages, s->packed.data, s->packed.len, err));
    l->chunk_stats.nulls += l->page_stats.nulls;
    l->chunk_rows += l->page_rows;
    l->chunk_levels += l->n_levels;
    l->chunk_values += l->page_values;
    l->chunk_uncompressed += s->header.len + s->body.len;
    if (use_dict) {
        l->chunk_enc_dict = 1;
        l->dict_data_pages++;
    } else {
        l->chunk_enc_plain = 1;
        l->plain_data_pages++;
    }

    l->n_levels = 0;
    l->n_idx = 0;
    dsgi_buf_reset(&l->plain);
    l->page_rows = l->page_values = 0;
    stats_reset(&l->page_stats);
    return DSG_OK;
}

/* The dictionary does not pay off when, early in the chunk, four values
 * in five are distinct: PLAIN is then about as small and much faster. The
 * decision depends only on the data, so output stays deterministic. */
#define DICT_PROBE_VALUES 16384

static int dict_hopeless(const pq_leaf *l)
{
    uint64_t seen = l->chunk_values + l->page_values;
    return l->dict_data_pages == 0 && seen >= DICT_PROBE_VALUES &&
           (uint64_t)l->dict.count * 5 > seen * 4;
}

/* ---- values ---- */

static dsg_status reserve_idx(pq_leaf *l, size_t extra, dsg_error *err)
{
    if (l->n_idx + extra <= l->idx_cap)
        return DSG_OK;
    size_t cap = l->idx_cap ? l->idx_cap : 4096;
    while (cap < l->n_idx + extra)
        cap *= 2;
    uint32_t *p = dsgi_realloc(l->idx, cap * sizeof *p);
    DSGI_RETURN_IF(p == NULL, err, DSG_ENOMEM, "out of memory (dictionary indices)");
    l->idx = p;
    l->idx_cap = cap;
    return DSG_OK;
}

/* Encodes count values of a fixed-width type: PHYS_T is the Parquet
 * physical C type, SRC_T the caller's. */
#define DEFINE_ENCODE_FIXED(NAME, SRC_T, PHYS_T, LOWEST, HIGHEST)                          \
    static dsg_status NAME(pq_leaf *l, const dsg_array *a, const uint32_t *pos,            \
                           size_t first, size_t count, dsg_error *err)                     \
    {                                                                                      \
        const SRC_T *src = a->values;                                                      \
        PHYS_T mn = HIGHEST, mx = LOWEST;                                                  \
        size_t nans = 0; /* x != x only for a NaN: always 0 for integers */                \
        if (l->dict_on) {                                                                  \
            DSGI_FORWARD(reserve_idx(l, count, err));                                      \
            for (size_t j = 0; j < count; j++) {                                           \
                PHYS_T x = (PHYS_T)src[pos ? pos[j] : first + j];                          \
                mn = x < mn ? x : mn;                                                      \
                mx = x > mx ? x : mx;                                                      \
                nans += x != x;                                                            \
                uint64_t key = 0;                                                          \
                memcpy(&key, &x, sizeof x);                                                \
                DSGI_FORWARD(dict_fixed(&l->dict, key, sizeof x, &l->idx[l->n_idx++], err)); \
            }                                                                              \
        } else {                                                                           \
            DSGI_FORWARD(dsgi_buf_reserve(&l->plain, count * sizeof(PHYS_T), err));        \
            PHYS_T *out = (PHYS_T *)(void *)(l->plain.data + l->plain.len);                \
            for (size_t j = 0; j < count; j++) {                                           \
                PHYS_T x = (PHYS_T)src[pos ? pos[j] : first + j];                          \
                mn = x < mn ? x : mn;                                                      \
                mx = x > mx ? x : mx;                                                      \
                nans += x != x;                                                            \
                memcpy(&out[j], &x, sizeof x);                                             \
            }                                                                              \
            l->plain.len += count * sizeof(PHYS_T);                                        \
        }                                                                                  \
        l->file_nans += nans;                                                              \
        /* For floats, NaN fails every comparison, so it never becomes min or            \
         * max; with no other value, mn > mx and there is no min/max. */                 \
        if (count > 0 && mn <= mx)                                                         \
            DSGI_FORWARD(stats_merge(l->cmp, &l->page_stats, &mn, sizeof mn, &mx, sizeof mx, err)); \
        return DSG_OK;                                                                     \
    }

DEFINE_ENCODE_FIXED(encode_i8, int8_t, int32_t, INT32_MIN, INT32_MAX)
DEFINE_ENCODE_FIXED(encode_i16, int16_t, int32_t, INT32_MIN, INT32_MAX)
DEFINE_ENCODE_FIXED(encode_i32, int32_t, int32_t, INT32_MIN, INT32_MAX)
DEFINE_ENCODE_FIXED(encode_i64_as_i32, int64_t, int32_t, INT32_MIN, INT32_MAX)
DEFINE_ENCODE_FIXED(encode_i64, int64_t, int64_t, INT64_MIN, INT64_MAX)
DEFINE_ENCODE_FIXED(encode_f32, float, float, -INFINITY, INFINITY)
DEFINE_ENCODE_FIXED(encode_f64, double, double, -INFINITY, INFINITY)
DEFINE_ENCODE_FIXED(encode_u8, uint8_t, uint32_t, 0, UINT32_MAX)
DEFINE_ENCODE_FIXED(encode_u16, uint16_t, uint32_t, 0, UINT32_MAX)
DEFINE_ENCODE_FIXED(encode_u32, uint32_t, uint32_t, 0, UINT32_MAX)
DEFINE_ENCODE_FIXED(encode_u64, uint64_t, uint64_t, 0, UINT64_MAX)

/* FIXED_LEN_BYTE_ARRAY, PLAIN only (no dictionary): fixed-size binary
 * values as they are, decimal128 values as big-endian two's complement of
 * the column's width (the low bytes of the 16-byte little-endian value;
 * the writer checks that the dropped bytes are the sign extension). */
static dsg_status encode_flba(pq_leaf *l, const dsg_array *a, const uint32_t *pos, size_t first,
                              size_t count, dsg_error *err)
{
    size_t w = (size_t)l->type_length;
    int dec = l->type == DSG_DECIMAL128;
    size_t stride = dec ? 16 : w;
    const uint8_t *src = a->values;
    DSGI_FORWARD(dsgi_buf_reserve(&l->plain, count * w, err));
    uint8_t *out = l->plain.data + l->plain.len;
    const uint8_t *mn = NULL, *mx = NULL;
    for (size_t j = 0; j < count; j++) {
        const uint8_t *v = src + (pos ? pos[j] : first + j) * stride;
        uint8_t *o = out + j * w;
        if (dec) {
            uint8_t ext = (v[w - 1] & 0x80) ? 0xFF : 0x00;
            for (size_t k = w; k < 16; k++)
                DSGI_RETURN_IF(v[k] != ext, err, DSG_ETYPE,
                               "a value does not fit DECIMAL(%d, %d) of column %s", l->precision,
                               l->scale, l->path[l->path_len - 1]);
            for (size_t k = 0; k < w; k++)
                o[k] = v[w - 1 - k];
        } else {
            memcpy(o, v, w);
        }
        if (mn == NULL || cmp_encoded(l->cmp, o, w, mn, w) < 0)
            mn = o;
        if (mx == NULL || cmp_encoded(l->cmp, o, w, mx, w) > 0)
            mx = o;
    }
    l->plain.len += count * w;
    if (count > 0)
        DSGI_FORWARD(stats_merge(l->cmp, &l->page_stats, mn, w, mx, w, err));
    return DSG_OK;
}

/* DECIMAL128 of precision up to 18 (INT32 or INT64): the low 64 bits,
 * once the high ones are checked to be their sign extension. */
static dsg_status encode_dec128_narrow(pq_leaf *l, const dsg_array *a, const uint32_t *pos,
                                       size_t first, size_t count, dsg_error *err)
{
    if (count > l->narrow_cap) {
        int64_t *p = dsgi_realloc(l->narrow, count * sizeof *p);
        DSGI_RETURN_IF(p == NULL, err, DSG_ENOMEM, "out of memory (decimals)");
        l->narrow = p;
        l->narrow_cap = count;
    }
    int64_t limit = 1;
    for (int i = 0; i < l->precision; i++)
        limit *= 10;
    const uint8_t *src = a->values;
    for (size_t j = 0; j < count; j++) {
        int64_t lo, hi;
        const uint8_t *v = src + (size_t)(pos ? pos[j] : first + j) * 16;
        memcpy(&lo, v, 8);
        memcpy(&hi, v + 8, 8);
        DSGI_RETURN_IF(hi != (lo < 0 ? -1 : 0) || lo <= -limit || lo >= limit, err, DSG_ETYPE,
                       "a value does not fit DECIMAL(%d, %d) of column %s", l->precision, l->scale,
                       l->path[l->path_len - 1]);
        l->narrow[j] = lo;
    }
    dsg_array tmp = {.type = DSG_INT64, .length = count, .values = l->narrow};
    if (l->phys == PQ_INT32)
        return encode_i64_as_i32(l, &tmp, NULL, 0, count, err);
    return encode_i64(l, &tmp, NULL, 0, count, err);
}

static dsg_status encode_bool(pq_leaf *l, const dsg_array *a, const uint32_t *pos, size_t first,
                              size_t count, dsg_error *err)
{
    const uint8_t *src = a->values;
    uint8_t mn = 1, mx = 0;
    DSGI_FORWARD(dsgi_buf_reserve(&l->plain, count / 8 + 16, err));
    for (size_t j = 0; j < count; j++) {
        uint8_t x = src[pos ? pos[j] : first + j] != 0;
        mn &= x;
        mx |= x;
        l->bool_acc |= (uint64_t)x << l->bool_bits;
        if (++l->bool_bits == 64) {
            dsgi_buf_put(&l->plain, &l->bool_acc, 8);
            l->bool_acc = 0;
            l->bool_bits = 0;
        }
    }
    if (count > 0)
        DSGI_FORWARD(stats_merge(PQ_BOOLEAN, &l->page_stats, &mn, 1, &mx, 1, err));
    return DSG_OK;
}

static dsg_status encode_bytes(pq_leaf *l, const dsg_array *a, const uint32_t *pos, size_t first,
                               size_t count, dsg_error *err)
{
    const int32_t *off = a->offsets;
    /* data may be NULL when every string is empty; memcpy, memcmp and the
     * hash must never see a null pointer, even for zero bytes */
    const uint8_t *data = a->data ? (const uint8_t *)a->data : (const uint8_t *)"";
    const uint8_t *mn = NULL, *mx = NULL;
    uint32_t mn_len = 0, mx_len = 0;
    if (l->dict_on) {
        DSGI_FORWARD(reserve_idx(l, count, err));
    } else {
        size_t total = 0;
        for (size_t j = 0; j < count; j++) {
            size_t at = pos ? pos[j] : first + j;
            total += 4 + (size_t)(off[at + 1] - off[at]);
        }
        DSGI_FORWARD(dsgi_buf_reserve(&l->plain, total, err));
    }
    for (size_t j = 0; j < count; j++) {
        size_t at = pos ? pos[j] : first + j;
        const uint8_t *p = data + off[at];
        uint32_t n = (uint32_t)(off[at + 1] - off[at]);
        if (mn == NULL || cmp_encoded(PQ_BYTE_ARRAY, p, n, mn, mn_len) < 0) {
            mn = p;
            mn_len = n;
        }
        if (mx == NULL || cmp_encoded(PQ_BYTE_ARRAY, p, n, mx, mx_len) > 0) {
            mx = p;
            mx_len = n;
        }
        if (l->dict_on) {
            DSGI_FORWARD(dict_bytes_find(&l->dict, p, n, &l->idx[l->n_idx++], err));
        } else {
            dsgi_buf_put(&l->plain, &n, 4);
            if (n)
                dsgi_buf_put(&l->plain, p, n);
        }
    }
    if (count > 0)
        DSGI_FORWARD(stats_merge(PQ_BYTE_ARRAY, &l->page_stats, mn, mn_len, mx, mx_len, err));
    return DSG_OK;
}

static dsg_status check_decimals(const pq_leaf *l, const dsg_array *a, const uint32_t *pos,
                                 size_t first, size_t count, dsg_error *err)
{
    int64_t limit = 1;
    for (int i = 0; i < l->precision; i++)
        limit *= 10;
    const int64_t *src = a->values;
    for (size_t j = 0; j < count; j++) {
        int64_t x = src[pos ? pos[j] : first + j];
        DSGI_RETURN_IF(x <= -limit || x >= limit, err, DSG_ETYPE,
                       "value %lld does not fit DECIMAL(%d, %d) of column %s", (long long)x,
                       l->precision, l->scale, l->path[l->path_len - 1]);
    }
    return DSG_OK;
}

static dsg_status encode_values(pq_leaf *l, const dsg_array *a, const uint32_t *pos, size_t first,
                                size_t count, dsg_error *err)
{
    switch (l->type) {
    case DSG_BOOL: return encode_bool(l, a, pos, first, count, err);
    case DSG_INT8: return encode_i8(l, a, pos, first, count, err);
    case DSG_INT16: return encode_i16(l, a, pos, first, count, err);
    case DSG_INT32:
    case DSG_DATE: return encode_i32(l, a, pos, first, count, err);
    case DSG_INT64:
    case DSG_TIMESTAMP:
    case DSG_DURATION: return encode_i64(l, a, pos, first, count, err);
    case DSG_FLOAT: return encode_f32(l, a, pos, first, count, err);
    case DSG_DOUBLE: return encode_f64(l, a, pos, first, count, err);
    case DSG_STRING:
    case DSG_BINARY: return encode_bytes(l, a, pos, first, count, err);
    case DSG_UINT8: return encode_u8(l, a, pos, first, count, err);
    case DSG_UINT16: return encode_u16(l, a, pos, first, count, err);
    case DSG_UINT32: return encode_u32(l, a, pos, first, count, err);
    case DSG_UINT64: return encode_u64(l, a, pos, first, count, err);
    case DSG_TIME_MS: return encode_i32(l, a, pos, first, count, err);
    case DSG_TIME_US:
    case DSG_TIME_NS:
    case DSG_TIMESTAMP_MS:
    case DSG_TIMESTAMP_NS: return encode_i64(l, a, pos, first, count, err);
    case DSG_FIXED_BINARY: return encode_flba(l, a, pos, first, count, err);
    case DSG_DECIMAL128:
        if (l->phys == PQ_FIXED_LEN_BYTE_ARRAY)
            return encode_flba(l, a, pos, first, count, err);
        return encode_dec128_narrow(l, a, pos, first, count, err);
    case DSG_NULL: return count == 0 ? DSG_OK : dsgi_fail(err, DSG_EINTERNAL, "a null column has a value");
    case DSG_DECIMAL:
        DSGI_FORWARD(check_decimals(l, a, pos, first, count, err));
        if (l->phys == PQ_INT32)
            return encode_i64_as_i32(l, a, pos, first, count, err);
        return encode_i64(l, a, pos, first, count, err);
    default: break;
    }
    return dsgi_fail(err, DSG_EINTERNAL, "no encoder for type %d", (int)l->type);
}

static dsg_status reserve_levels(pq_leaf *l, size_t extra, dsg_error *err)
{
    if (l->n_levels + extra <= l->levels_cap)
        return DSG_OK;
    size_t cap = l->levels_cap ? l->levels_cap : 4096;
    while (cap < l->n_levels + extra)
        cap *= 2;
    if (l->max_def > 0) {
        uint16_t *p = dsgi_realloc(l->def, cap * sizeof *p);
        DSGI_RETURN_IF(p == NULL, err, DSG_ENOMEM, "out of memory (levels)");
        l->def = p;
    }
    if (l->max_rep > 0) {
        uint16_t *p = dsgi_realloc(l->rep, cap * sizeof *p);
        DSGI_RETURN_IF(p == NULL, err, DSG_ENOMEM, "out of memory (levels)");
        l->rep = p;
    }
    l->levels_cap = cap;
    return DSG_OK;
}

static dsg_status reserve_pos(pq_context *ctx, size_t n, dsg_error *err)
{
    if (n <= ctx->pos_cap)
        return DSG_OK;
    size_t cap = ctx->pos_cap ? ctx->pos_cap : PQ_SEGMENT_LEVELS;
    while (cap < n)
        cap *= 2;
    uint32_t *p = dsgi_realloc(ctx->pos, cap * sizeof *p);
    DSGI_RETURN_IF(p == NULL, err, DSG_ENOMEM, "out of memory");
    ctx->pos = p;
    ctx->pos_cap = cap;
    return DSG_OK;
}

dsg_status pq_leaf_append(pq_context *ctx, pq_leaf *l, const uint16_t *def, const uint16_t *rep,
                          size_t n, const pq_values *v, dsg_error *err)
{
    size_t consumed = 0; /* values used from v->pos */
    size_t i = 0;
    while (i < n) {
        size_t end = DSGI_MIN(n, i + PQ_SEGMENT_LEVELS);
        if (rep != NULL)
            while (end < n && rep[end] != 0)
                end++;
        size_t len = end - i;
        if (l->dict_on && (l->dict.plain.len >= ctx->dict_bytes || dict_hopeless(l))) {
            DSGI_FORWARD(finish_page(ctx, l, err));
            l->dict_on = 0;
        }
        DSGI_FORWARD(reserve_levels(l, len, err));
        size_t rows = len, values = len;
        if (l->max_def > 0) {
            if (def != NULL) {
                memcpy(l->def + l->n_levels, def + i, len * sizeof *def);
                values = 0;
                for (size_t j = i; j < end; j++)
                    values += def[j] == l->max_def;
            } else {
                for (size_t j = 0; j < len; j++)
                    l->def[l->n_levels + j] = (uint16_t)l->max_def;
            }
        }
        if (l->max_rep > 0) {
            if (rep != NULL) {
                memcpy(l->rep + l->n_levels, rep + i, len * sizeof *rep);
                rows = 0;
                for (size_t j = i; j < end; j++)
                    rows += rep[j] == 0;
            } else {
                memset(l->rep + l->n_levels, 0, len * sizeof *rep);
            }
        }
        const uint32_t *pos = NULL;
        if (v->pos != NULL) {
            pos = v->pos + consumed;
            consumed += values;
        } else if (values != len) {
            DSGI_FORWARD(reserve_pos(ctx, values, err));
            size_t k = 0;
            for (size_t j = i; j < end; j++)
                if (def[j] == l->max_def)
                    ctx->pos[k++] = (uint32_t)(v->start + j);
            pos = ctx->pos;
        }
        DSGI_FORWARD(encode_values(l, v->array, pos, v->start + i, values, err));
        l->n_levels += len;
        l->page_rows += rows;
        l->page_values += values;
        l->page_stats.nulls += len - values;
        if (page_estimate(l) >= ctx->page_bytes)
            DSGI_FORWARD(finish_page(ctx, l, err));
        i = end;
    }
    return DSG_OK;
}

/* ---- chunk ---- */

static dsg_status write_out(dsg_sink *sink, const void *p, size_t n, dsg_error *err)
{
    return sink->ops->write(sink, p, n, err);
}

static dsg_status serialize_indexes(pq_leaf *l, pq_chunk_meta *m, dsg_error *err)
{
    dsgi_buf b;
    dsgi_thrift t;
    dsgi_buf_init(&b, (size_t)1 << 31);

    /* OffsetIndex */
    dsgi_thrift_init(&t, &b, err);
    dsgi_thrift_struct_begin(&t);
    dsgi_thrift_field(&t, 1, DSGI_TT_LIST);
    dsgi_thrift_list_begin(&t, DSGI_TT_STRUCT, (uint32_t)l->n_entries);
    for (size_t i = 0; i < l->n_entries; i++) {
        const pq_page_entry *e = &l->entries[i];
        dsgi_thrift_struct_begin(&t);
        dsgi_thrift_field_i64(&t, 1, m->data_page_offset + (int64_t)e->offset);
        dsgi_thrift_field_i32(&t, 2, (int32_t)e->size);
        dsgi_thrift_field_i64(&t, 3, (int64_t)e->first_row);
        dsgi_thrift_struct_end(&t);
    }
    dsgi_thrift_struct_end(&t);
    dsg_status st = t.status;
    if (st == DSG_OK)
        st = pq_bytes_set(&m->offset_index, b.data, b.len, err);

    /* ColumnIndex */
    if (st == DSG_OK && l->column_index_ok) {
        int asc = 1, desc = 1;
        const pq_page_entry *prev = NULL;
        for (size_t i = 0; i < l->n_entries; i++) {
            const pq_page_entry *e = &l->entries[i];
            if (!e->has_minmax)
                continue;
            if (prev != NULL) {
                const uint8_t *mm = l->page_minmax.data;
                int cmin = cmp_encoded(l->cmp, mm + prev->min_off, prev->min_len, mm + e->min_off, e->min_len);
                int cmax = cmp_encoded(l->cmp, mm + prev->max_off, prev->max_len, mm + e->max_off, e->max_len);
                asc &= cmin <= 0 && cmax <= 0;
                desc &= cmin >= 0 && cmax >= 0;
            }
            prev = e;
        }
        dsgi_buf_reset(&b);
        dsgi_thrift_init(&t, &b, err);
        dsgi_thrift_struct_begin(&t);
        dsgi_thrift_field(&t, 1, DSGI_TT_LIST);
        dsgi_thrift_list_begin(&t, DSGI_TT_BOOL_TRUE, (uint32_t)l->n_entries);
        for (size_t i = 0; i < l->n_entries; i++)
            dsgi_thrift_bool(&t, l->entries[i].null_page);
        for (int16_t field = 2; field <= 3; field++) {
            dsgi_thrift_field(&t, field, DSGI_TT_LIST);
            dsgi_thrift_list_begin(&t, DSGI_TT_BINARY, (uint32_t)l->n_entries);
            for (size_t i = 0; i < l->n_entries; i++) {
                const pq_page_entry *e = &l->entries[i];
                size_t off = field == 2 ? e->min_off : e->max_off;
                size_t len = field == 2 ? e->min_len : e->max_len;
                dsgi_thrift_binary(&t, l->page_minmax.data + off, e->has_minmax ? len : 0);
            }
        }
        dsgi_thrift_field_i32(&t, 4, asc ? 1 : desc ? 2 : 0);
        dsgi_thrift_field(&t, 5, DSGI_TT_LIST);
        dsgi_thrift_list_begin(&t, DSGI_TT_I64, (uint32_t)l->n_entries);
        for (size_t i = 0; i < l->n_entries; i++)
            dsgi_thrift_i64(&t, (int64_t)l->entries[i].nulls);
        dsgi_thrift_struct_end(&t);
        st = t.status;
        if (st == DSG_OK)
            st = pq_bytes_set(&m->column_index, b.data, b.len, err);
    }
    dsgi_buf_free(&b);
    return st;
}

dsg_status pq_leaf_flush(pq_context *ctx, pq_leaf *l, dsg_sink *sink, int64_t offset,
                         pq_chunk_meta *m, dsg_error *err)
{
    DSGI_FORWARD(finish_page(ctx, l, err));
    memset(m, 0, sizeof *m);
    m->dictionary_page_offset = -1;
    int64_t at = offset;
    if (l->dict_data_pages > 0) {
        pq_scratch *s = &ctx->scratch;
        dsgi_buf_reset(&s->body);
        DSGI_FORWARD(dsgi_buf_append(&s->body, l->dict.plain.data, l->dict.plain.len, err));
        DSGI_FORWARD(compress_body(ctx, err));
        dsgi_thrift t;
        dsgi_buf_reset(&s->header);
        dsgi_thrift_init(&t, &s->header, err);
        dsgi_thrift_struct_begin(&t);
        dsgi_thrift_field_i32(&t, 1, PQ_PAGE_DICTIONARY);
        dsgi_thrift_field_i32(&t, 2, (int32_t)s->body.len);
        dsgi_thrift_field_i32(&t, 3, (int32_t)s->packed.len);
        dsgi_thrift_field(&t, 7, DSGI_TT_STRUCT);
        dsgi_thrift_struct_begin(&t);
        dsgi_thrift_field_i32(&t, 1, (int32_t)l->dict.count);
        dsgi_thrift_field_i32(&t, 2, PQ_ENC_PLAIN);
        dsgi_thrift_struct_end(&t);
        dsgi_thrift_struct_end(&t);
        DSGI_FORWARD(t.status);
        DSGI_FORWARD(write_out(sink, s->header.data, s->header.len, err));
        DSGI_FORWARD(write_out(sink, s->packed.data, s->packed.len, err));
        m->dictionary_page_offset = at;
        at += (int64_t)(s->header.len + s->packed.len);
        m->total_uncompressed += (int64_t)(s->header.len + s->body.len);
    }
    m->data_page_offset = at;
    DSGI_FORWARD(write_out(sink, l->pages.data, l->pages.len, err));
    at += (int64_t)l->pages.len;
    m->total_compressed = at - offset;
    m->total_uncompressed += (int64_t)l->chunk_uncompressed;
    m->num_values = (int64_t)l->chunk_levels;
    m->enc_plain = l->chunk_enc_plain || l->dict_data_pages > 0;
    m->enc_rle = l->max_def > 0 || l->max_rep > 0;
    m->enc_dict = l->chunk_enc_dict;
    m->dict_data_pages = l->dict_data_pages;
    m->plain_data_pages = l->plain_data_pages;
    m->stats.nulls = l->chunk_stats.nulls;
    if (l->chunk_stats.has_minmax) {
        DSGI_FORWARD(pq_bytes_set(&m->stats.min, l->chunk_stats.min.data, l->chunk_stats.min.len, err));
        DSGI_FORWARD(pq_bytes_set(&m->stats.max, l->chunk_stats.max.data, l->chunk_stats.max.len, err));
        m->stats.has_minmax = 1;
        normalize_zero(l->phys, m->stats.min.data, m->stats.max.data);
    }
    DSGI_FORWARD(serialize_indexes(l, m, err));

    /* the file's statistics */
    l->file_levels += l->chunk_levels;
    l->file_stats.nulls += l->chunk_stats.nulls;
    if (l->chunk_stats.has_minmax)
        DSGI_FORWARD(stats_merge(l->phys, &l->file_stats, l->chunk_stats.min.data, l->chunk_stats.min.len,
                                 l->chunk_stats.max.data, l->chunk_stats.max.len, err));

    /* reset for the next row group */
    dsgi_buf_reset(&l->pages);
    dsgi_buf_reset(&l->page_minmax);
    dict_reset(&l->dict);
    l->dict_on = l->dict_allowed;
    l->chunk_rows = l->chunk_levels = l->chunk_values = l->chunk_uncompressed = 0;
    l->chunk_enc_plain = l->chunk_enc_dict = 0;
    l->dict_data_pages = l->plain_data_pages = 0;
    stats_reset(&l->chunk_stats);
    l->n_entries = 0;
    l->column_index_ok = 1;
    return DSG_OK;
}
