/*
 * pq_internal.h - the Parquet writer's internal structures.
 *
 * Parts: thrift.c (compact protocol), rle.c (levels and indices),
 * pq_column.c (one leaf column: values into pages, dictionary, statistics,
 * page index entries), pq_writer.c (schema, shredding of nested arrays into
 * levels, row groups, footer). parquet/ uses codecs/ and the dsg_sink
 * interface; it never includes datasets/ or a particular sink.
 */
#ifndef DSG_PQ_INTERNAL_H
#define DSG_PQ_INTERNAL_H

#include "codecs/codec.h"
#include "common/common.h"
#include "rle.h"
#include "thrift.h"

/* parquet.thrift enums */
enum { PQ_BOOLEAN = 0, PQ_INT32 = 1, PQ_INT64 = 2, PQ_FLOAT = 4, PQ_DOUBLE = 5, PQ_BYTE_ARRAY = 6,
       PQ_FIXED_LEN_BYTE_ARRAY = 7 };
/* Sort orders of statistics beyond a physical type's own (pq_leaf.cmp):
 * unsigned integers, and FIXED_LEN_BYTE_ARRAY decimals (big-endian
 * two's complement, signed). */
enum { PQ_CMP_U32 = 100, PQ_CMP_U64 = 101, PQ_CMP_FLBA_SIGNED = 102 };
enum { PQ_REQUIRED = 0, PQ_OPTIONAL = 1, PQ_REPEATED = 2 };
enum { PQ_ENC_PLAIN = 0, PQ_ENC_RLE = 3, PQ_ENC_RLE_DICTIONARY = 8 };
enum { PQ_PAGE_DATA = 0, PQ_PAGE_DICTIONARY = 2 };

/* Limits that keep every size representable where Parquet uses i32. */
#define PQ_MAX_PAGE_BYTES ((size_t)1 << 30)
#define PQ_SEGMENT_LEVELS 1024

/* Encoded bytes of one statistic value, owned. */
typedef struct pq_bytes {
    uint8_t *data;
    size_t len, cap;
} pq_bytes;

/* Min/max/nulls of a page or a chunk. Values are kept encoded as Parquet
 * PLAIN (without the length prefix for BYTE_ARRAY), which is what the
 * footer needs; comparisons decode them per physical type. */
typedef struct pq_stats {
    int has_minmax;
    pq_bytes min, max;
    uint64_t nulls;
} pq_stats;

/* One data page, for the OffsetIndex and ColumnIndex. */
typedef struct pq_page_entry {
    uint64_t offset;      /* from the start of the chunk's data pages */
    uint32_t size;        /* header + compressed body */
    uint64_t first_row;   /* within the row group */
    uint64_t nulls;
    int null_page;        /* no non-null value */
    int has_minmax;
    size_t min_off, min_len, max_off, max_len; /* in leaf->page_minmax */
} pq_page_entry;

/* What the footer needs about one column chunk, kept until close. */
typedef struct pq_chunk_meta {
    int64_t data_page_offset;
    int64_t dictionary_page_offset; /* -1: none */
    int64_t total_compressed;       /* headers included */
    int64_t total_uncompressed;     /* headers included */
    int64_t num_values;
    int enc_plain, enc_rle, enc_dict;
    uint32_t dict_data_pages, plain_data_pages;
    pq_stats stats;
    pq_bytes column_index;  /* serialized ColumnIndex, empty if none */
    pq_bytes offset_index;  /* serialized OffsetIndex */
    int64_t column_index_offset, offset_index_offset;
} pq_chunk_meta;

/* One slot of the dictionary's hash table: for fixed-width values the
 * value's bits, for byte arrays the hash of the bytes; entry 0 is empty. */
typedef struct pq_slot {
    uint64_t key;
    uint32_t entry; /* index + 1 */
    uint32_t unused;
} pq_slot;

typedef struct pq_dict {
    pq_slot *slots;
    size_t n_slots;      /* power of two */
    uint32_t count;
    uint32_t *str_off;   /* BYTE_ARRAY: offset of entry i in plain (at its length prefix) */
    size_t str_cap;
    dsgi_buf plain;      /* the dictionary page body, PLAIN encoded */
    uint64_t last_key;   /* fixed width: the last value looked up ... */
    uint32_t last_entry; /* ... and its index + 1 (0: none) */
} pq_dict;

