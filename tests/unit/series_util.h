/*
 * series_util.h - helpers of the time-series dataset tests (test_weather.c,
 * test_sensors.c, test_market.c): open a dataset with options, copy whole
 * tables out of batches, check that partitions tile a table with paths that
 * match its timestamps, and that pieces of any size give the same rows.
 */
#ifndef DSG_SERIES_UTIL_H
#define DSG_SERIES_UTIL_H

#include "dsg/dsg.h"
#include "test_util.h"

#include <stdint.h>
#include <time.h>

typedef struct option {
    const char *name, *value;
} option;

#define OPTS(...) ((const option[]){__VA_ARGS__, {NULL, NULL}})
#define NO_OPTS ((const option[]){{NULL, NULL}})

static inline dsg_dataset *open_dataset(const char *name, const option *opts)
{
    dsg_dataset *ds = NULL;
    dsg_error err;
    CHECKF(dsg_dataset_create(&ds, name, &err) == DSG_OK, "%s", err.message);
    for (const option *o = opts; o->name != NULL; o++)
        CHECKF(dsg_dataset_set(ds, o->name, o->value, &err) == DSG_OK, "--%s %s: %s", o->name,
               o->value, err.message);
    CHECKF(dsg_dataset_prepare(ds, &err) == DSG_OK, "%s", err.message);
    return ds;
}

/* The message of a failing option set (set or prepare), or NULL. */
static inline const char *option_error(const char *name, const option *opts, dsg_error *err)
{
    dsg_dataset *ds = NULL;
    CHECK(dsg_dataset_create(&ds, name, err) == DSG_OK);
    dsg_status st = DSG_OK;
    for (const option *o = opts; st == DSG_OK && o->name != NULL; o++)
        st = dsg_dataset_set(ds, o->name, o->value, err);
    if (st == DSG_OK)
        st = dsg_dataset_prepare(ds, err);
    dsg_dataset_free(ds);
    if (st != DSG_OK)
        CHECKF(st == DSG_EINVAL, "status %d for an option error", st);
    return st == DSG_OK ? NULL : err->message;
}

static inline size_t width_of(dsg_type t)
{
    switch (t) {
    case DSG_BOOL: return 1;
    case DSG_INT32:
    case DSG_FLOAT:
    case DSG_DATE: return 4;
    case DSG_INT64:
    case DSG_DOUBLE:
    case DSG_TIMESTAMP: return 8;
    default: return 0;
    }
}

/* A whole table copied out of its batches. */
typedef struct tcol {
    dsg_type type;
    uint8_t *values; /* rows * width */
    uint8_t *valid;  /* rows, 1 when not nullable */
    char **str;      /* STRING: NUL-terminated copies */
} tcol;

typedef struct ttable {
    dsg_table_info info;
    size_t rows;
    tcol cols[16];
} ttable;

static inline void copy_rows(ttable *tb, size_t at, const dsg_array *a, size_t n)
{
    for (size_t c = 0; c < tb->info.n_fields; c++) {
        tcol *col = &tb->cols[c];
        size_t w = width_of(col->type);
        CHECK(a[c].type == col->type && a[c].length == n);
        for (size_t i = 0; i < n; i++) {
            col->valid[at + i] = a[c].valid ? a[c].valid[i] : 1;
            if (w)
                memcpy(col->values + (at + i) * w, (const uint8_t *)a[c].values + i * w, w);
            else {
                int32_t b = a[c].offsets[i], e = a[c].offsets[i + 1];
                CHECK(b <= e);
                col->str[at + i] = malloc((size_t)(e - b) + 1);
                memcpy(col->str[at + i], a[c].data + b, (size_t)(e - b));
                col->str[at + i][e - b] = '\0';
            }
        }
    }
}

