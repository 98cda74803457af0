/*
 * user_writer.c - the user's rows (dsg arrays, Arrow batches) into a table
 * with the guarantees of a run (dsg_table_writer in dsg.h).
 *
 * Invariants:
 *  1. Bad options, a bad schema or an occupied destination are refused at
 *     open, before any byte is written (DSG_EINVAL).
 *  2. Rows go, in order, to the partition their partition columns' values
 *     name; consecutive rows of one partition are written as one slice.
 *     Each partition has at most one open file; a file is closed (footer,
 *     then the sink's commit: rename or multipart completion) when it holds
 *     file_rows_target rows, and the next rows open part-(k+1).
 *  3. A file appears under its final name only complete. On failure or
 *     free without close, every open file is aborted; files already
 *     committed stay (each is complete), as in a run.
 *  4. Partition columns are not written into the files: their values live
 *     in the directory names only, so readers never see two types for one
 *     column.
 *
 * run/ -> parquet/ (through the public writer), sinks/ (S3 client), arrow/.
 */
#include "common/common.h"
#include "run/tree.h"
#include "sinks/s3_client.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define PATH_MAX_BYTES 4096
#define VALUE_TEXT_MAX 1024

typedef struct partition {
    char *dir;                 /* "col=value/col2=value2" (escaped), "" */
    dsg_parquet_writer *w;     /* the open file, or NULL */
    uint64_t file_rows;        /* rows in the open file */
    char *rel;                 /* the open file's path under the table */
    unsigned next_part;        /* number of the next file */
} partition;

struct dsg_table_writer {
    dsg_writer_options opt;
    char *output, *table;
    const dsg_field *fields;
    size_t n_fields;
    size_t *part_cols;         /* indices of partition columns in fields */
    size_t n_part;
    dsg_field *file_fields;    /* the other columns, written in files */
    size_t *file_cols;
    size_t n_file;
    dsg_array *slice;          /* n_file arrays: the current slice */
    partition *parts;
    size_t n_parts, parts_cap;
    size_t last_part;          /* index of the partition used last */
    dsgi_s3_client *s3;
    char s3_prefix[1100];      /* key prefix of the table, with a trailing '/' */
    dsg_table_session *session; /* table formats: the commit session */
    dsg_field *part_fields;    /* its partition levels' columns */
    int failed, closed;
    dsg_run_stats stats;
};

/* ---- local paths ---- */


/* By descriptor, without following links, at any depth (tree.c). */
static dsg_status rmtree(const char *path, dsg_error *err) { return dsgi_tree_remove(path, err); }

static int dir_has_entries(const char *path)
{
    DIR *d = opendir(path);
    if (d == NULL)
        return 0;
    struct dirent *e;
    int found = 0;
    while (!found && (e = readdir(d)) != NULL)
        found = strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return found;
}

/* The highest part number + 1 of part-NNNNN.parquet files in dir (append). */
static unsigned next_part_in(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return 0;
    unsigned next = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        unsigned k;
        char tail[16];
        if (sscanf(e->d_name, "part-%u.%15s", &k, tail) == 2 && strcmp(tail, "parquet") == 0 && k + 1 > next)
            next = k + 1;
    }
    closedir(d);
    return next;
}

/* ---- partition values ---- */

static int hive_escaped(unsigned char c)
{
    return c < 0x20 || c == 0x7F || strchr("\"#%'*/:=?\\{[]^", c) != NULL;
}

static size_t hive_escape(const char *s, size_t n, char *out, size_t out_size)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (size_t i = 0; i < n && o + 4 < out_size; i++) {
        unsigned char c = (unsigned char)s[i];
        if (hive_escaped(c) && c != 0) {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        } else if (c == 0) {
            out[o++] = '%';
            out[o++] = '0';
            out[o++] = '0';
        } else {
            out[o++] = (char)c;
        }
    }
    out[o] = '\0';
    return o;
}

static int is_null(const dsg_array *a, size_t i) { return a->valid != NULL && !a->valid[i]; }

/* The text of partition value i of column a (field f) into out, escaped;
 * a null or empty value is __HIVE_DEFAULT_PARTITION__. */
