/*
 * test_run_format.c - the run engine's side of table formats (lib/run/run.c
 * and lib/table/table_session.c) through a table format written here,
 * which records what it is given:
 *  - a run opens one session per table before writing, with the table's
 *    columns, partition source and transforms, mode and catalog;
 *  - every data file reaches add_file once, named part-NNNNN-<uuid>.parquet
 *    under its hive directories, with its rows, bytes (the file's size on
 *    disk), partition values (from its directories) and column statistics
 *    (field ids on, order_date within the file's partition);
 *  - when the run succeeds each table is committed once and on_commit
 *    reports its version; an append run adds new names beside the old;
 *  - a run that fails (add_file refusing, a directory blocked by a file)
 *    never commits; a refused open (mode create on an existing table)
 *    is bad input and writes nothing;
 *  - shards under --mode create reach the format as append, and together
 *    hold every row of one run.
 */
#include "dsg/dsg.h"
#include "table/table.h"
#include "test_util.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_FILES 512

/* ---- the recording format ---- */

typedef struct rec_file {
    char table[32];
    char rel[256];
    uint64_t rows, bytes;
    char parts[3][16];
    size_t n_parts;
} rec_file;

static struct {
    int opens, commits, frees, on_commits;
    dsg_table_mode modes[8];
    char root_uris[8][512];
    rec_file files[MAX_FILES];
    size_t n_files;
    int fail_add_after;      /* > 0: add_file fails once this many were added */
    int refuse_existing;     /* open: mode create on a table with a _committed marker is refused */
    int64_t next_version;
} rec;

struct dsgt_table {
    char name[32];
    dsgt_store *store;
    int n_fields;
    int date_col;            /* partition source, -1 */
    size_t n_levels;
    dsg_partition_transform tr[3];
    size_t files;
};

static dsg_status t_open(dsgt_table **out, const dsgt_table_args *a, dsg_error *err)
{
    CHECK(rec.opens < 8);
    rec.modes[rec.opens] = a->mode;
    snprintf(rec.root_uris[rec.opens], sizeof rec.root_uris[0], "%s", dsgt_store_uri(a->store));
    rec.opens++;
    /* the store is rooted at the table */
    const char *uri = dsgt_store_uri(a->store);
    size_t ul = strlen(uri), nl = strlen(a->table_name);
    CHECKF(ul > nl && strcmp(uri + ul - nl, a->table_name) == 0 && uri[ul - nl - 1] == '/', "store %s", uri);
    CHECK(strncmp(a->engine_info, "dataset-generator ", 18) == 0);
    if (rec.refuse_existing && a->mode == DSG_MODE_CREATE) {
        dsgi_buf b;
        dsgi_buf_init(&b, 1024);
        dsg_status st = dsgt_store_get(a->store, "_committed", &b, err);
        dsgi_buf_free(&b);
        if (st == DSG_OK)
            return dsgi_fail(err, DSG_EINVAL, "table %s already exists", a->table_name);
        CHECKF(st == DSGT_NOT_FOUND, "%d %s", st, err->message);
    }
    dsgt_table *t = calloc(1, sizeof *t);
    CHECK(t != NULL);
    snprintf(t->name, sizeof t->name, "%s", a->table_name);
    t->store = a->store;
    t->n_fields = (int)a->n_fields;
    t->date_col = a->partition_source;
    t->n_levels = a->n_partition_by;
    if (strcmp(a->table_name, "orders") == 0 || strcmp(a->table_name, "order_items") == 0) {
        CHECK(a->n_partition_by == 3 && a->partition_source >= 0);
        CHECK(strcmp(a->fields[a->partition_source].name, "order_date") == 0);
        for (size_t i = 0; i < 3; i++)
            t->tr[i] = a->partition_transforms[i];
        CHECK(t->tr[0] == DSG_PART_YEAR && t->tr[1] == DSG_PART_MONTH && t->tr[2] == DSG_PART_DAY);
        CHECK(strcmp(a->partition_by[0], "year") == 0 && strcmp(a->partition_by[2], "day") == 0);
    } else {
        CHECK(a->n_partition_by == 0 && a->partition_source == -1 && a->partition_transforms == NULL);
    }
    CHECK(a->catalog == NULL);
    *out = t;
    return DSG_OK;
}