/* Reads table t whole, in fills of 'chunk' rows. */
static inline ttable *read_table(const dsg_dataset *ds, size_t t, size_t chunk)
{
    ttable *tb = calloc(1, sizeof *tb);
    dsg_error err;
    CHECK(dsg_dataset_table(ds, t, &tb->info, &err) == DSG_OK);
    CHECK(tb->info.n_fields <= 16);
    tb->rows = (size_t)tb->info.rows;
    for (size_t c = 0; c < tb->info.n_fields; c++) {
        tcol *col = &tb->cols[c];
        col->type = tb->info.fields[c].type;
        size_t w = width_of(col->type);
        CHECKF(w || col->type == DSG_STRING, "type %d", (int)col->type);
        col->valid = calloc(tb->rows + 1, 1);
        if (w)
            col->values = calloc(tb->rows + 1, w);
        else
            col->str = calloc(tb->rows + 1, sizeof(char *));
    }
    dsg_batch *b = NULL;
    CHECK(dsg_batch_create(&b, ds, t, &err) == DSG_OK);
    for (size_t at = 0; at < tb->rows; at += chunk) {
        size_t n = tb->rows - at < chunk ? tb->rows - at : chunk;
        const dsg_array *a;
        CHECKF(dsg_dataset_fill(ds, t, at, n, b, &a, &err) == DSG_OK, "%s", err.message);
        copy_rows(tb, at, a, n);
    }
    dsg_batch_free(b);
    return tb;
}

static inline void free_table(ttable *tb)
{
    for (size_t c = 0; c < tb->info.n_fields; c++) {
        for (size_t i = 0; tb->cols[c].str && i < tb->rows; i++)
            free(tb->cols[c].str[i]);
        free(tb->cols[c].str);
        free(tb->cols[c].values);
        free(tb->cols[c].valid);
    }
    free(tb);
}

#define I64(tb, c, i) (((const int64_t *)(tb)->cols[c].values)[i])
#define I32(tb, c, i) (((const int32_t *)(tb)->cols[c].values)[i])
#define F64(tb, c, i) (((const double *)(tb)->cols[c].values)[i])
#define F32(tb, c, i) (((const float *)(tb)->cols[c].values)[i])
#define B8(tb, c, i) ((tb)->cols[c].values[i])
#define STR(tb, c, i) ((tb)->cols[c].str[i])
#define VALID(tb, c, i) ((tb)->cols[c].valid[i])

/* Two reads of the same table are identical, value by value. */
static inline void check_same_table(const ttable *a, const ttable *b)
{
    CHECK(a->rows == b->rows && a->info.n_fields == b->info.n_fields);
    for (size_t c = 0; c < a->info.n_fields; c++) {
        size_t w = width_of(a->cols[c].type);
        CHECKF(memcmp(a->cols[c].valid, b->cols[c].valid, a->rows) == 0, "column %zu validity", c);
        if (w)
            CHECKF(memcmp(a->cols[c].values, b->cols[c].values, a->rows * w) == 0, "column %s differs",
                   a->info.fields[c].name);
        else
            for (size_t i = 0; i < a->rows; i++)
                CHECKF(strcmp(a->cols[c].str[i], b->cols[c].str[i]) == 0, "row %zu column %zu", i, c);
    }
}

/* Fills of random sizes at random places give the rows of the whole. */
static inline void check_pieces(const dsg_dataset *ds, size_t t, const ttable *whole, uint64_t seed)
{
    dsg_batch *b = NULL;
    dsg_error err;
    CHECK(dsg_batch_create(&b, ds, t, &err) == DSG_OK);
    uint64_t s = seed;
    for (int k = 0; k < 40 && whole->rows > 0; k++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        size_t first = (size_t)((s >> 20) % whole->rows);
        size_t n = 1 + (size_t)((s >> 45) % 700);
        if (n > whole->rows - first)
            n = whole->rows - first;
        const dsg_array *a;
        CHECKF(dsg_dataset_fill(ds, t, first, n, b, &a, &err) == DSG_OK, "%s", err.message);
        for (size_t c = 0; c < whole->info.n_fields; c++) {
            size_t w = width_of(whole->cols[c].type);
            for (size_t i = 0; i < n; i++) {
                uint8_t v = a[c].valid ? a[c].valid[i] : 1;
                CHECK(v == whole->cols[c].valid[first + i]);
                if (!v)
                    continue;
                if (w)
                    CHECKF(memcmp((const uint8_t *)a[c].values + i * w,
                                  whole->cols[c].values + (first + i) * w, w) == 0,
                           "row %zu column %s: a piece differs from the whole", first + i,
                           whole->info.fields[c].name);
                else
                    CHECK(strlen(whole->cols[c].str[first + i]) ==
                              (size_t)(a[c].offsets[i + 1] - a[c].offsets[i]) &&
                          memcmp(a[c].data + a[c].offsets[i], whole->cols[c].str[first + i],
                                 (size_t)(a[c].offsets[i + 1] - a[c].offsets[i])) == 0);
            }
        }
    }
    dsg_batch_free(b);
}