static void value_text(const dsg_field *f, const dsg_array *a, size_t i, char *out, size_t out_size)
{
    char raw[64];
    const char *p = raw;
    size_t n;
    if (is_null(a, i)) {
        snprintf(out, out_size, "__HIVE_DEFAULT_PARTITION__");
        return;
    }
    switch (f->type) {
    case DSG_BOOL: p = ((const uint8_t *)a->values)[i] ? "true" : "false"; n = strlen(p); break;
    case DSG_INT8: n = (size_t)snprintf(raw, sizeof raw, "%d", ((const int8_t *)a->values)[i]); break;
    case DSG_INT16: n = (size_t)snprintf(raw, sizeof raw, "%d", ((const int16_t *)a->values)[i]); break;
    case DSG_INT32: n = (size_t)snprintf(raw, sizeof raw, "%" PRId32, ((const int32_t *)a->values)[i]); break;
    case DSG_INT64: n = (size_t)snprintf(raw, sizeof raw, "%" PRId64, ((const int64_t *)a->values)[i]); break;
    case DSG_UINT8: n = (size_t)snprintf(raw, sizeof raw, "%u", ((const uint8_t *)a->values)[i]); break;
    case DSG_UINT16: n = (size_t)snprintf(raw, sizeof raw, "%u", ((const uint16_t *)a->values)[i]); break;
    case DSG_UINT32: n = (size_t)snprintf(raw, sizeof raw, "%" PRIu32, ((const uint32_t *)a->values)[i]); break;
    case DSG_UINT64: n = (size_t)snprintf(raw, sizeof raw, "%" PRIu64, ((const uint64_t *)a->values)[i]); break;
    case DSG_DATE: {
        int64_t y;
        unsigned m, d;
        dsgi_civil_from_days(((const int32_t *)a->values)[i], &y, &m, &d);
        n = (size_t)snprintf(raw, sizeof raw, "%04" PRId64 "-%02u-%02u", y, m, d);
        break;
    }
    default: /* STRING, BINARY */
        p = a->data + a->offsets[i];
        n = (size_t)(a->offsets[i + 1] - a->offsets[i]);
        if (n == 0) {
            snprintf(out, out_size, "__HIVE_DEFAULT_PARTITION__");
            return;
        }
        break;
    }
    hive_escape(p, n, out, out_size);
}

static int partition_type_ok(dsg_type t)
{
    switch (t) {
    case DSG_BOOL:
    case DSG_INT8:
    case DSG_INT16:
    case DSG_INT32:
    case DSG_INT64:
    case DSG_UINT8:
    case DSG_UINT16:
    case DSG_UINT32:
    case DSG_UINT64:
    case DSG_DATE:
    case DSG_STRING:
    case DSG_BINARY: return 1;
    default: return 0;
    }
}

static size_t fixed_width(const dsg_field *f)
{
    switch (f->type) {
    case DSG_BOOL:
    case DSG_INT8:
    case DSG_UINT8: return 1;
    case DSG_INT16:
    case DSG_UINT16: return 2;
    case DSG_INT32:
    case DSG_UINT32:
    case DSG_FLOAT:
    case DSG_DATE:
    case DSG_TIME_MS: return 4;
    case DSG_DECIMAL128: return 16;
    case DSG_FIXED_BINARY: return (size_t)f->precision;
    case DSG_NULL:
    case DSG_STRING:
    case DSG_BINARY:
    case DSG_LIST:
    case DSG_MAP:
    case DSG_STRUCT: return 0;
    default: return 8;
    }
}

/* Row i and row j of a partition column hold the same value. */
static int same_value(const dsg_field *f, const dsg_array *a, size_t i, size_t j)
{
    int ni = is_null(a, i), nj = is_null(a, j);
    if (ni || nj)
        return ni == nj;
    if (f->type == DSG_STRING || f->type == DSG_BINARY) {
        int32_t li = a->offsets[i + 1] - a->offsets[i], lj = a->offsets[j + 1] - a->offsets[j];
        return li == lj && (li == 0 || memcmp(a->data + a->offsets[i], a->data + a->offsets[j], (size_t)li) == 0);
    }
    size_t w = fixed_width(f);
    return memcmp((const uint8_t *)a->values + i * w, (const uint8_t *)a->values + j * w, w) == 0;
}

/* ---- slices ---- */

/* dst = rows [r0, ...) of src (field f). Struct members need arrays of
 * their own: they are allocated and freed by slice_free. */