typedef struct pq_leaf {
    /* schema */
    dsg_type type;
    int phys;
    int cmp;               /* statistics order: phys or a PQ_CMP_* */
    int type_length;       /* FIXED_LEN_BYTE_ARRAY: bytes per value */
    int16_t max_def, max_rep;
    int precision, scale;
    char **path;
    size_t path_len;
    int dict_allowed;
    const dsg_field *field;  /* the caller's leaf field (for column stats) */
    int32_t field_id;        /* 0: none */

    /* current page */
    uint16_t *def, *rep;
    size_t n_levels, levels_cap;
    uint32_t *idx;         /* dictionary indices */
    size_t n_idx, idx_cap;
    dsgi_buf plain;        /* PLAIN values */
    uint64_t bool_acc;
    int bool_bits;
    size_t page_rows, page_values;
    pq_stats page_stats;

    /* chunk */
    int dict_on;           /* current pages are dictionary encoded */
    pq_dict dict;
    dsgi_buf pages;        /* data pages: header + body each */
    uint64_t chunk_rows, chunk_levels, chunk_values, chunk_uncompressed;
    int chunk_enc_plain, chunk_enc_dict;
    uint32_t dict_data_pages, plain_data_pages;
    pq_stats chunk_stats;
    pq_page_entry *entries;
    size_t n_entries, entries_cap;
    dsgi_buf page_minmax;  /* encoded page min/max values */
    int64_t *narrow;       /* DSG_DECIMAL128 as INT32/INT64: low words */
    size_t narrow_cap;
    int column_index_ok;   /* false when a page's min/max cannot be told */

    /* file: merged over the row groups flushed so far */
    uint64_t file_levels;  /* leaf slots, nulls included */
    uint64_t file_nans;    /* NaN values (FLOAT, DOUBLE), counted as encoded */
    pq_stats file_stats;   /* nulls, exact min/max (NaN excluded) */
} pq_leaf;

/* Scratch shared by the leaves of one writer. */
typedef struct pq_scratch {
    dsgi_buf body;     /* uncompressed page body */
    dsgi_buf packed;   /* compressed page body */
    dsgi_buf header;   /* page header */
} pq_scratch;

typedef struct pq_context {
    dsgi_codec *codec;
    size_t page_bytes;
    size_t dict_bytes;
    pq_scratch scratch;
    uint32_t *pos;     /* positions of non-null values in a segment */
    size_t pos_cap;
} pq_context;

/* A leaf's values for one append: the k-th non-null level's value is at
 * index pos[k] of 'array' if pos is set, else at start + (level index)
 * (flat columns: one level per row). */
typedef struct pq_values {
    const dsg_array *array;
    const uint32_t *pos;
    size_t start;
} pq_values;

void pq_bytes_free(pq_bytes *b);
dsg_status pq_bytes_set(pq_bytes *b, const void *p, size_t n, dsg_error *err);

dsg_status pq_leaf_init(pq_leaf *l, dsg_error *err);
void pq_leaf_free(pq_leaf *l);

/* Appends n levels (def/rep may be NULL: all max_def / all 0) with their
 * values; pages are cut at row boundaries. */
dsg_status pq_leaf_append(pq_context *ctx, pq_leaf *l, const uint16_t *def, const uint16_t *rep,
                          size_t n, const pq_values *v, dsg_error *err);

/* Estimated bytes the chunk will take (for row group limits). */
size_t pq_leaf_estimate(const pq_leaf *l);

/* Finishes the chunk: last page, dictionary page; writes the chunk to the
 * sink at file offset 'offset' and fills 'meta'. Resets the leaf for the
 * next row group. */
dsg_status pq_leaf_flush(pq_context *ctx, pq_leaf *l, dsg_sink *sink, int64_t offset,
                         pq_chunk_meta *meta, dsg_error *err);

void pq_chunk_meta_free(pq_chunk_meta *m);

/* After the last row group: applies Parquet's zero rule (float minimum
 * -0.0, maximum +0.0) to the file-level statistics. */
void pq_leaf_file_finish(pq_leaf *l);

/* Serializes a Statistics struct as field 'id' of the current struct. */
void pq_write_statistics(dsgi_thrift *t, int16_t id, const pq_stats *s);

#endif
