/*
 * test_ducklake.c - the DuckLake format (lib/table/ducklake.c) through its
 * dsgt_format interface, without the run engine: small tables of the
 * alltypes and ecommerce datasets are written as Parquet files with field
 * ids and committed to a SQLite catalog; the catalog's rows are checked
 * with SQL (snapshots, ids, statistics, partition values), then an
 * append, an overwrite, the refusal of an existing table in mode create,
 * of a newer specification version and of a table with other columns.
 * DuckDB reads what the CLI writes in tests/python/test_ducklake.py.
 */
#include "table/sqlcat.h"
#include "table/table.h"
#include "test_util.h"

#include <sys/stat.h>
#include <unistd.h>

static void mkdirs(const char *path)
{
    char buf[2048];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(buf, 0755);
            *p = '/';
        }
    }
    mkdir(buf, 0755);
}

/* Writes every table of 'ds' under out/<table>/<partition>/ and commits
 * each to the format; returns the last snapshot id. */
static dsg_status write_lake(dsg_dataset *ds, const char *out, const char *uri, dsg_table_mode mode,
                             const char *suffix, int64_t *version, dsg_error *err)
{
    dsg_catalog_config cat = {NULL, uri, NULL, NULL};
    for (size_t t = 0; t < dsg_dataset_n_tables(ds); t++) {
        dsg_table_info info;
        CHECK(dsg_dataset_table(ds, t, &info, err) == DSG_OK);
        char root[1024];
        snprintf(root, sizeof root, "%s/%s", out, info.name);
        dsgt_store *store;
        CHECKF(dsgt_store_open(&store, root, NULL, err) == DSG_OK, "%s", err->message);
        dsgt_table_args a;
        memset(&a, 0, sizeof a);
        a.store = store;
        a.table_name = info.name;
        a.fields = info.fields;
        a.n_fields = info.n_fields;
        a.partition_by = info.partition_by;
        a.n_partition_by = info.n_partition_by;
        a.partition_source = info.partition_source;
        a.partition_transforms = info.partition_transforms;
        a.mode = mode;
        a.catalog = &cat;
        a.engine_info = "dataset-generator test";
        dsgt_table *tab;
        dsg_status st = dsgt_ducklake_format.open(&tab, &a, err);
        if (st != DSG_OK) {
            dsgt_store_free(store);
            return st;
        }
        dsg_batch *b;
        CHECK(dsg_batch_create(&b, ds, t, err) == DSG_OK);
        for (size_t p = 0; p < info.n_partitions; p++) {
            char ppath[256], rel[512], full[1600];
            uint64_t first, rows;
            CHECK(dsg_dataset_partition(ds, t, p, ppath, sizeof ppath, &first, &rows, err) == DSG_OK);
            if (rows == 0)
                continue;
            snprintf(rel, sizeof rel, "%s%spart-00000-%s.parquet", ppath, ppath[0] ? "/" : "", suffix);
            snprintf(full, sizeof full, "%s/%s", root, rel);
            char dir[1600];
            snprintf(dir, sizeof dir, "%s", full);
            *strrchr(dir, '/') = '\0';
            mkdirs(dir);
            dsg_sink *sink;
            CHECK(dsg_file_sink_open(&sink, full, err) == DSG_OK);
            dsg_parquet_options po;
            dsg_parquet_options_init(&po);
            po.field_ids = 1;
            dsg_parquet_writer *w;
            CHECKF(dsg_parquet_writer_open(&w, sink, info.fields, info.n_fields, &po, err) == DSG_OK, "%s",
                   err->message);
            const dsg_array *cols;
            CHECK(dsg_dataset_fill(ds, t, first, (size_t)rows, b, &cols, err) == DSG_OK);
            CHECK(dsg_parquet_writer_write(w, cols, (size_t)rows, err) == DSG_OK);
            CHECKF(dsg_parquet_writer_close(w, err) == DSG_OK, "%s", err->message);
            const dsg_column_stats *cs;
            size_t ncs;
            CHECK(dsg_parquet_writer_column_stats(w, &cs, &ncs, err) == DSG_OK);
            /* partition values from the directory names */
            char vals[8][64];
            const char *vp[8];
            size_t nv = 0;
            for (char *s = ppath; *s && nv < 8;) {
                char *eq = strchr(s, '=');
                CHECK(eq != NULL);
                size_t len = strcspn(eq + 1, "/");
                snprintf(vals[nv], sizeof vals[nv], "%.*s", (int)len, eq + 1);
                vp[nv] = vals[nv];
                nv++;
                s = eq + 1 + len;
                if (*s == '/')
                    s++;
            }
            dsgt_file f = {rel, rows, dsg_parquet_writer_bytes(w), nv ? vp : NULL, cs, ncs};
            CHECKF(dsgt_ducklake_format.add_file(tab, &f, err) == DSG_OK, "%s", err->message);
            dsg_parquet_writer_free(w);
        }
        dsg_batch_free(b);
        st = dsgt_ducklake_format.commit(tab, version, err);
        dsgt_ducklake_format.free(tab);
        dsgt_store_free(store);
        if (st != DSG_OK)
            return st;
    }
    return DSG_OK;
}