static dsg_status slice(const dsg_field *f, const dsg_array *src, size_t r0, size_t n, dsg_array *dst,
                        dsg_error *err)
{
    *dst = *src;
    dst->length = n;
    if (src->valid)
        dst->valid = src->valid + r0;
    if (src->offsets) /* strings and lists: offsets stay absolute */
        dst->offsets = src->offsets + r0;
    if (f->type == DSG_STRUCT) {
        dsg_array *ch = dsgi_calloc(f->n_children, sizeof *ch);
        DSGI_RETURN_IF(ch == NULL, err, DSG_ENOMEM, "out of memory (slice)");
        dst->children = ch;
        for (size_t c = 0; c < f->n_children; c++)
            DSGI_FORWARD(slice(&f->children[c], &src->children[c], r0, n, &ch[c], err));
        return DSG_OK;
    }
    size_t w = fixed_width(f);
    if (src->values && w)
        dst->values = (const uint8_t *)src->values + r0 * w;
    return DSG_OK;
}

static void slice_free(const dsg_field *f, dsg_array *a)
{
    if (f->type != DSG_STRUCT || a->children == NULL)
        return;
    for (size_t c = 0; c < f->n_children; c++)
        slice_free(&f->children[c], (dsg_array *)&a->children[c]);
    dsgi_free((void *)a->children);
    a->children = NULL;
}

/* ---- open ---- */

void dsg_writer_options_init(dsg_writer_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->format = "parquet";
    dsg_parquet_options_init(&opt->parquet);
    opt->parquet.row_group_rows = 131072;
    opt->file_rows_target = 250000;
    opt->mode = DSG_MODE_CREATE;
}

void dsg_table_writer_free(dsg_table_writer *w)
{
    if (w == NULL)
        return;
    for (size_t i = 0; i < w->n_parts; i++) {
        dsg_parquet_writer_free(w->parts[i].w); /* aborts a file not closed */
        dsgi_free(w->parts[i].dir);
        dsgi_free(w->parts[i].rel);
    }
    dsgi_free(w->parts);
    dsg_table_session_free(w->session); /* without commit: nothing committed */
    dsgi_free(w->part_fields);
    dsgi_s3_client_free(w->s3);
    dsgi_free(w->part_cols);
    dsgi_free(w->file_fields);
    dsgi_free(w->file_cols);
    dsgi_free(w->slice);
    dsgi_free(w->output);
    dsgi_free(w->table);
    dsgi_free(w);
}

static int valid_table_name(const char *s)
{
    if (s == NULL || *s == '\0' || strcmp(s, ".") == 0 || strcmp(s, "..") == 0 || strlen(s) > 200)
        return 0;
    for (; *s; s++)
        if (*s == '/' || *s == '\\' || (unsigned char)*s < 0x20)
            return 0;
    return 1;
}