static dsg_status t_add_file(dsgt_table *t, const dsgt_file *f, dsg_error *err)
{
    if (rec.fail_add_after > 0 && (int)rec.n_files >= rec.fail_add_after)
        return dsgi_fail(err, DSG_EIO, "test format: add_file refused %s", f->rel_path);
    CHECK(rec.n_files < MAX_FILES);
    rec_file *r = &rec.files[rec.n_files++];
    snprintf(r->table, sizeof r->table, "%s", t->name);
    snprintf(r->rel, sizeof r->rel, "%s", f->rel_path);
    r->rows = f->rows;
    r->bytes = f->bytes;
    r->n_parts = t->n_levels;
    CHECK((t->n_levels == 0) == (f->partition_values == NULL));
    for (size_t i = 0; i < t->n_levels; i++)
        snprintf(r->parts[i], sizeof r->parts[i], "%s", f->partition_values[i]);
    /* statistics: one per (flat) column, field ids 1..n, a value per row */
    CHECKF((int)f->n_columns == t->n_fields, "%s: %zu column stats", f->rel_path, f->n_columns);
    for (size_t c = 0; c < f->n_columns; c++) {
        const dsg_column_stats *s = &f->columns[c];
        CHECKF(s->field_id == (int32_t)c + 1, "%s column %zu: field id %d", f->rel_path, c, (int)s->field_id);
        /* nulls only in nullable columns (products.retired_on) */
        CHECK(s->values == f->rows && s->path_len == 1 && s->nulls <= f->rows &&
              (s->nulls == f->rows || s->has_minmax));
    }
    if (t->date_col >= 0) { /* order_date lies in the partition of the directories */
        const dsg_column_stats *s = &f->columns[t->date_col];
        int32_t lo, hi;
        memcpy(&lo, s->min, 4);
        memcpy(&hi, s->max, 4);
        CHECK(lo == hi); /* ymd: one day per partition */
        /* days since 1970 of the directory's date */
        int y = atoi(f->partition_values[0]), m = atoi(f->partition_values[1]), d = atoi(f->partition_values[2]);
        y -= m <= 2;
        int era = (y >= 0 ? y : y - 399) / 400;
        unsigned yoe = (unsigned)(y - era * 400);
        unsigned doy = (153u * (unsigned)(m + (m > 2 ? -3 : 9)) + 2) / 5 + (unsigned)d - 1;
        unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        int32_t days = era * 146097 + (int32_t)doe - 719468;
        CHECKF(lo == days, "%s: order_date %d in a partition of day %d", f->rel_path, (int)lo, (int)days);
    }
    t->files++;
    return DSG_OK;
}

static dsg_status t_commit(dsgt_table *t, int64_t *version, dsg_error *err)
{
    rec.commits++;
    /* a marker, so that a later create finds the table */
    DSGI_FORWARD(dsgt_store_put(t->store, "_committed", "x", 1, 0, err));
    *version = rec.next_version++;
    return DSG_OK;
}

static void t_free(dsgt_table *t)
{
    rec.frees++;
    free(t);
}

static const dsgt_format test_format = {
    .name = "testfmt", .needs_field_ids = 1, .open = t_open, .add_file = t_add_file, .commit = t_commit, .free = t_free,
};

/* ---- helpers ---- */

static void on_commit(void *ctx, const char *table, const char *format, int64_t version)
{
    (void)ctx;
    (void)table;
    CHECK(strcmp(format, "testfmt") == 0 && version >= 0);
    rec.on_commits++;
}

static char tmp[64];

static dsg_dataset *small_ecommerce(const char *start, const char *end)
{
    dsg_dataset *ds = NULL;
    dsg_error err;
    CHECK(dsg_dataset_create(&ds, "ecommerce", &err) == DSG_OK);
    static const char *const opts[][2] = {{"n-customers", "300"}, {"n-products", "40"}, {"orders-per-day", "60"}};
    for (size_t i = 0; i < 3; i++)
        CHECK(dsg_dataset_set(ds, opts[i][0], opts[i][1], &err) == DSG_OK);
    CHECK(dsg_dataset_set(ds, "start", start, &err) == DSG_OK && dsg_dataset_set(ds, "end", end, &err) == DSG_OK);
    CHECKF(dsg_dataset_prepare(ds, &err) == DSG_OK, "%s", err.message);
    return ds;
}