static dsg_dataset *make_dataset(const char *name, int argc, char **argv)
{
    dsg_error err;
    dsg_dataset *ds;
    CHECKF(dsg_dataset_create(&ds, name, &err) == DSG_OK, "%s", err.message);
    for (int i = 0; i < argc; i++) {
        char opt[128];
        snprintf(opt, sizeof opt, "%s", argv[i]);
        char *eq = strchr(opt, '=');
        CHECK(eq != NULL);
        *eq = '\0';
        CHECKF(dsg_dataset_set(ds, opt, eq + 1, &err) == DSG_OK, "%s", err.message);
    }
    CHECKF(dsg_dataset_prepare(ds, &err) == DSG_OK, "%s", err.message);
    return ds;
}

static char *one(sqlcat *c, const char *sql)
{
    static char buf[256];
    dsg_error err;
    sqlcat_rows *r;
    CHECKF(sqlcat_query(c, sql, NULL, 0, &r, &err) == DSG_OK, "%s", err.message);
    CHECKF(r->n_rows == 1, "%s: %zu rows", sql, r->n_rows);
    snprintf(buf, sizeof buf, "%s", sqlcat_cell(r, 0, 0) ? sqlcat_cell(r, 0, 0) : "NULL");
    sqlcat_rows_free(r);
    return buf;
}

#define CHECK_SQL(c, sql, want)                                                                                  \
    do {                                                                                                         \
        const char *got_ = one((c), (sql));                                                                      \
        CHECKF(strcmp(got_, (want)) == 0, "%s: got %s, want %s", (sql), got_, (want));                           \
    } while (0)

