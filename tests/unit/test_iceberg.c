/*
 * test_iceberg.c - the Iceberg format driven directly (without the run
 * engine): a dataset's tables written as Parquet with field ids, handed to
 * dsgt_iceberg_format, committed by path and to a SQLite catalog; modes,
 * refusals, and two writers racing on the same table.
 *
 * With arguments it is also a small tool the Python tests may use:
 *   test_iceberg write DATASET OUT [--catalog URI] [--namespace NS]
 *                [--mode create|append|overwrite] [--set NAME=VALUE]...
 */
#include "table/avro.h"
#include "table/sqlcat.h"
#include "table/table.h"
#include "test_util.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

static int mkdirs(const char *path)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p == '/') {
            *p = 0;
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    }
    return mkdir(buf, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

typedef struct opts {
    const char *dataset, *out, *catalog, *ns;
    dsg_table_mode mode;
    const char *sets[16];
    size_t n_sets;
} opts;

/* Writes every table of the dataset under out/<table> and commits each;
 * returns the first failing status (err filled). */
static dsg_status write_dataset(const opts *o, dsg_error *err)
{
    dsg_dataset *ds;
    dsg_status st = dsg_dataset_create(&ds, o->dataset, err);
    if (st)
        return st;
    for (size_t i = 0; i < o->n_sets; i++) {
        char name[128];
        const char *eq = strchr(o->sets[i], '=');
        CHECK(eq);
        snprintf(name, sizeof name, "%.*s", (int)(eq - o->sets[i]), o->sets[i]);
        CHECK(dsg_dataset_set(ds, name, eq + 1, err) == DSG_OK);
    }
    CHECK(dsg_dataset_prepare(ds, err) == DSG_OK);
    dsg_catalog_config cat = {NULL, o->catalog, o->ns, NULL};
    for (size_t t = 0; t < dsg_dataset_n_tables(ds) && st == DSG_OK; t++) {
        dsg_table_info info;
        CHECK(dsg_dataset_table(ds, t, &info, err) == DSG_OK);
        char root[4096];
        snprintf(root, sizeof root, "%s/%s", o->out, info.name);
        CHECK(mkdirs(root) == 0);
        dsgt_store *store;
        CHECK(dsgt_store_open(&store, root, NULL, err) == DSG_OK);
        dsgt_table_args args = {store, info.name, info.fields, info.n_fields, info.partition_by,
                                info.n_partition_by, info.partition_source, info.partition_transforms,
                                o->mode, o->catalog ? &cat : NULL, "dataset-generator 0.1.0", NULL};
        dsgt_table *tab = NULL;
        st = dsgt_iceberg_format.open(&tab, &args, err);
        if (st) {
            dsgt_store_free(store);
            break;
        }
        dsg_batch *b;
        CHECK(dsg_batch_create(&b, ds, t, err) == DSG_OK);
        char suffix[32];
        snprintf(suffix, sizeof suffix, "%ld", (long)getpid());
        for (size_t p = 0; p < info.n_partitions && st == DSG_OK; p++) {
            char ppath[256];
            uint64_t first, rows;
            CHECK(dsg_dataset_partition(ds, t, p, ppath, sizeof ppath, &first, &rows, err) == DSG_OK);
            if (rows == 0)
                continue;
            char rel[512], path[8192], dir[8192];
            snprintf(rel, sizeof rel, "%s%spart-%s.parquet", ppath, ppath[0] ? "/" : "", suffix);
            snprintf(path, sizeof path, "%s/%s", root, rel);
            snprintf(dir, sizeof dir, "%s/%s", root, ppath);
            CHECK(mkdirs(dir) == 0);
            dsg_sink *sink;
            CHECK(dsg_file_sink_open(&sink, path, err) == DSG_OK);
            dsg_parquet_options po;
            dsg_parquet_options_init(&po);
            po.field_ids = 1;
            dsg_parquet_writer *w;
            CHECK(dsg_parquet_writer_open(&w, sink, info.fields, info.n_fields, &po, err) == DSG_OK);
            for (uint64_t r = 0; r < rows; r += 4096) {
                size_t n = rows - r < 4096 ? (size_t)(rows - r) : 4096;
                const dsg_array *cols;
                CHECK(dsg_dataset_fill(ds, t, first + r, n, b, &cols, err) == DSG_OK);
                CHECK(dsg_parquet_writer_write(w, cols, n, err) == DSG_OK);
            }
            CHECK(dsg_parquet_writer_close(w, err) == DSG_OK);
            const dsg_column_stats *cs;
            size_t ncs;
            CHECK(dsg_parquet_writer_column_stats(w, &cs, &ncs, err) == DSG_OK);
            /* partition values from "k=v/k=v" */
            char vals[8][64];
            const char *vp[8];
            size_t nv = 0;
            for (const char *s = ppath; *s && nv < 8;) {
                const char *eq = strchr(s, '='), *sl = strchr(s, '/');
                CHECK(eq);
                size_t len = sl ? (size_t)(sl - eq - 1) : strlen(eq + 1);
                snprintf(vals[nv], sizeof vals[nv], "%.*s", (int)len, eq + 1);
                vp[nv] = vals[nv];
                nv++;
                s = sl ? sl + 1 : s + strlen(s);
            }
            dsgt_file f = {rel, dsg_parquet_writer_rows(w), dsg_parquet_writer_bytes(w),
                           info.n_partition_by ? vp : NULL, cs, ncs};
            st = dsgt_iceberg_format.add_file(tab, &f, err);
            dsg_parquet_writer_free(w);
        }
        int64_t version = 0;
        if (st == DSG_OK)
            st = dsgt_iceberg_format.commit(tab, &version, err);
        dsgt_iceberg_format.free(tab);
        dsg_batch_free(b);
        dsgt_store_free(store);
    }
    dsg_dataset_free(ds);
    return st;
}

static int file_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

static void read_text(const char *path, char *buf, size_t n)
{
    FILE *f = fopen(path, "rb");
    CHECKF(f, "%s", path);
    size_t r = fread(buf, 1, n - 1, f);
    buf[r] = 0;
    fclose(f);
}

static void self_test(void)
{
    char tmpl[] = "/tmp/dsg-iceberg-XXXXXX";
    char *dir = mkdtemp(tmpl);
    CHECK(dir);
    dsg_error err;
    opts o = {"ecommerce", dir, NULL, NULL, DSG_MODE_CREATE, {"n-customers=50", "n-products=20",
              "orders-per-day=30", "start=2024-01-30", "end=2024-02-02", "orders-partitioning=ym"}, 6};
    /* by path: v1, hint 1 */
    CHECKF(write_dataset(&o, &err) == DSG_OK, "%s", err.message);
    char p[4200], text[64];
    snprintf(p, sizeof p, "%s/orders/metadata/v1.metadata.json", dir);
    CHECK(file_exists(p));
    snprintf(p, sizeof p, "%s/orders/metadata/version-hint.text", dir);
    read_text(p, text, sizeof text);
    CHECK(strcmp(text, "1") == 0);
    /* create again: refused as the user's error, nothing written */
    CHECK(write_dataset(&o, &err) == DSG_EINVAL);
    CHECK(strstr(err.message, "already exists"));
    snprintf(p, sizeof p, "%s/orders/metadata/v2.metadata.json", dir);
    CHECK(!file_exists(p));
    /* append, then overwrite */
    o.mode = DSG_MODE_APPEND;
    CHECKF(write_dataset(&o, &err) == DSG_OK, "%s", err.message);
    CHECK(file_exists(p));
    o.mode = DSG_MODE_OVERWRITE;
    CHECKF(write_dataset(&o, &err) == DSG_OK, "%s", err.message);
    snprintf(p, sizeof p, "%s/orders/metadata/version-hint.text", dir);
    read_text(p, text, sizeof text);
    CHECK(strcmp(text, "3") == 0);
    /* a different partitioning cannot be appended */
    o.sets[5] = "orders-partitioning=ymd";
    o.mode = DSG_MODE_APPEND;
    CHECK(write_dataset(&o, &err) == DSG_EINVAL);
    CHECK(strstr(err.message, "partitioned otherwise"));

    /* a SQLite catalog */
    char cat[4200];
    snprintf(cat, sizeof cat, "sqlite:///%s/catalog.db", dir);
    char out2[4200];
    snprintf(out2, sizeof out2, "%s/wh", dir);
    opts c = {"alltypes", out2, cat, "ns1", DSG_MODE_CREATE, {"rows=300"}, 1};
    CHECKF(write_dataset(&c, &err) == DSG_OK, "%s", err.message);
    CHECK(write_dataset(&c, &err) == DSG_EINVAL);
    c.mode = DSG_MODE_APPEND;
    CHECKF(write_dataset(&c, &err) == DSG_OK, "%s", err.message);
    sqlcat *sc;
    CHECK(sqlcat_open(&sc, cat, &err) == DSG_OK);
    sqlcat_rows *rows;
    CHECK(sqlcat_query(sc,
                       "SELECT metadata_location, previous_metadata_location FROM iceberg_tables "
                       "WHERE catalog_name = 'default' AND table_namespace = 'ns1'",
                       NULL, 0, &rows, &err) == DSG_OK);
    CHECK(rows->n_rows >= 1);
    CHECK(strstr(sqlcat_cell(rows, 0, 0), "/metadata/00002-"));
    CHECK(strstr(sqlcat_cell(rows, 0, 1), "/metadata/00001-"));
    sqlcat_rows_free(rows);
    CHECK(sqlcat_query(sc, "SELECT property_value FROM iceberg_namespace_properties WHERE namespace = 'ns1' "
                       "AND property_key = 'exists'", NULL, 0, &rows, &err) == DSG_OK);
    CHECK(rows->n_rows == 1 && strcmp(sqlcat_cell(rows, 0, 0), "true") == 0);
    sqlcat_rows_free(rows);
    sqlcat_close(sc);

    /* two writers racing: both opened on the same version, both commit */
    {
        dsg_dataset *ds;
        CHECK(dsg_dataset_create(&ds, "alltypes", &err) == DSG_OK);
        CHECK(dsg_dataset_set(ds, "rows", "10", &err) == DSG_OK);
        CHECK(dsg_dataset_prepare(ds, &err) == DSG_OK);
        dsg_table_info info;
        CHECK(dsg_dataset_table(ds, 0, &info, &err) == DSG_OK);
        char root[4300];
        snprintf(root, sizeof root, "%s/%s", out2, info.name);
        dsg_catalog_config cc = {NULL, cat, "ns1", NULL};
        dsgt_store *s1, *s2;
        CHECK(dsgt_store_open(&s1, root, NULL, &err) == DSG_OK);
        CHECK(dsgt_store_open(&s2, root, NULL, &err) == DSG_OK);
        dsgt_table_args a1 = {s1, info.name, info.fields, info.n_fields, NULL, 0, -1, NULL,
                              DSG_MODE_APPEND, &cc, "dataset-generator 0.1.0", NULL};
        dsgt_table_args a2 = a1;
        a2.store = s2;
        dsgt_table *t1, *t2;
        CHECKF(dsgt_iceberg_format.open(&t1, &a1, &err) == DSG_OK, "%s", err.message);
        CHECKF(dsgt_iceberg_format.open(&t2, &a2, &err) == DSG_OK, "%s", err.message);
        int64_t v1, v2;
        CHECKF(dsgt_iceberg_format.commit(t1, &v1, &err) == DSG_OK, "%s", err.message);
        CHECKF(dsgt_iceberg_format.commit(t2, &v2, &err) == DSG_OK, "%s", err.message);
        CHECK(v1 != v2);
        dsgt_iceberg_format.free(t1);
        dsgt_iceberg_format.free(t2);
        dsgt_store_free(s1);
        dsgt_store_free(s2);
        CHECK(sqlcat_open(&sc, cat, &err) == DSG_OK);
        sqlcat_value pv[1] = {sqlcat_text(info.name)};
        CHECK(sqlcat_query(sc, "SELECT metadata_location FROM iceberg_tables WHERE table_name = $1", pv, 1, &rows,
                           &err) == DSG_OK);
        CHECK(rows->n_rows == 1 && strstr(sqlcat_cell(rows, 0, 0), "/metadata/00004-"));
        sqlcat_rows_free(rows);
        sqlcat_close(sc);
        dsg_dataset_free(ds);
    }
    /* a malformed catalog URI is the user's error */
    c.catalog = "mysql://nope";
    CHECK(write_dataset(&c, &err) == DSG_EINVAL);
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}

int main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "write") == 0) {
        opts o;
        memset(&o, 0, sizeof o);
        o.dataset = argv[2];
        o.out = argv[3];
        for (int i = 4; i + 1 < argc; i += 2) {
            if (strcmp(argv[i], "--catalog") == 0)
                o.catalog = argv[i + 1];
            else if (strcmp(argv[i], "--namespace") == 0)
                o.ns = argv[i + 1];
            else if (strcmp(argv[i], "--mode") == 0)
                o.mode = strcmp(argv[i + 1], "append") == 0      ? DSG_MODE_APPEND
                         : strcmp(argv[i + 1], "overwrite") == 0 ? DSG_MODE_OVERWRITE
                                                                 : DSG_MODE_CREATE;
            else if (strcmp(argv[i], "--set") == 0 && o.n_sets < 16)
                o.sets[o.n_sets++] = argv[i + 1];
        }
        dsg_error err;
        dsg_error_clear(&err);
        dsg_status st = write_dataset(&o, &err);
        if (st) {
            fprintf(stderr, "%s\n", err.message);
            return st == DSG_EINVAL ? 2 : 1;
        }
        return 0;
    }
    self_test();
    printf("test_iceberg: ok\n");
    return 0;
}
