/*
 * dataset_impl.h - what a dataset generator implements, and the column
 * buffers it fills.
 *
 * Datasets know nothing of Parquet, sinks or layouts: they describe their
 * tables (dsg_field trees), cut each table into partitions (row ranges with
 * a relative directory), and fill any row range of a table into a batch as a
 * pure function of (options, table, row). The run engine (lib/run) decides
 * files, threads and shards.
 */
#ifndef DSG_DATASET_IMPL_H
#define DSG_DATASET_IMPL_H

#include "common/common.h"
#include "common/rng.h"

/* Buffers for one column of a batch, mirroring its dsg_field. */
typedef struct dsgi_col {
    const dsg_field *field;
    size_t cap;        /* slots allocated in valid/values/offsets */
    uint8_t *valid;    /* when the field is nullable */
    void *values;      /* fixed-width types */
    int32_t *offsets;  /* STRING, LIST: cap + 1 entries */
    dsgi_buf data;     /* STRING bytes */
    struct dsgi_col *children;
    size_t n_children;
    dsg_array *child_arrays; /* published views of the children */
} dsgi_col;

struct dsg_batch {
    dsgi_col *cols;
    size_t n_cols;
    dsg_array *arrays; /* published views of the top-level columns */
};

/* Makes room for 'slots' values in a column (not its children); existing
 * values are kept. */
dsg_status dsgi_col_reserve(dsgi_col *c, size_t slots, dsg_error *err);

/* Appends a string as slot i (slots must be appended in order from 0:
 * offsets[0] is 0 and slot i's end is offsets[i+1]). */
static inline dsg_status dsgi_col_put_str(dsgi_col *c, size_t i, const char *s, size_t n,
                                          dsg_error *err)
{
    dsg_status st = dsgi_buf_append(&c->data, s, n, err);
    if (st == DSG_OK)
        c->offsets[i + 1] = (int32_t)c->data.len;
    return st;
}

/* Starts a fill of n rows: reserves n slots in each top-level column,
 * resets string data and offsets[0]. Nested children are reserved by the
 * dataset as it learns their sizes. */
dsg_status dsgi_batch_begin(dsg_batch *b, size_t n_rows, dsg_error *err);

/* Publishes the arrays of n_rows rows (lengths of nested children follow
 * from list offsets) and returns the top-level arrays. */
const dsg_array *dsgi_batch_publish(dsg_batch *b, size_t n_rows);

typedef struct dsgi_table_def {
    const char *name;
    const dsg_field *fields;
    size_t n_fields;
    const char *const *partition_by;
    size_t n_partition_by;
} dsgi_table_def;

typedef struct dsgi_dataset_class {
    const char *name;
    const char *description;
    const dsg_option_info *options;
    size_t n_options;
    const dsgi_table_def *tables;
    size_t n_tables;
    /* Allocates the dataset's state with its defaults. */
    dsg_status (*create)(void **state, dsg_error *err);
    void (*free)(void *state);
    /* Sets one option (name without dashes, as in 'options'). */
    dsg_status (*set)(void *state, const char *name, const char *value, dsg_error *err);
    /* Validates the options together and plans the rows and partitions. */
    dsg_status (*prepare)(void *state, dsg_error *err);
    uint64_t (*table_rows)(const void *state, size_t t);
    size_t (*n_partitions)(const void *state, size_t t);
    /* Partition p of table t: relative directory and row range. */
    dsg_status (*partition)(const void *state, size_t t, size_t p, char *path, size_t path_size,
                            uint64_t *first_row, uint64_t *rows, dsg_error *err);
    /* Partition columns of table t as the options choose them; NULL: the
     * table definition's. */
    const char *const *(*partition_by)(const void *state, size_t t, size_t *n);
    /* Fills rows [first_row, first_row + n_rows) of table t: calls
     * dsgi_batch_begin, writes the buffers; the caller publishes. */
    dsg_status (*fill)(const void *state, size_t t, uint64_t first_row, size_t n_rows,
                       dsg_batch *b, dsg_error *err);
    /* How table t's partition levels derive from one of its columns: the
     * transform of each level (as many as partition_by gives) and, in
     * *source, the index of the source column. NULL (or no hook): the
     * table is unpartitioned, or its levels derive from no column. */
    const dsg_partition_transform *(*partition_transforms)(const void *state, size_t t, int *source);
    /* A suffix for the names of table t's files ("-2024-04-01": part-00000-2024-04-01.parquet)
     * so that a run never reuses an earlier run's file names; NULL or absent: none. */
    const char *(*file_suffix)(const void *state, size_t t);
    /* Optional: the tables that will be written (wanted[t] != 0), told
     * before prepare, so that prepare may skip planning the others (which
     * then report 0 rows). NULL: every table is always planned. */
    void (*select)(void *state, const unsigned char *wanted);
} dsgi_dataset_class;

/* Whether table t is planned (no dsg_dataset_select_tables, or selected). */
int dsgi_dataset_table_planned(const dsg_dataset *ds, size_t t);

extern const dsgi_dataset_class dsgi_alltypes_class;
extern const dsgi_dataset_class dsgi_ecommerce_class;
extern const dsgi_dataset_class dsgi_weather_class;
extern const dsgi_dataset_class dsgi_sensors_class;
extern const dsgi_dataset_class dsgi_market_ohlcv_class;
extern const dsgi_dataset_class dsgi_market_quotes_class;

/* Option parsing shared by datasets: the whole string must be a number in
 * [min, max]; the message names the option. */
dsg_status dsgi_parse_u64(const char *option, const char *value, uint64_t min, uint64_t max,
                          uint64_t *out, dsg_error *err);
dsg_status dsgi_parse_double(const char *option, const char *value, double min, double max,
                             double *out, dsg_error *err);
/* "YYYY-MM-DD" into days since 1970-01-01; rejects impossible dates. */
dsg_status dsgi_parse_date(const char *option, const char *value, int32_t *days, dsg_error *err);

#endif