static void self_test(void)
{
    char dir[] = "/tmp/dsg-ducklake-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char out[256], uri[300];
    snprintf(out, sizeof out, "%s/lake", dir);
    snprintf(uri, sizeof uri, "sqlite://%s/cat.sqlite", dir);
    dsg_error err;
    int64_t v = -1;

    char *eopts[] = {"n-customers=50", "n-products=20", "orders-per-day=5", "start=2024-01-30", "end=2024-02-02"};
    dsg_dataset *ec = make_dataset("ecommerce", 5, eopts);
    CHECKF(write_lake(ec, out, uri, DSG_MODE_CREATE, "a", &v, &err) == DSG_OK, "%s", err.message);
    size_t n_tables = dsg_dataset_n_tables(ec);
    CHECK(v == (int64_t)n_tables); /* one snapshot per table commit here */

    sqlcat *c;
    CHECKF(sqlcat_open(&c, uri, &err) == DSG_OK, "%s", err.message);
    CHECK_SQL(c, "SELECT value FROM ducklake_metadata WHERE key = 'version'", "1.0");
    char want[300];
    snprintf(want, sizeof want, "%s/", out);
    CHECK_SQL(c, "SELECT value FROM ducklake_metadata WHERE key = 'data_path'", want);
    CHECK_SQL(c, "SELECT changes_made FROM ducklake_snapshot_changes WHERE snapshot_id = 0", "created_schema:\"main\"");
    CHECK_SQL(c, "SELECT changes_made FROM ducklake_snapshot_changes WHERE snapshot_id = 1",
              "created_table:\"main\".\"customers\",inserted_into_table:1");
    CHECK_SQL(c, "SELECT path || '|' || path_is_relative FROM ducklake_table WHERE table_name = 'orders'",
              "orders/|1");
    /* orders: year/month/day of order_date, its column id */
    CHECK_SQL(c, "SELECT group_concat(x, ',') FROM (SELECT pc.transform || ':' || pc.column_id AS x FROM "
                 "ducklake_partition_column pc JOIN ducklake_table t USING (table_id) WHERE t.table_name = 'orders' "
                 "ORDER BY pc.partition_key_index)",
              "year:3,month:3,day:3");
    CHECK_SQL(c, "SELECT count(*) FROM ducklake_data_file d JOIN ducklake_table t USING (table_id) WHERE "
                 "t.table_name = 'orders'", "4");
    CHECK_SQL(c, "SELECT group_concat(v, ',') FROM (SELECT pv.partition_value AS v FROM ducklake_file_partition_value "
                 "pv JOIN ducklake_data_file d USING (data_file_id, table_id) JOIN ducklake_table t USING (table_id) "
                 "WHERE t.table_name = 'orders' AND d.path LIKE 'year=2024/month=02/day=01/%' "
                 "ORDER BY pv.partition_key_index)", "2024,02,01");
    CHECK_SQL(c, "SELECT min_value || '..' || max_value FROM ducklake_table_column_stats s JOIN ducklake_table t "
                 "USING (table_id) WHERE t.table_name = 'orders' AND s.column_id = 3", "2024-01-30..2024-02-02");
    CHECK_SQL(c, "SELECT sum(record_count) = (SELECT record_count FROM ducklake_table_stats s JOIN ducklake_table t "
                 "USING (table_id) WHERE t.table_name = 'orders') FROM ducklake_data_file d JOIN ducklake_table t "
                 "USING (table_id) WHERE t.table_name = 'orders'", "1");
    CHECK_SQL(c, "SELECT count(*) FROM ducklake_column WHERE table_id = 1", "6");

    /* mode create refuses an existing table; append adds a snapshot */
    CHECK(write_lake(ec, out, uri, DSG_MODE_CREATE, "b", &v, &err) == DSG_EINVAL);
    CHECKF(strstr(err.message, "already exists") != NULL, "%s", err.message);
    CHECKF(write_lake(ec, out, uri, DSG_MODE_APPEND, "b", &v, &err) == DSG_OK, "%s", err.message);
    CHECK(v == 2 * (int64_t)n_tables);
    CHECK_SQL(c, "SELECT count(*) FROM ducklake_data_file d JOIN ducklake_table t USING (table_id) WHERE "
                 "t.table_name = 'orders' AND d.end_snapshot IS NULL", "8");
    CHECK_SQL(c, "SELECT max(row_id_start + record_count) = (SELECT next_row_id FROM ducklake_table_stats WHERE "
                 "table_id = 1) FROM ducklake_data_file WHERE table_id = 1", "1");
    /* overwrite ends every live file */
    CHECKF(write_lake(ec, out, uri, DSG_MODE_OVERWRITE, "c", &v, &err) == DSG_OK, "%s", err.message);
    CHECK_SQL(c, "SELECT count(*) FROM ducklake_data_file d JOIN ducklake_table t USING (table_id) WHERE "
                 "t.table_name = 'orders' AND d.end_snapshot IS NULL", "4");
    CHECK_SQL(c, "SELECT changes_made FROM ducklake_snapshot_changes WHERE snapshot_id = (SELECT max(snapshot_id) "
                 "FROM ducklake_snapshot)", "deleted_from_table:5,inserted_into_table:5");

    /* alltypes: nested columns get parents, every leaf has statistics */
    char *aopts[] = {"rows=300"};
    dsg_dataset *at = make_dataset("alltypes", 1, aopts);
    CHECKF(write_lake(at, out, uri, DSG_MODE_CREATE, "a", &v, &err) == DSG_OK, "%s", err.message);
    CHECK_SQL(c, "SELECT count(*) FROM ducklake_column c JOIN ducklake_table t USING (table_id) WHERE "
                 "t.table_name = 'alltypes' AND c.parent_column IS NOT NULL AND c.column_name = 'element'", "6");
    CHECK_SQL(c, "SELECT count(*) FROM ducklake_table_column_stats s JOIN ducklake_table t USING (table_id) WHERE "
                 "t.table_name = 'alltypes' AND s.min_value IS NULL", "3"); /* all null or NaN */
    CHECK_SQL(c, "SELECT s.min_value || '|' || s.max_value || '|' || s.contains_nan FROM ducklake_table_column_stats s "
                 "JOIN ducklake_column c USING (table_id, column_id) JOIN ducklake_table t USING (table_id) WHERE "
                 "t.table_name = 'alltypes' AND c.column_name = 'f64_null'", "0.5|124.875|0");
    dsg_dataset_free(at);

    /* a catalog of a newer specification is refused */
    CHECKF(sqlcat_exec(c, "UPDATE ducklake_metadata SET value = '1.1' WHERE key = 'version'", NULL, 0, NULL,
                       &err) == DSG_OK, "%s", err.message);
    CHECK(write_lake(ec, out, uri, DSG_MODE_APPEND, "d", &v, &err) == DSG_EINVAL);
    CHECKF(strstr(err.message, "newer") != NULL && strstr(err.message, "1.1") != NULL, "%s", err.message);
    CHECKF(sqlcat_exec(c, "UPDATE ducklake_metadata SET value = '1.0' WHERE key = 'version'", NULL, 0, NULL,
                       &err) == DSG_OK, "%s", err.message);
    /* a table with other columns is refused */
    CHECKF(sqlcat_exec(c, "UPDATE ducklake_column SET column_type = 'int32' WHERE table_id = 1 AND column_id = 1",
                       NULL, 0, NULL, &err) == DSG_OK, "%s", err.message);
    CHECK(write_lake(ec, out, uri, DSG_MODE_APPEND, "d", &v, &err) == DSG_EINVAL);
    CHECKF(strstr(err.message, "other columns") != NULL, "%s", err.message);
    sqlcat_close(c);
    dsg_dataset_free(ec);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}

int main(void)
{
    self_test();
    printf("test_ducklake: passed\n");
    return 0;
}