static dsg_status open_inner(dsg_table_writer *w, dsg_error *err)
{
    const dsg_writer_options *opt = &w->opt;
    DSGI_RETURN_IF(opt->output == NULL || *opt->output == '\0', err, DSG_EINVAL, "no output location given");
    DSGI_RETURN_IF(!valid_table_name(opt->table), err, DSG_EINVAL, "invalid table name '%s'",
                   opt->table ? opt->table : "");
    const char *format = opt->format ? opt->format : "parquet";
    int table_format = strcmp(format, "parquet") != 0;
    DSGI_RETURN_IF(opt->file_rows_target < 1, err, DSG_EINVAL, "file rows target must be at least 1");
    DSGI_RETURN_IF((unsigned)opt->mode > DSG_MODE_OVERWRITE, err, DSG_EINVAL, "unknown mode %d", (int)opt->mode);
    DSGI_FORWARD(dsg_codec_check_level(opt->parquet.codec, opt->parquet.level, err));
    DSGI_RETURN_IF(w->n_fields == 0, err, DSG_EINVAL, "a table needs at least one column");
    w->output = dsgi_strdup(opt->output);
    w->table = dsgi_strdup(opt->table);
    DSGI_RETURN_IF(w->output == NULL || w->table == NULL, err, DSG_ENOMEM, "out of memory");
    size_t out_len = strlen(w->output);
    while (out_len > 1 && w->output[out_len - 1] == '/')
        w->output[--out_len] = '\0';
    /* partition columns */
    w->part_cols = dsgi_calloc(opt->n_partition_by + 1, sizeof *w->part_cols);
    w->file_cols = dsgi_calloc(w->n_fields, sizeof *w->file_cols);
    w->file_fields = dsgi_calloc(w->n_fields, sizeof *w->file_fields);
    w->slice = dsgi_calloc(w->n_fields, sizeof *w->slice);
    DSGI_RETURN_IF(!w->part_cols || !w->file_cols || !w->file_fields || !w->slice, err, DSG_ENOMEM, "out of memory");
    for (size_t k = 0; k < opt->n_partition_by; k++) {
        const char *name = opt->partition_by[k];
        size_t i = 0;
        while (i < w->n_fields && strcmp(w->fields[i].name, name ? name : "") != 0)
            i++;
        DSGI_RETURN_IF(i == w->n_fields, err, DSG_EINVAL, "partition column %s is not a column of table %s",
                       name ? name : "", w->table);
        DSGI_RETURN_IF(!partition_type_ok(w->fields[i].type), err, DSG_EINVAL,
                       "partition column %s must hold integers, booleans, strings or dates", name);
        for (size_t j = 0; j < k; j++)
            DSGI_RETURN_IF(w->part_cols[j] == i, err, DSG_EINVAL, "partition column %s is named twice", name);
        w->part_cols[w->n_part++] = i;
    }
    for (size_t i = 0; i < w->n_fields; i++) {
        int is_part = 0;
        for (size_t k = 0; k < w->n_part; k++)
            is_part |= w->part_cols[k] == i;
        if (is_part)
            continue;
        w->file_cols[w->n_file] = i;
        w->file_fields[w->n_file++] = w->fields[i];
    }
    DSGI_RETURN_IF(w->n_file == 0, err, DSG_EINVAL,
                   "table %s would have no columns in its files: every column is a partition column", w->table);
    if (table_format) {
        /* Delta, Iceberg, DuckLake: a commit session checks the mode and the
         * catalog now; files get names unique to the session and are
         * committed together at close. */
        DSGI_RETURN_IF(w->n_part > 0 && strcmp(format, "delta") != 0, err, DSG_EINVAL,
                       "table %s: partitioned writes of user data into %s tables are not supported yet "
                       "(delta and parquet take them)", w->table, format);
        if (w->n_part > 0) {
            w->part_fields = dsgi_calloc(w->n_part, sizeof *w->part_fields);
            DSGI_RETURN_IF(w->part_fields == NULL, err, DSG_ENOMEM, "out of memory");
            for (size_t k = 0; k < w->n_part; k++)
                w->part_fields[k] = w->fields[w->part_cols[k]];
        }
        dsg_table_options to = {
            .format = format,
            .output = w->output,
            .s3 = opt->s3,
            .name = w->table,
            .fields = w->file_fields,
            .n_fields = w->n_file,
            .partition_by = opt->partition_by,
            .n_partition_by = w->n_part,
            .partition_source = -1,
            .mode = opt->mode,
            .catalog = opt->catalog,
            .partition_fields = w->part_fields,
        };
        DSGI_FORWARD(dsg_table_session_open(&w->session, &to, err));
        w->opt.parquet.field_ids = dsg_table_session_needs_field_ids(w->session);
    }
    /* destination */
    if (strncmp(w->output, "s3://", 5) == 0) {
        char bucket[64], prefix[1024];
        DSGI_FORWARD(dsgi_s3_uri_parse(w->output, bucket, sizeof bucket, prefix, sizeof prefix, err));
        DSGI_RETURN_IF(opt->s3 == NULL, err, DSG_EINVAL, "no S3 credentials: output %s needs an S3 configuration",
                       w->output);
        DSGI_FORWARD(dsgi_s3_client_create(&w->s3, opt->s3, bucket, err));
        snprintf(w->s3_prefix, sizeof w->s3_prefix, "%s%s%s/", prefix, *prefix ? "/" : "", w->table);
        if (table_format) {
            /* the format's commit decides what the table holds */
        } else if (opt->mode == DSG_MODE_OVERWRITE) {
            DSGI_FORWARD(dsgi_s3_delete_prefix(w->s3, w->s3_prefix, err));
        } else if (opt->mode == DSG_MODE_CREATE) {
            int used = 0;
            DSGI_FORWARD(dsgi_s3_prefix_used(w->s3, w->s3_prefix, &used, err));
            DSGI_RETURN_IF(used, err, DSG_EINVAL,
                           "table %s already holds objects under %s (use mode overwrite or append)", w->table,
                           w->output);
        }
        return DSG_OK;
    }
    char dir[PATH_MAX_BYTES];
    DSGI_RETURN_IF((size_t)snprintf(dir, sizeof dir, "%s/%s", w->output, w->table) >= sizeof dir, err,
                   DSG_EINVAL, "path too long: %s", w->output);
    if (table_format)
        ; /* the format's commit decides what the table holds */
    else if (opt->mode == DSG_MODE_OVERWRITE)
        DSGI_FORWARD(rmtree(dir, err));
    else if (opt->mode == DSG_MODE_CREATE)
        DSGI_RETURN_IF(dir_has_entries(dir), err, DSG_EINVAL,
                       "table directory %s is not empty (use mode overwrite or append)", dir);
    return dsgi_make_dirs(dir, err);
}

