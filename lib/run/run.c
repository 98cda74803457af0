/*
 * run.c - writes a prepared dataset to an output directory: plans the
 * files, checks the destination, and runs worker threads that each
 * generate, encode, compress and commit whole files.
 *
 * Invariants:
 *  1. The plan is a pure function of the dataset and the options: file k of
 *     a partition holds rows [first + k * target, ...) and is named
 *     part-%05d (or <table>.<ext> when an unpartitioned table fits in one
 *     file), then the table's file_suffix if any (an increment's files). Each file's bytes are a pure function of its rows, so any
 *     thread count and any sharding give the same files.
 *  2. Shard K of N writes exactly the files whose index i in the plan has
 *     i % N == K; the union of the shards is the plan.
 *  3. Bad options are found before anything is created (DSG_EINVAL).
 *  4. Each file appears only complete (the sink's commit); when one file
 *     fails, workers stop taking new files, and dsg_run returns the first
 *     error. Files already committed stay: each is complete.
 *
 *  5. On s3://bucket/prefix the same keys are written under the prefix;
 *     one S3 client (connections, credentials) serves every file, and
 *     the emptiness check and --overwrite act on objects under
 *     "prefix/" and "prefix/<table>/".
 *  6. Modes of plain parquet/jsonl: create refuses a non-empty output
 *     (shards excepted: they write beside each other), overwrite (also
 *     --overwrite) first deletes the written tables' directories, append
 *     refuses, before writing anything, a run whose planned file already
 *     exists: it adds files and never replaces one.
 *  7. Table formats (--format delta|iceberg|ducklake): one commit session
 *     per selected table is opened before anything is written (mode and
 *     catalog errors are bad input: exit 2, nothing written). Data files
 *     are named part-<k>-<session uuid>.parquet under the hive
 *     directories, so appends and shards never collide; their bytes are
 *     the plain run's. Each committed file's statistics and partition
 *     values go to the session (dsg_table_session_add_file). When every
 *     file succeeded each table is committed and on_commit called; after
 *     any failure no table is committed (the files stay as orphans that
 *     no version references). Nothing is deleted: overwrite is the
 *     format's commit that removes the old files from the table.
 *  8. Shards of a table format each commit their own files. Under the
 *     default --mode create the shards pass "append" to the format, i.e.
 *     create-if-absent-else-append: the shards of one run create the table
 *     together, whichever commits first (so shards want a fresh location).
 *     A shard that wrote no file of a table commits nothing for it.
 *
 * run/ sits on top: it uses datasets/, parquet/, jsonl/, sinks/ and table/.
 */
#include "common/common.h"
#include "datasets/dataset_impl.h"
#include "jsonl/jsonl.h"
#include "run/tree.h"
#include "sinks/s3_client.h"
#include "table/table.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FILL_ROWS 16384
#define MAX_THREADS 256

typedef struct file_unit {
    size_t index;   /* in the plan */
    size_t table;
    uint64_t first_row, rows;
    char *rel_path; /* table/partition/part-00000.parquet */
} file_unit;

#define MAX_TABLES 64

typedef struct run_ctx {
    dsg_dataset *ds;
    const dsg_run_options *opt;
    int jsonl;
    file_unit *units;
    size_t n_units;
    atomic_size_t next;
    atomic_int failed;
    pthread_mutex_t lock; /* callbacks, first error, totals */
    dsg_error first_err;
    uint64_t rows_total, rows_done, bytes_done, files_done;
    unsigned interrupts;  /* dsgi_interrupts when the run started */
    dsgi_s3_client *s3;  /* s3:// output only */
    char s3_prefix[1024]; /* key prefix, no '/' at either end */
    dsg_table_mode mode;  /* opt->mode, or overwrite for opt->overwrite */
    const dsgt_format *table_format;         /* NULL: plain files */
    dsg_table_session *sessions[MAX_TABLES]; /* per table, when selected */
} run_ctx;

void dsg_run_options_init(dsg_run_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->format = "parquet";
    dsg_parquet_options_init(&opt->parquet);
    /* Row groups of 128 Ki rows: what engines prune well, and what keeps a
     * worker's open row group (its memory) small. */
    opt->parquet.row_group_rows = 131072;
    opt->file_rows_target = 250000;
}

static int interrupted(const run_ctx *rc) { return atomic_load(&dsgi_interrupts) != rc->interrupts; }

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}


static int dir_is_empty(const char *path)
{
    DIR *d = opendir(path);
    if (d == NULL)
        return 1;
    struct dirent *e;
    int empty = 1;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            empty = 0;
    closedir(d);
    return empty;
}

static int table_selected(const dsg_run_options *opt, const char *name)
{
    if (opt->tables == NULL || opt->n_tables == 0)
        return 1;
    for (size_t i = 0; i < opt->n_tables; i++)
        if (strcmp(opt->tables[i], name) == 0)
            return 1;
    return 0;
}