static dsg_status run(dsg_dataset *ds, const char *out, dsg_table_mode mode, unsigned shard, unsigned shards,
                      dsg_error *err)
{
    dsg_run_options opt;
    dsg_run_options_init(&opt);
    opt.output = out;
    opt.format = "testfmt";
    opt.mode = mode;
    opt.file_rows_target = 50;
    opt.threads = 2;
    opt.shard_index = shard;
    opt.shard_count = shards;
    opt.on_commit = on_commit;
    dsg_error_clear(err);
    return dsg_run(ds, &opt, NULL, err);
}

static void reset(void)
{
    int64_t v = rec.next_version;
    memset(&rec, 0, sizeof rec);
    rec.next_version = v;
}

static uint64_t table_rows(dsg_dataset *ds, const char *name)
{
    for (size_t t = 0; t < dsg_dataset_n_tables(ds); t++) {
        dsg_table_info info;
        CHECK(dsg_dataset_table(ds, t, &info, NULL) == DSG_OK);
        if (strcmp(info.name, name) == 0)
            return info.rows;
    }
    CHECK(0);
    return 0;
}

/* Files under dir (recursively) whose name ends in .parquet. */
static size_t count_parquet(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "find '%s' -name '*.parquet' 2>/dev/null | wc -l", dir);
    FILE *p = popen(cmd, "r");
    CHECK(p != NULL);
    size_t n = 0;
    CHECK(fscanf(p, "%zu", &n) == 1);
    pclose(p);
    return n;
}

/* Every recorded file exists with its size, is named part-NNNNN-<uuid>.parquet
 * under name=value directories matching its partition values; rows add up. */
static void check_recorded(dsg_dataset *ds, const char *out, size_t first, char uuid_of[4][40])
{
    static const char *const tables[] = {"customers", "products", "orders", "order_items"};
    uint64_t rows[4] = {0};
    for (size_t i = first; i < rec.n_files; i++) {
        const rec_file *r = &rec.files[i];
        char path[800];
        snprintf(path, sizeof path, "%s/%s/%s", out, r->table, r->rel);
        struct stat st;
        CHECKF(stat(path, &st) == 0 && (uint64_t)st.st_size == r->bytes, "%s: %llu bytes recorded", path,
               (unsigned long long)r->bytes);
        const char *base = strrchr(r->rel, '/') ? strrchr(r->rel, '/') + 1 : r->rel;
        unsigned k;
        char uuid[40];
        CHECKF(sscanf(base, "part-%5u-%36[0-9a-f-].parquet", &k, uuid) == 2 && strlen(base) == 5 + 6 + 36 + 8,
               "file name %s", base);
        char want_dir[128] = "";
        if (r->n_parts == 3)
            snprintf(want_dir, sizeof want_dir, "year=%s/month=%s/day=%s/", r->parts[0], r->parts[1], r->parts[2]);
        CHECKF(strncmp(r->rel, want_dir, strlen(want_dir)) == 0 && strlen(r->rel) == strlen(want_dir) + strlen(base),
               "%s is not in %s", r->rel, want_dir);
        for (size_t t = 0; t < 4; t++)
            if (strcmp(r->table, tables[t]) == 0) {
                rows[t] += r->rows;
                /* one session (one uuid) per table and run */
                if (uuid_of[t][0] == '\0')
                    snprintf(uuid_of[t], 40, "%s", uuid);
                CHECKF(strcmp(uuid_of[t], uuid) == 0, "%s: two uuids in one run", r->rel);
            }
    }
    for (size_t t = 0; t < 4; t++)
        CHECKF(rows[t] == table_rows(ds, tables[t]), "%s: %llu rows recorded, the table has %llu", tables[t],
               (unsigned long long)rows[t], (unsigned long long)table_rows(ds, tables[t]));
}