dsg_status dsg_table_writer_open(dsg_table_writer **out, const dsg_writer_options *opt, const dsg_field *fields,
                                 size_t n_fields, dsg_error *err)
{
    DSGI_RETURN_IF(opt == NULL || out == NULL, err, DSG_EINVAL, "no writer options given");
    dsg_table_writer *w = dsgi_calloc(1, sizeof *w);
    DSGI_RETURN_IF(w == NULL, err, DSG_ENOMEM, "out of memory (table writer)");
    w->opt = *opt;
    w->fields = fields;
    w->n_fields = fields ? n_fields : 0;
    dsg_status st = open_inner(w, err);
    if (st != DSG_OK) {
        dsg_table_writer_free(w);
        return st;
    }
    *out = w;
    return DSG_OK;
}

/* ---- writing ---- */

static dsg_status find_partition(dsg_table_writer *w, const char *dir, size_t *out, dsg_error *err)
{
    if (w->n_parts > 0 && strcmp(w->parts[w->last_part].dir, dir) == 0) {
        *out = w->last_part;
        return DSG_OK;
    }
    for (size_t i = 0; i < w->n_parts; i++)
        if (strcmp(w->parts[i].dir, dir) == 0) {
            *out = w->last_part = i;
            return DSG_OK;
        }
    if (w->n_parts == w->parts_cap) {
        size_t cap = w->parts_cap ? w->parts_cap * 2 : 16;
        partition *p = dsgi_realloc(w->parts, cap * sizeof *p);
        DSGI_RETURN_IF(p == NULL, err, DSG_ENOMEM, "out of memory (partitions)");
        w->parts = p;
        w->parts_cap = cap;
    }
    partition *p = &w->parts[w->n_parts];
    memset(p, 0, sizeof *p);
    p->dir = dsgi_strdup(dir);
    DSGI_RETURN_IF(p->dir == NULL, err, DSG_ENOMEM, "out of memory (partitions)");
    if (w->opt.mode == DSG_MODE_APPEND && w->s3 == NULL) {
        char path[PATH_MAX_BYTES];
        snprintf(path, sizeof path, "%s/%s%s%s", w->output, w->table, *dir ? "/" : "", dir);
        p->next_part = next_part_in(path);
    }
    *out = w->last_part = w->n_parts++;
    return DSG_OK;
}

static dsg_status open_file(dsg_table_writer *w, partition *p, dsg_error *err)
{
    char name[PATH_MAX_BYTES];
    if (w->session)
        DSGI_FORWARD(dsg_table_session_file_name(w->session, p->dir, p->next_part, name, sizeof name, err));
    else
        DSGI_RETURN_IF((size_t)snprintf(name, sizeof name, "%s%spart-%05u.parquet", p->dir, *p->dir ? "/" : "",
                                        p->next_part) >= sizeof name,
                       err, DSG_EINVAL, "partition path too long in table %s", w->table);
    dsgi_free(p->rel);
    p->rel = dsgi_strdup(name);
    DSGI_RETURN_IF(p->rel == NULL, err, DSG_ENOMEM, "out of memory");
    dsg_sink *sink = NULL;
    if (w->s3) {
        char key[PATH_MAX_BYTES + 1100];
        snprintf(key, sizeof key, "%s%s", w->s3_prefix, name);
        DSGI_FORWARD(dsgi_s3_sink_open(&sink, w->s3, key, err));
    } else {
        char path[PATH_MAX_BYTES * 2];
        snprintf(path, sizeof path, "%s/%s/%s", w->output, w->table, name);
        char *slash = strrchr(path, '/');
        *slash = '\0';
        DSGI_FORWARD(dsgi_make_dirs(path, err));
        *slash = '/';
        DSGI_FORWARD(dsg_file_sink_open(&sink, path, err));
    }
    p->next_part++;
    p->file_rows = 0;
    return dsg_parquet_writer_open(&p->w, sink, w->file_fields, w->n_file, &w->opt.parquet, err);
}