static dsg_status check_options(run_ctx *rc, dsg_dataset *ds, const dsg_run_options *opt, dsg_error *err)
{
    DSGI_RETURN_IF(opt->output == NULL || *opt->output == '\0', err, DSG_EINVAL, "no output directory given");
    const char *fmt = opt->format ? opt->format : "parquet";
    if (strcmp(fmt, "parquet") != 0 && strcmp(fmt, "jsonl") != 0) {
        rc->table_format = dsgt_format_find(fmt);
        DSGI_RETURN_IF(rc->table_format == NULL && dsgt_format_known(fmt), err, DSG_EINVAL,
                       "format '%s' is not available in this build", fmt);
        DSGI_RETURN_IF(rc->table_format == NULL, err, DSG_EINVAL,
                       "unknown format '%s' (available: parquet, jsonl, delta, iceberg, ducklake)", fmt);
    }
    rc->jsonl = strcmp(fmt, "jsonl") == 0;
    DSGI_RETURN_IF(opt->mode != DSG_MODE_CREATE && opt->mode != DSG_MODE_APPEND && opt->mode != DSG_MODE_OVERWRITE,
                   err, DSG_EINVAL, "unknown mode %d", (int)opt->mode);
    DSGI_RETURN_IF(opt->overwrite && opt->mode == DSG_MODE_APPEND, err, DSG_EINVAL,
                   "--overwrite contradicts --mode append");
    rc->mode = opt->overwrite ? DSG_MODE_OVERWRITE : opt->mode;
    DSGI_RETURN_IF(opt->catalog != NULL && opt->catalog->uri != NULL && rc->table_format == NULL, err, DSG_EINVAL,
                   "a catalog (--catalog-uri) needs a table format (--format iceberg or ducklake), not %s", fmt);
    DSGI_RETURN_IF(opt->file_rows_target < 1 || opt->file_rows_target > ((uint64_t)1 << 40), err, DSG_EINVAL,
                   "--file-rows-target must be between 1 and 2^40, not %llu",
                   (unsigned long long)opt->file_rows_target);
    DSGI_RETURN_IF(opt->threads < 0 || opt->threads > MAX_THREADS, err, DSG_EINVAL,
                   "--threads must be between 1 and %d, not %d", MAX_THREADS, opt->threads);
    DSGI_RETURN_IF(opt->shard_count > 1 && opt->shard_index >= opt->shard_count, err, DSG_EINVAL,
                   "shard %u does not exist in %u shards", opt->shard_index + 1, opt->shard_count);
    /* Shards run at the same time: one shard's --overwrite would delete
     * what the others have already written. */
    DSGI_RETURN_IF(rc->mode == DSG_MODE_OVERWRITE && opt->shard_count > 1, err, DSG_EINVAL,
                   "--overwrite cannot be combined with --shard (shards run at the same time; "
                   "empty the output before starting them)");
    for (size_t i = 0; i < opt->n_tables; i++) {
        int known = 0;
        for (size_t t = 0; t < dsg_dataset_n_tables(ds); t++) {
            dsg_table_info info;
            DSGI_FORWARD(dsg_dataset_table(ds, t, &info, err));
            known |= strcmp(info.name, opt->tables[i]) == 0;
        }
        DSGI_RETURN_IF(!known, err, DSG_EINVAL, "--tables: the dataset has no table '%s'", opt->tables[i]);
    }
    if (strncmp(opt->output, "s3://", 5) == 0)
        return DSG_OK; /* s3_open checks the URI and the S3 options */
    /* "s3:/bkt/x", "S3://bkt", "s3a://bkt": a URI that is not s3:// would
     * otherwise become a local directory named "s3:" */
    size_t scheme = strspn(opt->output, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
    if (scheme > 0 && opt->output[scheme] == ':') {
        char shown[1200];
        dsgi_uri_redact(opt->output, shown, sizeof shown);
        return dsgi_fail(err, DSG_EINVAL,
                         "output %s is neither s3://BUCKET/PREFIX nor a local directory (for a directory "
                         "whose name has a ':', write ./%s)",
                         shown, shown);
    }
    struct stat st;
    if (stat(opt->output, &st) == 0) {
        DSGI_RETURN_IF(!S_ISDIR(st.st_mode), err, DSG_EINVAL, "output %s exists and is not a directory",
                       opt->output);
        DSGI_RETURN_IF(access(opt->output, W_OK | X_OK) != 0, err, DSG_EINVAL,
                       "output directory %s is not writable", opt->output);
        /* plain files, --mode create: an empty directory (a table format
         * checks each table itself; append checks every planned file) */
        DSGI_RETURN_IF(rc->table_format == NULL && rc->mode == DSG_MODE_CREATE && opt->shard_count <= 1 &&
                           !dir_is_empty(opt->output),
                       err, DSG_EINVAL,
                       "output directory %s is not empty (use --mode overwrite to replace the dataset's tables in it, "
                       "or --mode append to add files)",
                       opt->output);
    }
    return DSG_OK;
}

dsg_status dsg_run_check(const dsg_dataset *ds, const dsg_run_options *opt, dsg_error *err)
{
    run_ctx rc;
    memset(&rc, 0, sizeof rc);
    return check_options(&rc, (dsg_dataset *)ds, opt, err);
}

static void free_units(file_unit *u, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dsgi_free(u[i].rel_path);
    dsgi_free(u);
}

/* Room for unit n in the plan: doubles the array (zeroed) when full. */
static dsg_status units_reserve(file_unit **u, size_t *cap, size_t n, dsg_error *err)
{
    if (n < *cap)
        return DSG_OK;
    file_unit *q = dsgi_realloc(*u, *cap * 2 * sizeof *q);
    DSGI_RETURN_IF(q == NULL, err, DSG_ENOMEM, "out of memory (plan)");
    memset(q + *cap, 0, *cap * sizeof *q);
    *u = q;
    *cap *= 2;
    return DSG_OK;
}

static int larger_first(const void *pa, const void *pb)
{
    const file_unit *a = pa, *b = pb;
    if (a->rows != b->rows)
        return a->rows > b->rows ? -1 : 1;
    return (a->index > b->index) - (a->index < b->index);
}

/* Whether the file rel_path can exist at the destination: an S3 key of at
 * most 1024 bytes without dot segments; a local path (and its temporary
 * name, file_sink.c) within PATH_MAX, each name within NAME_MAX. */
static dsg_status check_name(const run_ctx *rc, const char *rel_path, dsg_error *err)
{
    const char *out = rc->opt->output;
    if (rc->s3) {
        char key[DSGI_S3_MAX_KEY + 2];
        int n = snprintf(key, sizeof key, "%s%s%s", rc->s3_prefix, *rc->s3_prefix ? "/" : "", rel_path);
        DSGI_RETURN_IF(n < 0 || (size_t)n > DSGI_S3_MAX_KEY, err, DSG_EINVAL,
                       "the S3 object key %s%s%s would have %d bytes; S3 allows at most %d (use a shorter prefix)",
                       rc->s3_prefix, *rc->s3_prefix ? "/" : "", rel_path, n, DSGI_S3_MAX_KEY);
        return dsgi_s3_key_check(key, err);
    }
    const size_t temp_extra = 1 + sizeof ".tmp--" + 10 + 10; /* ".NAME.tmp-PID-N" */
    size_t total = strlen(out) + 1 + strlen(rel_path) + temp_extra;
    DSGI_RETURN_IF(total >= PATH_MAX, err, DSG_EINVAL,
                   "the output path %s/%s would be too long (%zu bytes with its temporary name; the system allows %d)",
                   out, rel_path, total, PATH_MAX - 1);
    long name_max = pathconf(out, _PC_NAME_MAX);
    if (name_max <= 0)
        name_max = NAME_MAX;
    for (const char *p = out; *p;) {
        size_t seg = strcspn(p, "/");
        DSGI_RETURN_IF((long)seg > name_max, err, DSG_EINVAL,
                       "the output directory %s has a name of %zu bytes; the file system allows %ld", out, seg,
                       name_max);
        p += seg + (p[seg] == '/');
    }
    for (const char *p = rel_path; *p;) {
        size_t seg = strcspn(p, "/");
        int last = p[seg] == '\0';
        DSGI_RETURN_IF((long)(seg + (last ? temp_extra : 0)) > name_max, err, DSG_EINVAL,
                       "the output path %s/%s has a name of %zu bytes (with its temporary name); the file "
                       "system allows %ld", out, rel_path, seg + (last ? temp_extra : 0), name_max);
        p += seg + !last;
    }
    return DSG_OK;
}

static dsg_status plan(run_ctx *rc, dsg_error *err)
{
    const dsg_run_options *opt = rc->opt;
    const char *ext = rc->jsonl ? "jsonl" : "parquet";
    size_t cap = 64, n = 0;
    file_unit *u = dsgi_calloc(cap, sizeof *u);
    DSGI_RETURN_IF(u == NULL, err, DSG_ENOMEM, "out of memory (plan)");
    dsg_status st = DSG_OK;
    for (size_t t = 0; st == DSG_OK && t < dsg_dataset_n_tables(rc->ds); t++) {
        dsg_table_info info;
        st = dsg_dataset_table(rc->ds, t, &info, err);
        if (st != DSG_OK || !table_selected(opt, info.name))
            continue;
        if (!dsgi_dataset_table_planned(rc->ds, t)) {
            st = dsgi_fail(err, DSG_EINVAL, "table %s was not selected before the dataset was prepared",
                           info.name);
            break;
        }
        size_t table_first = n;
        for (size_t p = 0; st == DSG_OK && p < info.n_partitions; p++) {
            char part[1024];
            uint64_t first, rows;
            st = dsg_dataset_partition(rc->ds, t, p, part, sizeof part, &first, &rows, err);
            uint64_t n_files = st == DSG_OK ? (rows + opt->file_rows_target - 1) / opt->file_rows_target : 0;
            for (uint64_t k = 0; st == DSG_OK && k < n_files; k++) {
                if ((st = units_reserve(&u, &cap, n, err)) != DSG_OK)
                    break;
                char rel[1400];
                const char *sfx = info.file_suffix ? info.file_suffix : "";
                if (rc->sessions[t] != NULL) { /* table format: names unique to the session */
                    size_t tl = (size_t)snprintf(rel, sizeof rel, "%s/", info.name);
                    st = dsg_table_session_file_name(rc->sessions[t], part, k, rel + tl, sizeof rel - tl, err);
                    if (st != DSG_OK)
                        break;
                } else if (info.n_partition_by == 0 && n_files == 1) {
                    snprintf(rel, sizeof rel, "%s/%s%s.%s", info.name, info.name, sfx, ext);
                } else {
                    snprintf(rel, sizeof rel, "%s%s%s/part-%05llu%s.%s", info.name, *part ? "/" : "", part,
                             (unsigned long long)k, sfx, ext);
                }
                u[n].index = n;
                u[n].table = t;
                u[n].first_row = first + k * opt->file_rows_target;
                u[n].rows = DSGI_MIN(opt->file_rows_target, rows - k * opt->file_rows_target);
                u[n].rel_path = dsgi_strdup(rel);
                if (u[n].rel_path == NULL)
                    st = dsgi_fail(err, DSG_ENOMEM, "out of memory (plan)");
                n++;
            }
        }
        /* A table without rows is still written, as one file with its
         * schema and no rows, so that readers see the table. */
        if (st == DSG_OK && n == table_first) {
            if ((st = units_reserve(&u, &cap, n, err)) != DSG_OK)
                break;
            char rel[1400];
            snprintf(rel, sizeof rel, "%s/%s%s.%s", info.name, info.name,
                     info.file_suffix ? info.file_suffix : "", ext);
            u[n] = (file_unit){n, t, 0, 0, dsgi_strdup(rel)};
            if (u[n].rel_path == NULL)
                st = dsgi_fail(err, DSG_ENOMEM, "out of memory (plan)");
            n++;
        }
    }
    if (st != DSG_OK) {
        free_units(u, n);
        return st;
    }
    /* keep this shard's files only */
    if (opt->shard_count > 1) {
        size_t kept = 0;
        for (size_t i = 0; i < n; i++) {
            if (i % opt->shard_count == opt->shard_index)
                u[kept++] = u[i];
            else
                dsgi_free(u[i].rel_path);
        }
        n = kept;
    }
    /* Every name must be possible before the first byte is written. */
    for (size_t i = 0; st == DSG_OK && i < n; i++)
        st = check_name(rc, u[i].rel_path, err);
    if (st != DSG_OK) {
        free_units(u, n);
        return st;
    }
    /* Largest files first, so that no worker is left with a big file
     * while the others idle at the end. Only the order of work changes:
     * each file's bytes do not depend on it. */
    qsort(u, n, sizeof *u, larger_first);
    rc->units = u;
    rc->n_units = n;
    for (size_t i = 0; i < n; i++)
        rc->rows_total += u[i].rows;
    return DSG_OK;
}

/* The sink of one file: an S3 object under the prefix, or a local file
 * (its directory created). */
static dsg_status open_sink(run_ctx *rc, const char *rel_path, dsg_sink **out, dsg_error *err)
{
    char path[4600];
    if (rc->s3) {
        snprintf(path, sizeof path, "%s%s%s", rc->s3_prefix, *rc->s3_prefix ? "/" : "", rel_path);
        return dsgi_s3_sink_open(out, rc->s3, path, err);
    }
    snprintf(path, sizeof path, "%s/%s", rc->opt->output, rel_path);
    char dir[4600];
    memcpy(dir, path, sizeof dir);
    *strrchr(dir, '/') = '\0';
    DSGI_FORWARD(dsgi_make_dirs(dir, err));
    return dsg_file_sink_open(out, path, err);
}

/* Writes one file: generate its rows batch by batch into a writer. */
static dsg_status write_unit(run_ctx *rc, const file_unit *u, dsg_batch **batches, dsg_error *err)
{
    const dsg_run_options *opt = rc->opt;
    dsg_table_info info;
    DSGI_FORWARD(dsg_dataset_table(rc->ds, u->table, &info, err));
    if (batches[u->table] == NULL)
        DSGI_FORWARD(dsg_batch_create(&batches[u->table], rc->ds, u->table, err));
    dsg_sink *sink = NULL;
    DSGI_FORWARD(open_sink(rc, u->rel_path, &sink, err));
    dsg_parquet_writer *pw = NULL;
    dsgi_jsonl_writer *jw = NULL;
    dsg_status st;
    if (rc->jsonl) {
        st = dsgi_jsonl_open(&jw, sink, info.fields, info.n_fields, err);
    } else {
        dsg_parquet_options po = opt->parquet;
        dsg_table_session *ts = rc->sessions[u->table];
        if (ts != NULL)
            po.field_ids = dsg_table_session_needs_field_ids(ts);
        st = dsg_parquet_writer_open(&pw, sink, info.fields, info.n_fields, &po, err);
    }
    uint64_t done = 0;
    while (st == DSG_OK && done < u->rows && !atomic_load(&rc->failed) && !interrupted(rc)) {
        if (opt->cancel != NULL && *opt->cancel) {
            st = dsgi_fail(err, EINTR, "interrupted");
            break;
        }
        size_t n = (size_t)DSGI_MIN((uint64_t)FILL_ROWS, u->rows - done);
        const dsg_array *cols = NULL;
        st = dsg_dataset_fill(rc->ds, u->table, u->first_row + done, n, batches[u->table], &cols, err);
        if (st == DSG_OK)
            st = rc->jsonl ? dsgi_jsonl_write(jw, cols, n, err) : dsg_parquet_writer_write(pw, cols, n, err);
        done += n;
        if (st == DSG_OK) {
            pthread_mutex_lock(&rc->lock);
            rc->rows_done += n;
            if (opt->on_progress)
                opt->on_progress(opt->ctx, rc->rows_done, rc->rows_total, rc->bytes_done);
            pthread_mutex_unlock(&rc->lock);
        }
    }
    if (st == DSG_OK && interrupted(rc))
        st = dsgi_fail(err, DSG_EINTR, "interrupted while writing %s", u->rel_path);
    else if (st == DSG_OK && atomic_load(&rc->failed))
        st = dsgi_fail(err, DSG_EIO, "stopped after an error in another file");
    uint64_t bytes = 0;
    if (st == DSG_OK) {
        if (rc->jsonl) {
            st = dsgi_jsonl_close(jw, err);
            bytes = sink->bytes_written;
        } else {
            st = dsg_parquet_writer_close(pw, err);
            bytes = dsg_parquet_writer_bytes(pw);
        }
    }
    if (st == DSG_OK && rc->sessions[u->table] != NULL) {
        /* the committed file, to its table's session (which locks) */
        const dsg_column_stats *cols = NULL;
        size_t n_cols = 0;
        st = dsg_parquet_writer_column_stats(pw, &cols, &n_cols, err);
        if (st == DSG_OK)
            st = dsg_table_session_add_file(rc->sessions[u->table], u->rel_path + strlen(info.name) + 1, u->rows,
                                            bytes, cols, n_cols, err);
    }
    dsgi_jsonl_free(jw);
    dsg_parquet_writer_free(pw);
    if (st == DSG_OK) {
        pthread_mutex_lock(&rc->lock);
        rc->bytes_done += bytes;
        rc->files_done++;
        if (opt->on_file)
            opt->on_file(opt->ctx, info.name, u->rel_path, u->rows, bytes);
        pthread_mutex_unlock(&rc->lock);
    }
    return st;
}

/* --overwrite replaces the directories of the tables being written,
 * nothing else in the output directory. */
static dsg_status local_prepare(run_ctx *rc, dsg_error *err)
{
    const dsg_run_options *opt = rc->opt;
    dsg_status st = DSG_OK;
    if (rc->mode == DSG_MODE_OVERWRITE && rc->table_format == NULL) {
        for (size_t t = 0; st == DSG_OK && t < dsg_dataset_n_tables(rc->ds); t++) {
            dsg_table_info info;
            st = dsg_dataset_table(rc->ds, t, &info, err);
            if (st != DSG_OK || !table_selected(opt, info.name))
                continue;
            char dir[4600];
            snprintf(dir, sizeof dir, "%s/%s", opt->output, info.name);
            st = dsgi_tree_remove(dir, err);
        }
    }
    if (st == DSG_OK)
        st = dsgi_make_dirs(opt->output, err);
    return st;
}

/* For s3:// output: the bucket's client and the key prefix. Bad URIs and
 * S3 options (missing credentials too) fail with DSG_EINVAL; nothing is
 * sent yet. */
static dsg_status s3_open(run_ctx *rc, dsg_error *err)
{
    const dsg_run_options *opt = rc->opt;
    if (strncmp(opt->output, "s3://", 5) != 0)
        return DSG_OK;
    char bucket[64];
    DSGI_FORWARD(dsgi_s3_uri_parse(opt->output, bucket, sizeof bucket, rc->s3_prefix, sizeof rc->s3_prefix, err));
    DSGI_RETURN_IF(opt->s3 == NULL, err, DSG_EINVAL, "no S3 credentials: output %s needs an S3 configuration",
                   opt->output);
    return dsgi_s3_client_create(&rc->s3, opt->s3, bucket, err);
}

/* The S3 side of local_prepare: a prefix that holds objects is refused
 * (unless --overwrite, or sharding, where other shards write beside us);
 * --overwrite deletes the objects under each written table's prefix. */
static dsg_status s3_prepare(run_ctx *rc, dsg_error *err)
{
    const dsg_run_options *opt = rc->opt;
    char prefix[1100];
    snprintf(prefix, sizeof prefix, "%s%s", rc->s3_prefix, *rc->s3_prefix ? "/" : "");
    if (rc->table_format != NULL || rc->mode == DSG_MODE_APPEND)
        return DSG_OK; /* formats check their tables; append checks each planned file */
    if (rc->mode != DSG_MODE_OVERWRITE) {
        int used = 0;
        if (opt->shard_count <= 1)
            DSGI_FORWARD(dsgi_s3_prefix_used(rc->s3, prefix, &used, err));
        DSGI_RETURN_IF(used, err, DSG_EINVAL,
                       "output %s already holds objects (use --overwrite to replace the dataset's tables in it)",
                       opt->output);
        return DSG_OK;
    }
    for (size_t t = 0; t < dsg_dataset_n_tables(rc->ds); t++) {
        dsg_table_info info;
        DSGI_FORWARD(dsg_dataset_table(rc->ds, t, &info, err));
        if (!table_selected(opt, info.name))
            continue;
        char table_prefix[1200];
        snprintf(table_prefix, sizeof table_prefix, "%s%s/", prefix, info.name);
        DSGI_FORWARD(dsgi_s3_delete_prefix(rc->s3, table_prefix, err));
    }
    return DSG_OK;
}

/* --mode append of plain files: no planned file may exist already. */
typedef struct name_set {
    char **names;
    size_t n, cap;
    dsg_status st;
    const char *table;
} name_set;

static int collect_name(void *ctx, const char *rel, uint64_t size)
{
    (void)size;
    name_set *ns = ctx;
    if (ns->n == ns->cap) {
        size_t cap = ns->cap ? ns->cap * 2 : 256;
        char **p = dsgi_realloc(ns->names, cap * sizeof *p);
        if (p == NULL) {
            ns->st = DSG_ENOMEM;
            return 1;
        }
        ns->names = p;
        ns->cap = cap;
    }
    char full[1400];
    snprintf(full, sizeof full, "%s/%s", ns->table, rel);
    if ((ns->names[ns->n] = dsgi_strdup(full)) == NULL) {
        ns->st = DSG_ENOMEM;
        return 1;
    }
    ns->n++;
    return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static dsg_status check_append(run_ctx *rc, dsg_error *err)
{
    const dsg_run_options *opt = rc->opt;
    dsg_status st = DSG_OK;
    for (size_t t = 0; st == DSG_OK && t < dsg_dataset_n_tables(rc->ds); t++) {
        dsg_table_info info;
        st = dsg_dataset_table(rc->ds, t, &info, err);
        if (st != DSG_OK || !table_selected(opt, info.name))
            continue;
        char root[4400];
        snprintf(root, sizeof root, "%s/%s", opt->output, info.name);
        dsgt_store *store = NULL;
        name_set ns = {NULL, 0, 0, DSG_OK, info.name};
        st = dsgt_store_open(&store, root, opt->s3, err);
        if (st == DSG_OK)
            st = dsgt_store_list(store, "", collect_name, &ns, err);
        if (st == DSG_OK && ns.st != DSG_OK)
            st = dsgi_fail(err, ns.st, "out of memory (listing %s)", root);
        if (st == DSG_OK && ns.n > 1)
            qsort(ns.names, ns.n, sizeof *ns.names, cmp_str);
        for (size_t i = 0; st == DSG_OK && ns.n > 0 && i < rc->n_units; i++) {
            const char *want = rc->units[i].rel_path;
            if (rc->units[i].table == t && bsearch(&want, ns.names, ns.n, sizeof *ns.names, cmp_str) != NULL)
                st = dsgi_fail(err, DSG_EINVAL,
                               "--mode append never replaces a file, and %s/%s already exists (a run with other "
                               "dates or options appends new files)",
                               opt->output, want);
        }
        for (size_t i = 0; i < ns.n; i++)
            dsgi_free(ns.names[i]);
        dsgi_free(ns.names);
        dsgt_store_free(store);
    }
    return st;
}

/* Opens one commit session per selected table (invariant 7). */
static dsg_status open_sessions(run_ctx *rc, dsg_error *err)
{
    const dsg_run_options *opt = rc->opt;
    if (rc->table_format == NULL)
        return DSG_OK;
    for (size_t t = 0; t < dsg_dataset_n_tables(rc->ds); t++) {
        dsg_table_info info;
        DSGI_FORWARD(dsg_dataset_table(rc->ds, t, &info, err));
        if (!table_selected(opt, info.name))
            continue;
        dsg_table_options to = {
            .format = rc->table_format->name,
            .output = opt->output,
            .s3 = opt->s3,
            .name = info.name,
            .fields = info.fields,
            .n_fields = info.n_fields,
            .partition_by = info.partition_by,
            .n_partition_by = info.n_partition_by,
            .partition_source = info.partition_source,
            .partition_transforms = info.partition_transforms,
            /* invariant 8: shards create the table together */
            .mode = rc->mode == DSG_MODE_CREATE && opt->shard_count > 1 ? DSG_MODE_APPEND : rc->mode,
            .catalog = opt->catalog,
        };
        DSGI_FORWARD(dsg_table_session_open(&rc->sessions[t], &to, err));
    }
    return DSG_OK;
}

static void free_sessions(run_ctx *rc)
{
    for (size_t t = 0; t < MAX_TABLES; t++) {
        dsg_table_session_free(rc->sessions[t]);
        rc->sessions[t] = NULL;
    }
}

/* Every file is written: one commit per table, or one for the whole run
 * when the format commits several tables at once (invariant 7). */
static dsg_status commit_sessions(run_ctx *rc, dsg_error *err)
{
    const dsg_run_options *opt = rc->opt;
    dsg_table_session *group[MAX_TABLES];
    size_t table_of[MAX_TABLES], n = 0;
    int64_t versions[MAX_TABLES] = {0};
    for (size_t t = 0; t < MAX_TABLES; t++) {
        dsg_table_session *ts = rc->sessions[t];
        if (ts == NULL)
            continue;
        if (opt->shard_count > 1 && dsg_table_session_files(ts) == 0)
            continue; /* invariant 8 */
        table_of[n] = t;
        group[n++] = ts;
    }
    DSGI_FORWARD(dsgt_sessions_commit(group, n, versions, err));
    for (size_t i = 0; i < n && opt->on_commit; i++) {
        dsg_table_info info;
        DSGI_FORWARD(dsg_dataset_table(rc->ds, table_of[i], &info, err));
        opt->on_commit(opt->ctx, info.name, rc->table_format->name, versions[i]);
    }
    return DSG_OK;
}

static void *worker(void *arg)
{
    run_ctx *rc = arg;
    dsg_batch *batches[MAX_TABLES] = {0};
    size_t n_tables = DSGI_MIN(dsg_dataset_n_tables(rc->ds), (size_t)MAX_TABLES);
    for (;;) {
        size_t i = atomic_fetch_add(&rc->next, 1);
        if (i >= rc->n_units || atomic_load(&rc->failed) || interrupted(rc))
            break;
        dsg_error e;
        dsg_error_clear(&e);
        dsg_status st = write_unit(rc, &rc->units[i], batches, &e);
        if (st != DSG_OK) {
            pthread_mutex_lock(&rc->lock);
            if (!atomic_exchange(&rc->failed, 1)) {
                rc->first_err = e;
                rc->first_err.status = st;
            }
            pthread_mutex_unlock(&rc->lock);
            break;
        }
    }
    for (size_t t = 0; t < n_tables; t++)
        dsg_batch_free(batches[t]);
    return NULL;
}

dsg_status dsg_run(dsg_dataset *ds, const dsg_run_options *opt, dsg_run_stats *stats, dsg_error *err)
{
    double t0 = now_seconds();
    run_ctx rc;
    memset(&rc, 0, sizeof rc);
    rc.ds = ds;
    rc.opt = opt;
    rc.interrupts = atomic_load(&dsgi_interrupts);
    DSGI_FORWARD(check_options(&rc, ds, opt, err));
    DSGI_RETURN_IF(dsg_dataset_n_tables(ds) > MAX_TABLES, err, DSG_EINVAL, "too many tables");
    DSGI_FORWARD(s3_open(&rc, err));
    dsg_status st = open_sessions(&rc, err);
    if (st == DSG_OK)
        st = plan(&rc, err);
    if (st == DSG_OK && rc.table_format == NULL && rc.mode == DSG_MODE_APPEND)
        st = check_append(&rc, err);
    if (st == DSG_OK)
        st = rc.s3 ? s3_prepare(&rc, err) : local_prepare(&rc, err);
    if (st != DSG_OK) {
        free_sessions(&rc);
        free_units(rc.units, rc.n_units);
        dsgi_s3_client_free(rc.s3);
        return st;
    }
    /* Memory is about one open row group (and its batch) per worker, so
     * it grows with the workers, not with the data. Local output is
     * CPU-bound: workers beyond the cores cannot go faster and would only
     * hold more row groups, so there are never more than cores. S3 output
     * waits on the network and may use more. */
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int threads = opt->threads;
    if (threads == 0)
        threads = cores > 0 ? (int)DSGI_MIN(cores, (long)MAX_THREADS) : 1;
    if (rc.s3 == NULL && cores > 0 && threads > cores)
        threads = (int)cores;
    if ((size_t)threads > rc.n_units)
        threads = rc.n_units ? (int)rc.n_units : 1;
    pthread_mutex_init(&rc.lock, NULL);
    pthread_t tids[MAX_THREADS];
    int started = 0;
    for (int i = 1; i < threads; i++) {
        if (pthread_create(&tids[i], NULL, worker, &rc) != 0)
            break;
        started = i;
    }
    worker(&rc);
    for (int i = 1; i <= started; i++)
        pthread_join(tids[i], NULL);
    pthread_mutex_destroy(&rc.lock);
    free_units(rc.units, rc.n_units);
    dsgi_s3_client_free(rc.s3);
    if (rc.failed) {
        free_sessions(&rc); /* nothing is committed */
        if (err)
            *err = rc.first_err;
        return rc.first_err.status;
    }
    /* Interrupted between files: nothing is half-written, but the run is
     * incomplete, so it must not count, nor be committed to a table. */
    if (interrupted(&rc) || atomic_load(&rc.next) < rc.n_units) {
        free_sessions(&rc); /* nothing is committed */
        return dsgi_fail(err, DSG_EINTR, "interrupted after %llu of %zu files",
                         (unsigned long long)rc.files_done, rc.n_units);
    }
    st = commit_sessions(&rc, err);
    free_sessions(&rc);
    if (st != DSG_OK)
        return st;
    if (stats) {
        stats->files = rc.files_done;
        stats->rows = rc.rows_done;
        stats->bytes = rc.bytes_done;
        stats->tables = 0;
        for (size_t t = 0; t < dsg_dataset_n_tables(ds); t++) {
            dsg_table_info info;
            if (dsg_dataset_table(ds, t, &info, NULL) == DSG_OK && table_selected(opt, info.name))
                stats->tables++;
        }
        stats->seconds = now_seconds() - t0;
    }
    return DSG_OK;
}

/* A rough size of one row's raw column data, for --dry-run: fixed-width
 * values at their width, strings and nested values at a guess. */
static uint64_t raw_row_bytes(const dsg_field *f, size_t n)
{
    uint64_t bytes = 0;
    for (size_t i = 0; i < n; i++) {
        switch (f[i].type) {
        case DSG_BOOL:
        case DSG_INT8: bytes += 1; break;
        case DSG_INT16: bytes += 2; break;
        case DSG_INT32:
        case DSG_DATE:
        case DSG_FLOAT: bytes += 4; break;
        case DSG_STRING: bytes += 16; break;
        case DSG_STRUCT: bytes += raw_row_bytes(f[i].children, f[i].n_children); break;
        case DSG_LIST: bytes += 3 * raw_row_bytes(f[i].children, f[i].n_children); break;
        default: bytes += 8; break;
        }
    }
    return bytes;
}

static int by_index(const void *pa, const void *pb)
{
    const file_unit *a = pa, *b = pb;
    return (a->index > b->index) - (a->index < b->index);
}

dsg_status dsg_run_plan(dsg_dataset *ds, const dsg_run_options *opt, dsg_run_stats *stats, dsg_error *err)
{
    double t0 = now_seconds();
    run_ctx rc;
    memset(&rc, 0, sizeof rc);
    rc.ds = ds;
    rc.opt = opt;
    DSGI_FORWARD(check_options(&rc, ds, opt, err));
    DSGI_RETURN_IF(dsg_dataset_n_tables(ds) > MAX_TABLES, err, DSG_EINVAL, "too many tables");
    DSGI_FORWARD(s3_open(&rc, err)); /* checks the URI and S3 options; sends nothing */
    dsg_status st = plan(&rc, err);
    dsgi_s3_client_free(rc.s3);
    DSGI_FORWARD(st);
    qsort(rc.units, rc.n_units, sizeof *rc.units, by_index);
    uint64_t rows = 0, bytes = 0;
    for (size_t i = 0; i < rc.n_units; i++) {
        const file_unit *u = &rc.units[i];
        dsg_table_info info;
        if (dsg_dataset_table(ds, u->table, &info, err) != DSG_OK) {
            free_units(rc.units, rc.n_units);
            return err ? err->status : DSG_EINTERNAL;
        }
        uint64_t b = u->rows * raw_row_bytes(info.fields, info.n_fields);
        rows += u->rows;
        bytes += b;
        if (opt->on_file)
            opt->on_file(opt->ctx, info.name, u->rel_path, u->rows, b);
    }
    if (stats) {
        stats->files = rc.n_units;
        stats->rows = rows;
        stats->bytes = bytes;
        stats->tables = 0;
        for (size_t t = 0; t < dsg_dataset_n_tables(ds); t++) {
            dsg_table_info info;
            if (dsg_dataset_table(ds, t, &info, NULL) == DSG_OK && table_selected(opt, info.name))
                stats->tables++;
        }
        stats->seconds = now_seconds() - t0;
    }
    free_units(rc.units, rc.n_units);
    return DSG_OK;
}