/* The hive path of a UTC microsecond timestamp (or a date in days when
 * is_date) with n levels of year/month/day/hour. */
static inline void hive_path(int64_t v, int is_date, size_t n, char *out, size_t size)
{
    time_t t = is_date ? (time_t)v * 86400 : (time_t)(v >= 0 ? v / 1000000 : -((-v + 999999) / 1000000));
    struct tm tm;
    gmtime_r(&t, &tm);
    char buf[64];
    int len = 0;
    if (n >= 1)
        len += snprintf(buf + len, sizeof buf - (size_t)len, "year=%04d", tm.tm_year + 1900);
    if (n >= 2)
        len += snprintf(buf + len, sizeof buf - (size_t)len, "/month=%02d", tm.tm_mon + 1);
    if (n >= 3)
        len += snprintf(buf + len, sizeof buf - (size_t)len, "/day=%02d", tm.tm_mday);
    if (n >= 4)
        len += snprintf(buf + len, sizeof buf - (size_t)len, "/hour=%02d", tm.tm_hour);
    buf[len] = '\0';
    snprintf(out, size, "%s", buf);
}

/* Partitions tile the table in order; every row's timestamp (column tc)
 * has the path of its partition; distinct partitions have distinct paths;
 * the transforms are YEAR, MONTH, DAY, HOUR from column tc. Returns the
 * number of partitions. */
static inline size_t check_partitions(const dsg_dataset *ds, size_t t, const ttable *tb, size_t tc)
{
    dsg_error err;
    dsg_table_info info;
    CHECK(dsg_dataset_table(ds, t, &info, &err) == DSG_OK);
    static const char *const names[] = {"year", "month", "day", "hour"};
    CHECK(info.n_partition_by <= 4);
    for (size_t k = 0; k < info.n_partition_by; k++) {
        CHECK(strcmp(info.partition_by[k], names[k]) == 0);
        CHECK(info.partition_transforms != NULL && info.partition_transforms[k] == (dsg_partition_transform)(DSG_PART_YEAR + k));
    }
    if (info.n_partition_by)
        CHECK(info.partition_source == (int)tc);
    uint64_t next = 0;
    char prev[256] = "";
    for (size_t p = 0; p < info.n_partitions; p++) {
        char path[256], want[256];
        uint64_t first, rows;
        CHECKF(dsg_dataset_partition(ds, t, p, path, sizeof path, &first, &rows, &err) == DSG_OK, "%s",
               err.message);
        CHECK(first == next && rows > 0);
        CHECKF(p == 0 || strcmp(path, prev) != 0, "two partitions named %s", path);
        for (uint64_t r = first; r < first + rows; r += rows - 1 > 0 ? rows - 1 : 1) {
            int is_date = tb->cols[tc].type == DSG_DATE;
            int64_t v = is_date ? I32(tb, tc, r) : I64(tb, tc, r);
            hive_path(v, is_date, info.n_partition_by, want, sizeof want);
            CHECKF(strcmp(path, want) == 0, "row %llu in %s, expected %s", (unsigned long long)r, path, want);
            if (rows == 1)
                break;
        }
        memcpy(prev, path, sizeof prev);
        next = first + rows;
    }
    CHECK(next == info.rows);
    return info.n_partitions;
}

#endif