static dsg_status close_file(dsg_table_writer *w, partition *p, dsg_error *err)
{
    dsg_status st = dsg_parquet_writer_close(p->w, err);
    uint64_t bytes = dsg_parquet_writer_bytes(p->w);
    if (st == DSG_OK && w->session) {
        const dsg_column_stats *cols;
        size_t n;
        st = dsg_parquet_writer_column_stats(p->w, &cols, &n, err);
        if (st == DSG_OK)
            st = dsg_table_session_add_file(w->session, p->rel, p->file_rows, bytes, cols, n, err);
    }
    if (st == DSG_OK) {
        w->stats.files++;
        w->stats.bytes += bytes;
    }
    dsg_parquet_writer_free(p->w);
    p->w = NULL;
    return st;
}

/* Writes rows [r0, r0 + n) of the columns into partition p, cutting files
 * at file_rows_target. */
static dsg_status write_rows(dsg_table_writer *w, partition *p, const dsg_array *columns, size_t r0, size_t n,
                             dsg_error *err)
{
    while (n > 0) {
        DSGI_RETURN_IF(w->opt.cancel != NULL && *w->opt.cancel, err, EINTR, "interrupted");
        if (p->w == NULL)
            DSGI_FORWARD(open_file(w, p, err));
        size_t k = (size_t)DSGI_MIN((uint64_t)n, w->opt.file_rows_target - p->file_rows);
        k = DSGI_MIN(k, (size_t)1 << 20);
        dsg_status st = DSG_OK;
        size_t made = 0;
        for (size_t c = 0; st == DSG_OK && c < w->n_file; c++) {
            st = slice(&w->file_fields[c], &columns[w->file_cols[c]], r0, k, &w->slice[c], err);
            made = c + 1;
        }
        if (st == DSG_OK)
            st = dsg_parquet_writer_write(p->w, w->slice, k, err);
        for (size_t c = 0; c < made; c++)
            slice_free(&w->file_fields[c], &w->slice[c]);
        DSGI_FORWARD(st);
        p->file_rows += k;
        w->stats.rows += k;
        r0 += k;
        n -= k;
        if (p->file_rows >= w->opt.file_rows_target)
            DSGI_FORWARD(close_file(w, p, err));
    }
    return DSG_OK;
}

static dsg_status write_inner(dsg_table_writer *w, const dsg_array *columns, size_t n_rows, dsg_error *err)
{
    for (size_t c = 0; c < w->n_fields; c++)
        DSGI_RETURN_IF(columns[c].type != w->fields[c].type || columns[c].length < n_rows, err, DSG_ETYPE,
                       "column %s does not match the table's schema", w->fields[c].name);
    if (w->n_part == 0) {
        size_t p;
        DSGI_FORWARD(find_partition(w, "", &p, err));
        return write_rows(w, &w->parts[p], columns, 0, n_rows, err);
    }
    size_t i = 0;
    while (i < n_rows) {
        size_t j = i + 1;
        while (j < n_rows) {
            int same = 1;
            for (size_t k = 0; same && k < w->n_part; k++) {
                size_t c = w->part_cols[k];
                same = same_value(&w->fields[c], &columns[c], i, j);
            }
            if (!same)
                break;
            j++;
        }
        char dir[PATH_MAX_BYTES];
        size_t len = 0;
        for (size_t k = 0; k < w->n_part; k++) {
            size_t c = w->part_cols[k];
            char text[VALUE_TEXT_MAX];
            value_text(&w->fields[c], &columns[c], i, text, sizeof text);
            int m = snprintf(dir + len, sizeof dir - len, "%s%s=%s", k ? "/" : "", w->fields[c].name, text);
            DSGI_RETURN_IF(m < 0 || (size_t)m >= sizeof dir - len, err, DSG_EINVAL,
                           "partition path too long in table %s", w->table);
            len += (size_t)m;
        }
        size_t p;
        DSGI_FORWARD(find_partition(w, dir, &p, err));
        DSGI_FORWARD(write_rows(w, &w->parts[p], columns, i, j - i, err));
        i = j;
    }
    return DSG_OK;
}

