/*
 * pq_reader.h - a small Parquet reader for metadata files the table
 * formats must read back (Delta checkpoints written by us, delta-rs or
 * Spark): whole leaf columns of a file in memory, with their levels.
 *
 * Supported: data pages v1 and v2; PLAIN, PLAIN_DICTIONARY/RLE_DICTIONARY,
 * RLE (booleans), DELTA_BINARY_PACKED (integers), DELTA_LENGTH_BYTE_ARRAY
 * and DELTA_BYTE_ARRAY; every codec of codecs/ (not Hadoop's LZ4); nested
 * columns of any depth. Everything read is checked against the buffer's
 * bounds: a corrupt file fails with DSG_EIO, never reads out of bounds.
 */
#ifndef DSG_PQ_READER_H
#define DSG_PQ_READER_H

#include "common/common.h"

#define DSGI_PQ_MAX_PATH 8

/* One leaf column of a file, all row groups concatenated. */
typedef struct dsgi_pq_column {
    int found;                   /* 0: the file has no such column (all null) */
    int phys;                    /* Parquet physical type */
    int16_t max_def, max_rep;
    /* node_def[i]: the definition level at which path element i is
     * present (non-null); path_len entries */
    int16_t node_def[DSGI_PQ_MAX_PATH];
    size_t path_len;
    size_t n_levels;
    uint16_t *def, *rep;         /* n_levels each */
    size_t n_values;             /* levels with def == max_def */
    int64_t *ints;               /* BOOLEAN, INT32, INT64 (sign-extended) */
    uint32_t *offsets;           /* BYTE_ARRAY: n_values + 1 offsets into bytes */
    uint8_t *bytes;
    /* a cursor for row-by-row consumers (dsgi_pq_column_row) */
    size_t cur_level, cur_value;
} dsgi_pq_column;

/* Reads the leaf columns named by 'paths' (dotted paths from the top
 * level; a '*' element matches any name, for the middle groups of lists
 * and maps whose names vary by writer) from the Parquet file in
 * file[0..len). *rows receives the file's row count. 'what' names the file
 * in errors. Columns not in the file come back with found = 0. */
dsg_status dsgi_pq_read_columns(const uint8_t *file, size_t len, const char *const *paths, size_t n,
                                dsgi_pq_column *out, uint64_t *rows, const char *what, dsg_error *err);

void dsgi_pq_column_free(dsgi_pq_column *c);

/* The levels of the next row: [*first, *end) of def/rep. For a column not
 * found, an empty range. Rows must be consumed in order. */
void dsgi_pq_column_row(dsgi_pq_column *c, size_t *first, size_t *end);

#endif