int main(void)
{
    dsg_error err;
    CHECK(dsgt_format_register(&test_format, &err) == DSG_OK);
    CHECK(dsg_table_format_available("testfmt") && !dsg_table_format_available("nosuch"));
    snprintf(tmp, sizeof tmp, "/tmp/dsg-test-runfmt-XXXXXX");
    CHECK(mkdtemp(tmp) != NULL);
    char out[128];
    snprintf(out, sizeof out, "%s/lake", tmp);
    rec.refuse_existing = 1;

    /* A. a successful run */
    dsg_dataset *ds = small_ecommerce("2024-02-27", "2024-03-02");
    CHECKF(run(ds, out, DSG_MODE_CREATE, 0, 0, &err) == DSG_OK, "%s", err.message);
    CHECK(rec.opens == 4 && rec.commits == 4 && rec.frees == 4 && rec.on_commits == 4);
    for (int i = 0; i < 4; i++)
        CHECK(rec.modes[i] == DSG_MODE_CREATE && strncmp(rec.root_uris[i], "file:///", 8) == 0);
    CHECK(rec.n_files == count_parquet(out) && rec.n_files > 8);
    char uuids_a[4][40] = {{0}};
    check_recorded(ds, out, 0, uuids_a);
    size_t files_a = rec.n_files;

    /* E. create on the existing tables: bad input, nothing written */
    reset();
    rec.refuse_existing = 1;
    CHECK(run(ds, out, DSG_MODE_CREATE, 0, 0, &err) == DSG_EINVAL && strstr(err.message, "already exists"));
    CHECK(rec.commits == 0 && rec.frees == rec.opens - 1 && count_parquet(out) == files_a); /* the refused open has no table */

    /* B. append: new names beside the old ones, committed again */
    reset();
    rec.refuse_existing = 1;
    CHECKF(run(ds, out, DSG_MODE_APPEND, 0, 0, &err) == DSG_OK, "%s", err.message);
    CHECK(rec.commits == 4 && rec.on_commits == 4 && rec.modes[0] == DSG_MODE_APPEND);
    CHECK(count_parquet(out) == files_a + rec.n_files && rec.n_files == files_a);
    char uuids_b[4][40] = {{0}};
    check_recorded(ds, out, 0, uuids_b);
    for (int t = 0; t < 4; t++)
        CHECK(strcmp(uuids_a[t], uuids_b[t]) != 0);

    /* C. add_file fails: the run fails, nothing is committed */
    reset();
    rec.fail_add_after = 3;
    char out_c[160];
    snprintf(out_c, sizeof out_c, "%s/failing", tmp);
    CHECK(run(ds, out_c, DSG_MODE_CREATE, 0, 0, &err) == DSG_EIO && strstr(err.message, "add_file refused"));
    CHECK(rec.commits == 0 && rec.on_commits == 0 && rec.frees == 4);

    /* D. a write fails (a file where a partition directory must go) */
    reset();
    char out_d[160], blocker[300];
    snprintf(out_d, sizeof out_d, "%s/blocked", tmp);
    snprintf(blocker, sizeof blocker, "%s/orders/year=2024", out_d);
    char mk[700];
    snprintf(mk, sizeof mk, "mkdir -p '%s/orders' && echo x > '%s'", out_d, blocker);
    CHECK(system(mk) == 0);
    CHECK(run(ds, out_d, DSG_MODE_CREATE, 0, 0, &err) != DSG_OK && strstr(err.message, "year=2024") != NULL);
    CHECK(rec.commits == 0 && rec.on_commits == 0 && rec.frees == 4);

    /* F. two shards under --mode create: the format sees append; together all rows */
    reset();
    char out_f[160];
    snprintf(out_f, sizeof out_f, "%s/sharded", tmp);
    for (unsigned k = 0; k < 2; k++) {
        CHECKF(run(ds, out_f, DSG_MODE_CREATE, k, 2, &err) == DSG_OK, "shard %u: %s", k, err.message);
    }
    CHECK(rec.opens == 8);
    for (int i = 0; i < 8; i++)
        CHECK(rec.modes[i] == DSG_MODE_APPEND);
    uint64_t sharded_rows = 0;
    for (size_t i = 0; i < rec.n_files; i++)
        sharded_rows += rec.files[i].rows;
    uint64_t all_rows = table_rows(ds, "customers") + table_rows(ds, "products") + table_rows(ds, "orders") +
                        table_rows(ds, "order_items");
    CHECK(sharded_rows == all_rows && rec.n_files == files_a && count_parquet(out_f) == files_a);
    CHECK(rec.commits <= 8 && rec.commits >= 4 && rec.on_commits == rec.commits);

    dsg_dataset_free(ds);
    char rm[200];
    snprintf(rm, sizeof rm, "rm -rf '%s'", tmp);
    CHECK(system(rm) == 0);
    printf("test_run_format: ok\n");
    return 0;
}