dsg_status dsg_table_writer_write(dsg_table_writer *w, const dsg_array *columns, size_t n_rows, dsg_error *err)
{
    DSGI_RETURN_IF(w == NULL, err, DSG_EINVAL, "no table writer given");
    DSGI_RETURN_IF(w->closed, err, DSG_ESTATE, "write to a table writer after close");
    DSGI_RETURN_IF(w->failed, err, DSG_ESTATE, "write to a table writer that failed earlier");
    if (n_rows == 0)
        return DSG_OK;
    DSGI_RETURN_IF(columns == NULL, err, DSG_EINVAL, "no columns given");
    dsg_status st = write_inner(w, columns, n_rows, err);
    if (st != DSG_OK) {
        w->failed = 1;
        for (size_t i = 0; i < w->n_parts; i++) {
            dsg_parquet_writer_free(w->parts[i].w);
            w->parts[i].w = NULL;
        }
    }
    return st;
}

dsg_status dsg_table_writer_close(dsg_table_writer *w, dsg_run_stats *stats, dsg_error *err)
{
    DSGI_RETURN_IF(w == NULL, err, DSG_EINVAL, "no table writer given");
    DSGI_RETURN_IF(w->closed || w->failed, err, DSG_ESTATE, "close of a table writer that is closed or failed");
    dsg_status st = DSG_OK;
    for (size_t i = 0; i < w->n_parts; i++) {
        if (w->parts[i].w == NULL)
            continue;
        if (st == DSG_OK)
            st = close_file(w, &w->parts[i], err);
        dsg_parquet_writer_free(w->parts[i].w);
        w->parts[i].w = NULL;
    }
    if (st == DSG_OK && w->session) {
        int64_t version;
        st = dsg_table_session_commit(w->session, &version, err);
    }
    if (st != DSG_OK) {
        w->failed = 1;
        return st;
    }
    w->closed = 1;
    w->stats.tables = 1;
    if (stats)
        *stats = w->stats;
    return DSG_OK;
}

/* ---- Arrow streams ---- */

static dsg_status stream_error(struct ArrowArrayStream *s, int rc, const char *what, dsg_error *err)
{
    const char *msg = s->get_last_error ? s->get_last_error(s) : NULL;
    return dsgi_fail(err, rc > 0 ? rc : DSG_EIO, "the Arrow stream failed to %s: %s", what,
                     msg ? msg : strerror(rc > 0 ? rc : EIO));
}

dsg_status dsg_write_arrow_stream(const dsg_writer_options *opt, struct ArrowArrayStream *stream,
                                  dsg_run_stats *stats, dsg_error *err)
{
    DSGI_RETURN_IF(stream == NULL || stream->release == NULL, err, DSG_EINVAL,
                   "no Arrow stream given (or it was released)");
    struct ArrowSchema schema;
    memset(&schema, 0, sizeof schema);
    dsg_arrow_importer *imp = NULL;
    dsg_table_writer *w = NULL;
    dsg_status st;
    int rc = stream->get_schema(stream, &schema);
    if (rc != 0)
        st = stream_error(stream, rc, "give its schema", err);
    else
        st = dsg_arrow_importer_create(&imp, &schema, err);
    size_t n_fields = 0;
    const dsg_field *fields = st == DSG_OK ? dsg_arrow_importer_fields(imp, &n_fields) : NULL;
    if (st == DSG_OK)
        st = dsg_table_writer_open(&w, opt, fields, n_fields, err);
    while (st == DSG_OK) {
        struct ArrowArray batch;
        memset(&batch, 0, sizeof batch);
        rc = stream->get_next(stream, &batch);
        if (rc != 0) {
            st = stream_error(stream, rc, "give a batch", err);
            break;
        }
        if (batch.release == NULL)
            break; /* end of stream */
        const dsg_array *cols;
        size_t n;
        st = dsg_arrow_importer_convert(imp, &batch, &cols, &n, err);
        if (st == DSG_OK)
            st = dsg_table_writer_write(w, cols, n, err);
        batch.release(&batch);
    }
    if (st == DSG_OK)
        st = dsg_table_writer_close(w, stats, err);
    dsg_table_writer_free(w);
    dsg_arrow_importer_free(imp);
    if (schema.release)
        schema.release(&schema);
    stream->release(stream);
    return st;
}
