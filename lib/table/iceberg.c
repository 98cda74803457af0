/*
 * iceberg.c - Iceberg v2 tables over the run's Parquet files, committed to
 * a SQL catalog (the tables of Iceberg's JDBC catalog and pyiceberg's
 * SqlCatalog, SQLite or PostgreSQL) or, without a catalog, by path
 * (metadata/v<N>.metadata.json and metadata/version-hint.text).
 *
 * Commit protocol (what a crash between two steps leaves behind):
 *   0. open: reads the catalog row or the newest vN.metadata.json; refuses
 *      an existing table in create mode, a schema or partition spec that
 *      differs from ours in append/overwrite mode. Nothing is written.
 *   1. the run writes the data files (complete files under final names);
 *      add_file records each with its partition tuple and statistics.
 *   2. commit writes metadata/<commit-uuid>-m0.avro, the manifest of the
 *      new files (status ADDED, sequence numbers inherited). Once.
 *   3. per attempt: load the current metadata (catalog row / newest vN);
 *      overwrite mode writes manifests marking every live file DELETED;
 *      then the manifest list metadata/snap-<id>-<attempt>-<uuid>.avro
 *      (our manifests + the parent's, sequence number = last + 1), then
 *      the metadata JSON with put-if-absent:
 *        catalog: metadata/<N+1, 5 digits>-<uuid>.metadata.json
 *        by path: metadata/v<N+1>.metadata.json (EXISTS = lost race)
 *   4. the swap. Catalog: UPDATE iceberg_tables SET metadata_location =
 *      new, previous_metadata_location = old WHERE ... AND
 *      metadata_location = old (a new table: INSERT ... ON CONFLICT DO
 *      NOTHING). By path: step 3's put-if-absent was the swap; then
 *      version-hint.text is rewritten (a hint: readers also probe).
 *      Zero rows changed = a concurrent commit: back to 3 with the new
 *      current metadata. The files of a lost attempt are deleted.
 * A crash anywhere before step 4 leaves the table at its previous
 * snapshot; the files written so far are orphans no snapshot references.
 *
 * Partitioning: the hive directories stay; the spec has one field, the
 * finest of the directory levels' transforms of the source column
 * (year/month/day -> day(order_date), year/month and yearmonth ->
 * month(order_date), .../hour -> hour(ts)); identity fields when the
 * levels are real columns; levels that are no column of the files are
 * refused (DSG_EINVAL).
 */
#include "table/avro.h"
#include "table/iceberg_internal.h"
#include "table/sqlcat.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define MAX_ATTEMPTS 200
#define COMMIT_DEADLINE_MS 180000 /* a catalog locked this long by another connection: give up */
#define METADATA_LOG_MAX 100
#define META_MAX ((size_t)1 << 32)

/* Per leaf column statistics of one file, converted to Iceberg's form. */
typedef struct ice_colstat {
    uint64_t values, nulls, nans;
    uint8_t *lower, *upper; /* NULL: no bound */
    size_t lower_len, upper_len;
} ice_colstat;

typedef struct ice_file {
    char *uri;
    uint64_t rows, bytes;
    ice_pvalue part[ICE_MAX_PART];
    ice_colstat *cols; /* one per leaf */
} ice_file;

/* The table as the catalog or the store has it now. */
typedef struct ice_current {
    int exists;
    char *location;  /* metadata file URI */
    json_t *meta;
    int64_t version; /* from the file name, -1 when unknown */
} ice_current;

struct dsgt_table {
    dsgt_store *store;
    char *name;
    char *root;      /* the table location, no trailing '/' */
    ice_schema schema;
    ice_spec spec;
    dsg_table_mode mode;
    int existed_at_open;
    char *engine_name, *engine_version;
    /* catalog (NULL: by path) */
    sqlcat *cat;
    char *cat_name, *cat_ns;
    int has_type_column;
    ice_file *files;
    size_t n_files, cap_files;
    int64_t snapshot_id;
    char commit_uuid[37];
    char *manifest_uri;   /* written once (step 2) */
    uint64_t manifest_len;
};

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */
/* ------------------------------------------------------------------ */

static dsg_status oom(dsg_error *err) { return dsgi_fail(err, DSG_ENOMEM, "out of memory"); }

/* A string formatted into dsgi_malloc'ed memory, NULL when out of memory. */
DSGI_PRINTF(1, 2) static char *fmt(const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int n = vsnprintf(NULL, 0, f, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *s = dsgi_malloc((size_t)n + 1);
    if (!s)
        return NULL;
    va_start(ap, f);
    vsnprintf(s, (size_t)n + 1, f, ap);
    va_end(ap);
    return s;
}

static dsg_status random_bytes(void *p, size_t n, dsg_error *err)
{
    uint8_t *b = p;
    while (n) {
        ssize_t r = getrandom(b, n, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return dsgi_fail(err, errno, "getrandom failed");
        }
        b += r;
        n -= (size_t)r;
    }
    return DSG_OK;
}

static dsg_status new_uuid(char out[37], dsg_error *err)
{
    uint8_t b[16];
    DSGI_FORWARD(random_bytes(b, 16, err));
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
    return DSG_OK;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The path of 'uri' relative to the table root, or NULL when the URI lies
 * elsewhere. file:/x, file:///x and /x name the same local file; s3a:// and
 * s3n:// are s3://. */
static const char *rel_of(const dsgt_table *t, const char *uri)
{
    const char *local = dsgt_store_local_path(t->store);
    if (local) {
        const char *p = uri;
        if (strncmp(p, "file:", 5) == 0) {
            p += 5;
            while (p[0] == '/' && p[1] == '/')
                p++;
        }
        size_t n = strlen(local);
        if (strncmp(p, local, n) == 0 && p[n] == '/')
            return p + n + 1;
        return NULL;
    }
    const char *root = t->root; /* s3://bucket/prefix */
    const char *p = uri;
    if (strncmp(p, "s3a://", 6) == 0 || strncmp(p, "s3n://", 6) == 0)
        p += 6;
    else if (strncmp(p, "s3://", 5) == 0)
        p += 5;
    else
        return NULL;
    root += 5;
    size_t n = strlen(root);
    if (strncmp(p, root, n) == 0 && p[n] == '/')
        return p + n + 1;
    return NULL;
}

static dsg_status get_json(dsgt_table *t, const char *uri, json_t **out, dsg_error *err)
{
    const char *rel = rel_of(t, uri);
    DSGI_RETURN_IF(!rel, err, DSG_EINVAL,
                   "Iceberg table %s: its metadata %s lies outside the output %s", t->name, uri, t->root);
    dsgi_buf b;
    dsgi_buf_init(&b, META_MAX);
    dsg_status st = dsgt_store_get(t->store, rel, &b, err);
    if (st == DSGT_NOT_FOUND)
        st = dsgi_fail(err, DSG_EIO, "Iceberg table %s: metadata file %s is missing", t->name, uri);
    if (st != DSG_OK) {
        dsgi_buf_free(&b);
        return st;
    }
    json_error_t jerr;
    json_t *j = json_loadb((const char *)b.data, b.len, 0, &jerr);
    dsgi_buf_free(&b);
    DSGI_RETURN_IF(!j || !json_is_object(j), err, DSG_EIO,
                   "Iceberg table %s: metadata file %s is not valid JSON (%s)", t->name, uri,
                   j ? "not an object" : jerr.text);
    *out = j;
    return DSG_OK;
}

static dsg_status get_avro(dsgt_table *t, dsgt_arena *a, const char *uri, dsgt_avro_file *f,
                           dsg_error *err)
{
    const char *rel = rel_of(t, uri);
    DSGI_RETURN_IF(!rel, err, DSG_EINVAL, "Iceberg table %s: manifest %s lies outside the output %s",
                   t->name, uri, t->root);
    dsgi_buf b;
    dsgi_buf_init(&b, META_MAX);
    dsg_status st = dsgt_store_get(t->store, rel, &b, err);
    if (st == DSGT_NOT_FOUND)
        st = dsgi_fail(err, DSG_EIO, "Iceberg table %s: manifest %s is missing", t->name, uri);
    if (st == DSG_OK) {
        /* the values point into the arena, not into b */
        st = dsgt_avro_read(a, b.data, b.len, f, err);
        if (st != DSG_OK) {
            char msg[DSG_ERROR_MESSAGE_MAX];
            snprintf(msg, sizeof msg, "%s", err ? err->message : "");
            st = dsgi_fail(err, DSG_EIO, "Iceberg table %s: %s: %s", t->name, uri, msg);
        }
    }
    dsgi_buf_free(&b);
    return st;
}

static dsg_status put(dsgt_table *t, const char *rel, const void *p, size_t n, unsigned flags,
                      dsg_error *err)
{
    return dsgt_store_put(t->store, rel, p, n, flags, err);
}

static void current_free(ice_current *c)
{
    dsgi_free(c->location);
    json_decref(c->meta);
    memset(c, 0, sizeof *c);
}

/* ------------------------------------------------------------------ */
/* Catalog                                                             */
/* ------------------------------------------------------------------ */

static const char create_tables_sql[] =
    "CREATE TABLE IF NOT EXISTS iceberg_tables ("
    "catalog_name VARCHAR(255) NOT NULL, "
    "table_namespace VARCHAR(255) NOT NULL, "
    "table_name VARCHAR(255) NOT NULL, "
    "metadata_location VARCHAR(1000), "
    "previous_metadata_location VARCHAR(1000), "
    "iceberg_type VARCHAR(5), "
    "PRIMARY KEY (catalog_name, table_namespace, table_name))";
static const char create_ns_sql[] =
    "CREATE TABLE IF NOT EXISTS iceberg_namespace_properties ("
    "catalog_name VARCHAR(255) NOT NULL, "
    "namespace VARCHAR(255) NOT NULL, "
    "property_key VARCHAR(255) NOT NULL, "
    "property_value VARCHAR(1000) NOT NULL, "
    "PRIMARY KEY (catalog_name, namespace, property_key))";

/* Creates the catalog's tables when missing (exactly pyiceberg's and the
 * JDBC catalog's v1 schema), and the namespace. */
static dsg_status catalog_prepare(dsgt_table *t, dsg_error *err)
{
    static const char *const ddl[] = {create_tables_sql, create_ns_sql};
    static const char *const names[] = {"iceberg_tables", "iceberg_namespace_properties"};
    for (int i = 0; i < 2; i++) {
        int exists = 0;
        DSGI_FORWARD(sqlcat_table_exists(t->cat, names[i], &exists, err));
        if (exists)
            continue;
        dsg_status st = sqlcat_exec(t->cat, ddl[i], NULL, 0, NULL, err);
        if (st != DSG_OK) {
            /* a concurrent writer may have created it first */
            int now = 0;
            if (sqlcat_table_exists(t->cat, names[i], &now, NULL) != DSG_OK || !now)
                return st;
        }
    }
    sqlcat_rows *rows = NULL;
    t->has_type_column =
        sqlcat_query(t->cat, "SELECT iceberg_type FROM iceberg_tables WHERE 1 = 0", NULL, 0, &rows, NULL) ==
        DSG_OK;
    sqlcat_rows_free(rows);
    sqlcat_value p[2] = {sqlcat_text(t->cat_name), sqlcat_text(t->cat_ns)};
    return sqlcat_exec(t->cat,
                       "INSERT INTO iceberg_namespace_properties (catalog_name, namespace, property_key, "
                       "property_value) VALUES ($1, $2, 'exists', 'true') ON CONFLICT DO NOTHING",
                       p, 2, NULL, err);
}

/* The version number in a metadata file name: 00003-<uuid>.metadata.json
 * or v3.metadata.json; -1 when neither. */
static int64_t version_of(const char *uri)
{
    const char *b = strrchr(uri, '/');
    b = b ? b + 1 : uri;
    if (*b == 'v')
        b++;
    int64_t v = 0;
    int digits = 0;
    while (*b >= '0' && *b <= '9' && digits < 18) {
        v = v * 10 + (*b++ - '0');
        digits++;
    }
    if (!digits || (*b != '-' && *b != '.'))
        return -1;
    return v;
}

static dsg_status catalog_load(dsgt_table *t, ice_current *cur, dsg_error *err)
{
    memset(cur, 0, sizeof *cur);
    int exists = 0;
    DSGI_FORWARD(sqlcat_table_exists(t->cat, "iceberg_tables", &exists, err));
    if (!exists)
        return DSG_OK;
    sqlcat_value p[3] = {sqlcat_text(t->cat_name), sqlcat_text(t->cat_ns), sqlcat_text(t->name)};
    sqlcat_rows *rows = NULL;
    DSGI_FORWARD(sqlcat_query(t->cat,
                              "SELECT metadata_location FROM iceberg_tables WHERE catalog_name = $1 "
                              "AND table_namespace = $2 AND table_name = $3",
                              p, 3, &rows, err));
    dsg_status st = DSG_OK;
    if (rows->n_rows > 0) {
        const char *loc = sqlcat_cell(rows, 0, 0);
        if (!loc)
            st = dsgi_fail(err, DSG_EINVAL, "catalog %s: table %s.%s has no metadata location",
                           sqlcat_label(t->cat), t->cat_ns, t->name);
        else if (!(cur->location = dsgi_strdup(loc)))
            st = oom(err);
    }
    sqlcat_rows_free(rows);
    if (st != DSG_OK || !cur->location)
        return st;
    cur->exists = 1;
    cur->version = version_of(cur->location);
    st = get_json(t, cur->location, &cur->meta, err);
    if (st != DSG_OK)
        current_free(cur);
    return st;
}

/* ------------------------------------------------------------------ */
/* Tables by path                                                      */
/* ------------------------------------------------------------------ */

typedef struct newest {
    int64_t version;
} newest;

static int find_newest(void *ctx, const char *rel, uint64_t size)
{
    (void)size;
    newest *n = ctx;
    const char *b = rel + strlen("metadata/");
    if (*b != 'v')
        return 0;
    const char *dot = strstr(b, ".metadata.json");
    if (!dot || dot[strlen(".metadata.json")] != '\0')
        return 0;
    int64_t v = 0;
    const char *p = b + 1;
    if (p == dot)
        return 0;
    for (; p < dot; p++) {
        if (*p < '0' || *p > '9' || v > INT64_MAX / 16)
            return 0;
        v = v * 10 + (*p - '0');
    }
    if (v > n->version)
        n->version = v;
    return 0;
}

static dsg_status path_load(dsgt_table *t, ice_current *cur, dsg_error *err)
{
    memset(cur, 0, sizeof *cur);
    newest n = {-1};
    DSGI_FORWARD(dsgt_store_list(t->store, "metadata/v", find_newest, &n, err));
    if (n.version < 0)
        return DSG_OK;
    cur->location = fmt("%s/metadata/v%lld.metadata.json", t->root, (long long)n.version);
    if (!cur->location)
        return oom(err);
    cur->exists = 1;
    cur->version = n.version;
    dsg_status st = get_json(t, cur->location, &cur->meta, err);
    if (st != DSG_OK)
        current_free(cur);
    return st;
}

static dsg_status load_current(dsgt_table *t, ice_current *cur, dsg_error *err)
{
    return t->cat ? catalog_load(t, cur, err) : path_load(t, cur, err);
}

/* ------------------------------------------------------------------ */
/* Checks of an existing table against ours                            */
/* ------------------------------------------------------------------ */

static const json_t *find_by_int(const json_t *arr, const char *key, json_int_t v)
{
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const json_t *o = json_array_get(arr, i);
        if (json_integer_value(json_object_get(o, key)) == v)
            return o;
    }
    return NULL;
}

static dsg_status check_existing(dsgt_table *t, const json_t *meta, dsg_error *err)
{
    json_int_t fv = json_integer_value(json_object_get(meta, "format-version"));
    DSGI_RETURN_IF(fv != 2, err, DSG_EINVAL,
                   "Iceberg table %s is format version %lld; only version 2 tables can be appended to",
                   t->name, (long long)fv);
    const json_t *schema = find_by_int(json_object_get(meta, "schemas"), "schema-id",
                                       json_integer_value(json_object_get(meta, "current-schema-id")));
    DSGI_RETURN_IF(!schema || !ice_fields_equal(json_object_get(schema, "fields"), t->schema.fields), err,
                   DSG_EINVAL,
                   "Iceberg table %s has a schema other than this dataset's columns (names, types and field ids must match)",
                   t->name);
    const json_t *spec = find_by_int(json_object_get(meta, "partition-specs"), "spec-id",
                                     json_integer_value(json_object_get(meta, "default-spec-id")));
    DSGI_RETURN_IF(!spec || !ice_spec_matches(&t->spec, json_object_get(spec, "fields")), err, DSG_EINVAL,
                   "Iceberg table %s is partitioned otherwise than this dataset", t->name);
    return DSG_OK;
}

/* ------------------------------------------------------------------ */
/* open, add_file                                                      */
/* ------------------------------------------------------------------ */

static void table_free(dsgt_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n_files; i++) {
        ice_file *f = &t->files[i];
        dsgi_free(f->uri);
        for (size_t k = 0; k < ICE_MAX_PART; k++)
            dsgi_free(f->part[k].s);
        if (f->cols) {
            for (size_t c = 0; c < t->schema.n_leaves; c++) {
                dsgi_free(f->cols[c].lower);
                dsgi_free(f->cols[c].upper);
            }
        }
        dsgi_free(f->cols);
    }
    dsgi_free(t->files);
    ice_schema_free(&t->schema);
    sqlcat_close(t->cat);
    dsgi_free(t->cat_name);
    dsgi_free(t->cat_ns);
    dsgi_free(t->name);
    dsgi_free(t->root);
    dsgi_free(t->engine_name);
    dsgi_free(t->engine_version);
    dsgi_free(t->manifest_uri);
    dsgi_free(t);
}

static dsg_status ice_open(dsgt_table **out, const dsgt_table_args *args, dsg_error *err)
{
    dsgt_table *t = dsgi_calloc(1, sizeof *t);
    if (!t)
        return oom(err);
    dsg_status st = DSG_OK;
    t->store = args->store;
    t->mode = args->mode;
    t->name = dsgi_strdup(args->table_name);
    t->root = dsgi_strdup(dsgt_store_uri(args->store));
    const char *info = args->engine_info ? args->engine_info : "dataset-generator";
    const char *sp = strchr(info, ' ');
    t->engine_name = sp ? fmt("%.*s", (int)(sp - info), info) : dsgi_strdup(info);
    t->engine_version = dsgi_strdup(sp ? sp + 1 : dsg_version());
    if (!t->name || !t->root || !t->engine_name || !t->engine_version) {
        table_free(t);
        return oom(err);
    }
    if ((st = ice_schema_build(&t->schema, args->fields, args->n_fields, err)) != DSG_OK ||
        (st = ice_spec_build(&t->spec, &t->schema, args, err)) != DSG_OK) {
        table_free(t);
        return st;
    }
    if (args->catalog && args->catalog->uri) {
        const dsg_catalog_config *c = args->catalog;
        if (c->kind && strcmp(c->kind, "sql") != 0 && strcmp(c->kind, "sqlite") != 0 &&
            strcmp(c->kind, "postgres") != 0 && strcmp(c->kind, "postgresql") != 0) {
            table_free(t);
            return dsgi_fail(err, DSG_EINVAL, "Iceberg catalog kind %s is not supported (use sql)", c->kind);
        }
        t->cat_name = dsgi_strdup(c->name ? c->name : "default");
        t->cat_ns = dsgi_strdup(c->namespace_ ? c->namespace_ : "default");
        if (!t->cat_name || !t->cat_ns) {
            table_free(t);
            return oom(err);
        }
        if ((st = sqlcat_check_uri(c->uri, err)) != DSG_OK || (st = sqlcat_open(&t->cat, c->uri, err)) != DSG_OK) {
            table_free(t);
            return st;
        }
    }
    ice_current cur;
    for (int attempt = 0;; attempt++) {
        st = load_current(t, &cur, err);
        if (st != SQLCAT_CONFLICT || attempt > 50)
            break;
        usleep(20000);
    }
    if (st != DSG_OK) {
        table_free(t);
        return st;
    }
    t->existed_at_open = cur.exists;
    if (cur.exists) {
        if (t->mode == DSG_MODE_CREATE)
            st = t->cat ? dsgi_fail(err, DSG_EINVAL,
                                    "Iceberg table %s.%s already exists in catalog %s (use --mode append or overwrite)",
                                    t->cat_ns, t->name, sqlcat_label(t->cat))
                        : dsgi_fail(err, DSG_EINVAL,
                                    "Iceberg table %s already exists at %s (use --mode append or overwrite)",
                                    t->name, t->root);
        else
            st = check_existing(t, cur.meta, err);
    }
    current_free(&cur);
    if (st != DSG_OK) {
        table_free(t);
        return st;
    }
    if ((st = new_uuid(t->commit_uuid, err)) != DSG_OK ||
        (st = random_bytes(&t->snapshot_id, sizeof t->snapshot_id, err)) != DSG_OK) {
        table_free(t);
        return st;
    }
    t->snapshot_id &= INT64_MAX;
    if (t->snapshot_id == 0)
        t->snapshot_id = 1;
    *out = t;
    return DSG_OK;
}

static int is_float(const dsg_field *f) { return f->type == DSG_FLOAT || f->type == DSG_DOUBLE; }

static int is_zero(const dsg_field *f, const uint8_t *b)
{
    if (f->type == DSG_FLOAT) {
        float x;
        memcpy(&x, b, 4);
        return x == 0.0f;
    }
    double x;
    memcpy(&x, b, 8);
    return x == 0.0;
}

static dsg_status copy_bound(const dsg_field *f, const uint8_t *v, size_t len, int upper, uint8_t **out,
                             size_t *out_len, dsg_error *err)
{
    uint8_t tmp[16];
    const uint8_t *p;
    size_t n = ice_bound_bytes(f, v, len, tmp, &p);
    if (n == 0 && f->type != DSG_STRING && f->type != DSG_BINARY)
        return DSG_OK;
    uint8_t *c = dsgi_malloc(n ? n : 1);
    if (!c)
        return oom(err);
    if (n)
        memcpy(c, p, n);
    /* -0.0 must precede +0.0: widen a zero bound to the safe side */
    if (is_float(f) && n == (f->type == DSG_FLOAT ? 4u : 8u) && is_zero(f, c)) {
        uint8_t sign = c[n - 1];
        c[n - 1] = upper ? (uint8_t)(sign & 0x7f) : (uint8_t)(sign | 0x80);
    }
    *out = c;
    *out_len = n;
    return DSG_OK;
}

static dsg_status ice_add_file(dsgt_table *t, const dsgt_file *file, dsg_error *err)
{
    DSGI_RETURN_IF(file->n_columns != t->schema.n_leaves, err, DSG_EINTERNAL,
                   "file %s has statistics of %zu columns, the table %zu", file->rel_path, file->n_columns,
                   t->schema.n_leaves);
    if (t->n_files == t->cap_files) {
        size_t cap = t->cap_files ? t->cap_files * 2 : 64;
        ice_file *n = dsgi_realloc(t->files, cap * sizeof *n);
        if (!n)
            return oom(err);
        t->files = n;
        t->cap_files = cap;
    }
    ice_file *f = &t->files[t->n_files];
    memset(f, 0, sizeof *f);
    f->rows = file->rows;
    f->bytes = file->bytes;
    f->uri = fmt("%s/%s", t->root, file->rel_path);
    f->cols = dsgi_calloc(t->schema.n_leaves ? t->schema.n_leaves : 1, sizeof *f->cols);
    t->n_files++; /* from here table_free releases it */
    if (!f->uri || !f->cols)
        return oom(err);
    DSGI_FORWARD(ice_spec_values(&t->spec, file->partition_values, f->part, file->rel_path, err));
    for (size_t i = 0; i < t->schema.n_leaves; i++) {
        const ice_leaf *leaf = &t->schema.leaves[i];
        const dsg_column_stats *cs = &file->columns[i];
        DSGI_RETURN_IF(cs->field_id != 0 && cs->field_id != leaf->id, err, DSG_EINTERNAL,
                       "file %s: column %zu has field id %d, the Iceberg schema %d", file->rel_path, i,
                       (int)cs->field_id, (int)leaf->id);
        ice_colstat *c = &f->cols[i];
        c->values = cs->values;
        c->nulls = cs->nulls;
        c->nans = cs->nans;
        if (cs->has_minmax && !leaf->repeated) {
            DSGI_FORWARD(copy_bound(leaf->field, cs->min, cs->min_len, 0, &c->lower, &c->lower_len, err));
            DSGI_FORWARD(copy_bound(leaf->field, cs->max, cs->max_len, 1, &c->upper, &c->upper_len, err));
        }
    }
    return DSG_OK;
}

/* ------------------------------------------------------------------ */
/* Manifests                                                           */
/* ------------------------------------------------------------------ */

static dsgt_avro_value long_v(int64_t x) { return dsgt_avro_long(DSGT_AVRO_LONG, x); }
static dsgt_avro_value int_v(int64_t x) { return dsgt_avro_long(DSGT_AVRO_INT, x); }

/* A map<int,long|bytes> in Iceberg's array-of-records form. */
typedef enum statkind { S_VALUES, S_NULLS, S_NANS, S_LOWER, S_UPPER } statkind;

static dsg_status stat_map(dsgt_arena *a, const dsgt_table *t, const ice_file *f, const dsgt_avro_schema *fs,
                           statkind kind, dsgt_avro_value *out, dsg_error *err)
{
    const dsgt_avro_schema *kv = fs->branches[1]->items;
    dsgt_avro_value arr = dsgt_avro_null();
    arr.type = DSGT_AVRO_ARRAY;
    arr.items = dsgt_arena_alloc(a, (t->schema.n_leaves ? t->schema.n_leaves : 1) * sizeof *arr.items);
    if (!arr.items)
        return oom(err);
    for (size_t i = 0; i < t->schema.n_leaves; i++) {
        const ice_colstat *c = &f->cols[i];
        dsgt_avro_value v;
        switch (kind) {
        case S_VALUES: v = long_v((int64_t)c->values); break;
        case S_NULLS: v = long_v((int64_t)c->nulls); break;
        case S_NANS:
            if (!is_float(t->schema.leaves[i].field))
                continue;
            v = long_v((int64_t)c->nans);
            break;
        case S_LOWER:
            if (!c->lower)
                continue;
            v = dsgt_avro_bytes(DSGT_AVRO_BYTES, c->lower, c->lower_len);
            break;
        default:
            if (!c->upper)
                continue;
            v = dsgt_avro_bytes(DSGT_AVRO_BYTES, c->upper, c->upper_len);
            break;
        }
        dsgt_avro_value *e = dsgt_avro_record_new(a, kv);
        if (!e)
            return oom(err);
        dsgt_avro_record_set(e, "key", int_v(t->schema.leaves[i].id));
        dsgt_avro_record_set(e, "value", v);
        arr.items[arr.n++] = *e;
    }
    *out = arr;
    return DSG_OK;
}

static dsgt_avro_value pvalue_v(const ice_spec *spec, size_t k, const ice_pvalue *p)
{
    if (p->is_null)
        return dsgt_avro_null();
    switch (spec->f[k].type) {
    case ICE_P_STRING: return dsgt_avro_str(p->s);
    case ICE_P_LONG: return long_v(p->i);
    default: return int_v(p->i);
    }
}

static json_t *table_schema_json(const dsgt_table *t, json_int_t schema_id)
{
    return json_pack("{s:s, s:I, s:O}", "type", "struct", "schema-id", schema_id, "fields", t->schema.fields);
}

/* Header metadata of a data manifest. */
static dsg_status manifest_meta(const dsgt_table *t, json_int_t schema_id, json_int_t spec_id, char **schema,
                                char **spec, char *schema_id_s, char *spec_id_s, dsg_error *err)
{
    json_t *sj = table_schema_json(t, schema_id);
    json_t *pj = ice_spec_json(&t->spec);
    *schema = sj ? json_dumps(sj, JSON_COMPACT) : NULL;
    *spec = pj ? json_dumps(pj, JSON_COMPACT) : NULL;
    json_decref(sj);
    json_decref(pj);
    if (!*schema || !*spec) {
        free(*schema);
        free(*spec);
        return oom(err);
    }
    snprintf(schema_id_s, 24, "%lld", (long long)schema_id);
    snprintf(spec_id_s, 24, "%lld", (long long)spec_id);
    return DSG_OK;
}

static dsg_status write_avro(dsgt_table *t, const char *rel, dsgt_avro_writer *w, dsg_error *err)
{
    DSGI_FORWARD(dsgt_avro_writer_finish(w, err));
    return put(t, rel, w->out.data, w->out.len, 0, err);
}

/* Step 2: the manifest of the new files, written once. */
static dsg_status write_new_manifest(dsgt_table *t, json_int_t schema_id, json_int_t spec_id, dsg_error *err)
{
    char *schema = NULL, *spec = NULL, sid[24], pid[24];
    DSGI_FORWARD(manifest_meta(t, schema_id, spec_id, &schema, &spec, sid, pid, err));
    char *avro_schema = ice_manifest_avro_schema(&t->spec);
    char *rel = fmt("metadata/%s-m0.avro", t->commit_uuid);
    dsgt_arena a;
    dsgt_arena_init(&a);
    dsgt_avro_writer w;
    memset(&w, 0, sizeof w);
    dsg_status st = DSG_OK;
    uint8_t sync[16];
    if (!avro_schema || !rel) {
        st = oom(err);
        goto done;
    }
    dsg_kv meta[] = {{"schema", schema},       {"schema-id", sid},     {"partition-spec", spec},
                     {"partition-spec-id", pid}, {"format-version", "2"}, {"content", "data"}};
    if ((st = random_bytes(sync, 16, err)) != DSG_OK ||
        (st = dsgt_avro_writer_init(&w, &a, avro_schema, meta, 6, DSGT_AVRO_CODEC_DEFLATE, sync, err)) != DSG_OK)
        goto done;
    const dsgt_avro_schema *entry = w.schema;
    const dsgt_avro_schema *df = dsgt_avro_field_find(entry, "data_file")->schema;
    const dsgt_avro_schema *part = dsgt_avro_field_find(df, "partition")->schema;
    static const struct {
        const char *name;
        statkind kind;
    } maps[] = {{"value_counts", S_VALUES}, {"null_value_counts", S_NULLS}, {"nan_value_counts", S_NANS},
                {"lower_bounds", S_LOWER},  {"upper_bounds", S_UPPER}};
    for (size_t i = 0; i < t->n_files && st == DSG_OK; i++) {
        const ice_file *f = &t->files[i];
        dsgt_avro_value *e = dsgt_avro_record_new(&a, entry);
        dsgt_avro_value *d = dsgt_avro_record_new(&a, df);
        dsgt_avro_value *p = dsgt_avro_record_new(&a, part);
        if (!e || !d || !p) {
            st = oom(err);
            break;
        }
        for (size_t k = 0; k < t->spec.n; k++)
            p->items[k] = pvalue_v(&t->spec, k, &f->part[k]);
        dsgt_avro_record_set(d, "content", int_v(0));
        dsgt_avro_record_set(d, "file_path", dsgt_avro_str(f->uri));
        dsgt_avro_record_set(d, "file_format", dsgt_avro_str("PARQUET"));
        dsgt_avro_record_set(d, "partition", *p);
        dsgt_avro_record_set(d, "record_count", long_v((int64_t)f->rows));
        dsgt_avro_record_set(d, "file_size_in_bytes", long_v((int64_t)f->bytes));
        for (size_t m = 0; m < sizeof maps / sizeof maps[0] && st == DSG_OK; m++) {
            dsgt_avro_value mv;
            st = stat_map(&a, t, f, dsgt_avro_field_find(df, maps[m].name)->schema, maps[m].kind, &mv, err);
            if (st == DSG_OK)
                dsgt_avro_record_set(d, maps[m].name, mv);
        }
        if (st != DSG_OK)
            break;
        dsgt_avro_record_set(d, "sort_order_id", int_v(0));
        dsgt_avro_record_set(e, "status", int_v(1));
        dsgt_avro_record_set(e, "snapshot_id", long_v(t->snapshot_id));
        dsgt_avro_record_set(e, "data_file", *d);
        st = dsgt_avro_writer_append(&w, e, err);
    }
    if (st == DSG_OK)
        st = write_avro(t, rel, &w, err);
    if (st == DSG_OK) {
        t->manifest_len = w.out.len;
        t->manifest_uri = fmt("%s/%s", t->root, rel);
        if (!t->manifest_uri)
            st = oom(err);
    }
done:
    dsgt_avro_writer_free(&w);
    dsgt_arena_free(&a);
    dsgi_free(avro_schema);
    dsgi_free(rel);
    free(schema);
    free(spec);
    return st;
}

/* Totals over the files of the new snapshot, for its summary. */
typedef struct totals {
    int64_t data_files, records, delete_files;
    int64_t deleted_files, deleted_records, removed_bytes;
} totals;

/* Overwrite: a manifest that marks every live entry of 'src' (a manifest
 * list entry of the parent) DELETED, written with src's own schema and
 * header; *entry receives its manifest list entry. */
static dsg_status write_deleted_manifest(dsgt_table *t, dsgt_arena *a, const dsgt_avro_value *src,
                                         const dsgt_avro_schema *list_schema, int64_t seq, int k,
                                         const char *attempt_uuid, dsgt_avro_value *entry, totals *tot,
                                         dsg_error *err)
{
    const char *path = (const char *)dsgt_avro_record_get(src, "manifest_path")->p;
    int64_t src_seq = dsgt_avro_record_get(src, "sequence_number")->l;
    dsgt_avro_file mf;
    DSGI_FORWARD(get_avro(t, a, path, &mf, err));
    const dsgt_avro_schema *es = mf.schema;
    int i_status = dsgt_avro_field_index(es, 0, "status");
    int i_snap = dsgt_avro_field_index(es, 1, "snapshot_id");
    int i_seq = dsgt_avro_field_index(es, 3, "sequence_number");
    int i_fseq = dsgt_avro_field_index(es, 4, "file_sequence_number");
    int i_df = dsgt_avro_field_index(es, 2, "data_file");
    DSGI_RETURN_IF(i_status < 0 || i_snap < 0 || i_seq < 0 || i_fseq < 0 || i_df < 0, err, DSG_EINVAL,
                   "Iceberg table %s: manifest %s is not a v2 manifest", t->name, path);
    const dsgt_avro_schema *dfs = es->fields[i_df].schema;
    int i_rows = dsgt_avro_field_index(dfs, 103, "record_count");
    int i_size = dsgt_avro_field_index(dfs, 104, "file_size_in_bytes");
    DSGI_RETURN_IF(i_rows < 0 || i_size < 0, err, DSG_EINVAL,
                   "Iceberg table %s: manifest %s lacks record counts", t->name, path);
    /* header: everything but Avro's own keys, as in the source */
    dsg_kv *meta = dsgt_arena_alloc(a, (mf.n_meta ? mf.n_meta : 1) * sizeof *meta);
    if (!meta)
        return oom(err);
    size_t n_meta = 0;
    for (size_t i = 0; i < mf.n_meta; i++)
        if (strncmp(mf.meta[i].key, "avro.", 5) != 0)
            meta[n_meta++] = mf.meta[i];
    uint8_t sync[16];
    DSGI_FORWARD(random_bytes(sync, 16, err));
    dsgt_avro_writer w;
    dsg_status st = dsgt_avro_writer_init(&w, a, mf.schema_json, meta, n_meta, DSGT_AVRO_CODEC_DEFLATE, sync, err);
    int64_t n_deleted = 0, rows_deleted = 0;
    for (size_t r = 0; r < mf.n_records && st == DSG_OK; r++) {
        const dsgt_avro_value *rec = &mf.records[r];
        if (rec->items[i_status].l == 2)
            continue;
        dsgt_avro_value copy = *rec;
        copy.items = dsgt_arena_alloc(a, rec->n * sizeof *copy.items);
        if (!copy.items) {
            st = oom(err);
            break;
        }
        memcpy(copy.items, rec->items, rec->n * sizeof *copy.items);
        const dsgt_avro_value *df = &rec->items[i_df];
        copy.items[i_status] = int_v(2);
        copy.items[i_snap] = long_v(t->snapshot_id);
        if (rec->items[i_seq].type == DSGT_AVRO_NULL)
            copy.items[i_seq] = long_v(src_seq);
        if (rec->items[i_fseq].type == DSGT_AVRO_NULL)
            copy.items[i_fseq] = long_v(src_seq);
        n_deleted++;
        rows_deleted += df->items[i_rows].l;
        tot->removed_bytes += df->items[i_size].l;
        st = dsgt_avro_writer_append(&w, &copy, err);
    }
    char *rel = st == DSG_OK ? fmt("metadata/%s-d%d.avro", attempt_uuid, k) : NULL;
    if (st == DSG_OK && !rel)
        st = oom(err);
    if (st == DSG_OK)
        st = write_avro(t, rel, &w, err);
    if (st == DSG_OK) {
        dsgt_avro_value e;
        st = dsgt_avro_project(a, src, list_schema, &e, err);
        char *uri = st == DSG_OK ? fmt("%s/%s", t->root, rel) : NULL;
        char *auri = uri ? dsgt_arena_strndup(a, uri, strlen(uri)) : NULL;
        dsgi_free(uri);
        if (st == DSG_OK && !auri)
            st = oom(err);
        if (st == DSG_OK) {
            dsgt_avro_value *copy = dsgt_avro_record_new(a, list_schema);
            if (!copy) {
                st = oom(err);
            } else {
                memcpy(copy->items, e.items, e.n * sizeof *copy->items);
                dsgt_avro_record_set(copy, "manifest_path", dsgt_avro_str(auri));
                dsgt_avro_record_set(copy, "manifest_length", long_v((int64_t)w.out.len));
                dsgt_avro_record_set(copy, "sequence_number", long_v(seq));
                dsgt_avro_record_set(copy, "min_sequence_number", long_v(seq));
                dsgt_avro_record_set(copy, "added_snapshot_id", long_v(t->snapshot_id));
                dsgt_avro_record_set(copy, "added_files_count", int_v(0));
                dsgt_avro_record_set(copy, "existing_files_count", int_v(0));
                dsgt_avro_record_set(copy, "deleted_files_count", int_v(n_deleted));
                dsgt_avro_record_set(copy, "added_rows_count", long_v(0));
                dsgt_avro_record_set(copy, "existing_rows_count", long_v(0));
                dsgt_avro_record_set(copy, "deleted_rows_count", long_v(rows_deleted));
                *entry = *copy;
                if (dsgt_avro_record_get(src, "content")->l == 0) {
                    tot->deleted_files += n_deleted;
                    tot->deleted_records += rows_deleted;
                }
            }
        }
    }
    dsgi_free(rel);
    dsgt_avro_writer_free(&w);
    return st;
}

/* The partition summaries of our new manifest. */
static dsg_status our_partitions(dsgt_table *t, dsgt_arena *a, const dsgt_avro_schema *list_schema,
                                 dsgt_avro_value *out, dsg_error *err)
{
    const dsgt_avro_schema *ps = dsgt_avro_field_find(list_schema, "partitions")->schema->branches[1]->items;
    dsgt_avro_value arr = dsgt_avro_null();
    arr.type = DSGT_AVRO_ARRAY;
    arr.items = dsgt_arena_alloc(a, (t->spec.n ? t->spec.n : 1) * sizeof *arr.items);
    if (!arr.items)
        return oom(err);
    for (size_t k = 0; k < t->spec.n; k++) {
        int has_null = 0;
        const ice_pvalue *lo = NULL, *hi = NULL;
        for (size_t i = 0; i < t->n_files; i++) {
            const ice_pvalue *p = &t->files[i].part[k];
            if (p->is_null) {
                has_null = 1;
                continue;
            }
            if (t->spec.f[k].type == ICE_P_STRING) {
                if (!lo || strcmp(p->s, lo->s) < 0)
                    lo = p;
                if (!hi || strcmp(p->s, hi->s) > 0)
                    hi = p;
            } else {
                if (!lo || p->i < lo->i)
                    lo = p;
                if (!hi || p->i > hi->i)
                    hi = p;
            }
        }
        dsgt_avro_value *s = dsgt_avro_record_new(a, ps);
        if (!s)
            return oom(err);
        dsgt_avro_record_set(s, "contains_null", dsgt_avro_long(DSGT_AVRO_BOOLEAN, has_null));
        dsgt_avro_record_set(s, "contains_nan", dsgt_avro_long(DSGT_AVRO_BOOLEAN, 0));
        if (lo) {
            const ice_pvalue *b2[2] = {lo, hi};
            const char *names[2] = {"lower_bound", "upper_bound"};
            for (int j = 0; j < 2; j++) {
                uint8_t buf[8];
                const uint8_t *p;
                size_t n = ice_pvalue_bytes(&t->spec, k, b2[j], buf, &p);
                char *c = dsgt_arena_strndup(a, (const char *)p, n);
                if (!c)
                    return oom(err);
                dsgt_avro_record_set(s, names[j], dsgt_avro_bytes(DSGT_AVRO_BYTES, c, n));
            }
        }
        arr.items[arr.n++] = *s;
    }
    *out = arr;
    return DSG_OK;
}

/* ------------------------------------------------------------------ */
/* Metadata JSON                                                       */
/* ------------------------------------------------------------------ */

static json_t *new_metadata(dsgt_table *t, dsg_error *err)
{
    char uuid[37];
    if (new_uuid(uuid, err) != DSG_OK)
        return NULL;
    json_t *m = json_object();
    json_t *schema = table_schema_json(t, 0);
    json_t *spec_fields = ice_spec_json(&t->spec);
    int32_t last_pid = 999;
    for (size_t i = 0; i < t->spec.n; i++)
        if (t->spec.f[i].field_id > last_pid)
            last_pid = t->spec.f[i].field_id;
    json_object_set_new(m, "format-version", json_integer(2));
    json_object_set_new(m, "table-uuid", json_string(uuid));
    json_object_set_new(m, "location", json_string(t->root));
    json_object_set_new(m, "last-sequence-number", json_integer(0));
    json_object_set_new(m, "last-updated-ms", json_integer(now_ms()));
    json_object_set_new(m, "last-column-id", json_integer(t->schema.last_column_id));
    json_object_set_new(m, "current-schema-id", json_integer(0));
    json_object_set_new(m, "schemas", json_pack("[o]", schema));
    json_object_set_new(m, "default-spec-id", json_integer(0));
    json_object_set_new(m, "partition-specs", json_pack("[{s:i, s:o}]", "spec-id", 0, "fields", spec_fields));
    json_object_set_new(m, "last-partition-id", json_integer(last_pid));
    json_object_set_new(m, "default-sort-order-id", json_integer(0));
    json_object_set_new(m, "sort-orders", json_pack("[{s:i, s:[]}]", "order-id", 0, "fields"));
    json_object_set_new(m, "properties", json_pack("{s:s, s:s}", "write.format.default", "parquet",
                                                   "created-by", t->engine_name));
    json_object_set_new(m, "current-snapshot-id", json_integer(-1));
    json_object_set_new(m, "refs", json_object());
    json_object_set_new(m, "snapshots", json_array());
    json_object_set_new(m, "statistics", json_array());
    json_object_set_new(m, "partition-statistics", json_array());
    json_object_set_new(m, "snapshot-log", json_array());
    json_object_set_new(m, "metadata-log", json_array());
    return m;
}

static int64_t summary_int(const json_t *summary, const char *key, int *ok)
{
    const char *s = json_string_value(json_object_get(summary, key));
    if (!s) {
        *ok = 0;
        return 0;
    }
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*end)
        *ok = 0;
    return v;
}

static void set_count(json_t *summary, const char *key, int64_t v)
{
    char b[24];
    snprintf(b, sizeof b, "%lld", (long long)v);
    json_object_set_new(summary, key, json_string(b));
}

/* ------------------------------------------------------------------ */
/* One commit attempt                                                  */
/* ------------------------------------------------------------------ */

typedef struct attempt {
    char uuid[37];
    char *list_rel, *meta_rel, *meta_uri;
    char **deleted_rels;
    size_t n_deleted;
} attempt;

static void attempt_cleanup(dsgt_table *t, attempt *at, int remove)
{
    if (remove) {
        if (at->list_rel)
            dsgt_store_delete(t->store, at->list_rel, NULL);
        if (at->meta_rel && t->cat)
            dsgt_store_delete(t->store, at->meta_rel, NULL);
        for (size_t i = 0; i < at->n_deleted; i++)
            dsgt_store_delete(t->store, at->deleted_rels[i], NULL);
    }
    for (size_t i = 0; i < at->n_deleted; i++)
        dsgi_free(at->deleted_rels[i]);
    dsgi_free(at->deleted_rels);
    dsgi_free(at->list_rel);
    dsgi_free(at->meta_rel);
    dsgi_free(at->meta_uri);
    memset(at, 0, sizeof *at);
}

#define CONFLICT 1 /* try_commit's result when a concurrent commit won */

/* Steps 3 and 4 against the current table 'cur'. Returns DSG_OK,
 * CONFLICT, or an error status. */
static dsg_status try_commit(dsgt_table *t, ice_current *cur, int attempt_no, attempt *at, dsg_error *err)
{
    json_t *meta = NULL;
    if (cur->exists) {
        DSGI_FORWARD(check_existing(t, cur->meta, err));
        meta = json_deep_copy(cur->meta);
    } else {
        meta = new_metadata(t, err);
    }
    if (!meta)
        return err && err->status ? err->status : oom(err);
    dsg_status st = DSG_OK;
    dsgt_arena a;
    dsgt_arena_init(&a);
    json_int_t schema_id = json_integer_value(json_object_get(meta, "current-schema-id"));
    json_int_t spec_id = json_integer_value(json_object_get(meta, "default-spec-id"));
    int64_t last_seq = json_integer_value(json_object_get(meta, "last-sequence-number"));
    int64_t seq = last_seq + 1;
    json_int_t parent_id = json_integer_value(json_object_get(meta, "current-snapshot-id"));
    const json_t *parent = parent_id > 0 ? find_by_int(json_object_get(meta, "snapshots"), "snapshot-id", parent_id)
                                         : NULL;
    if (find_by_int(json_object_get(meta, "snapshots"), "snapshot-id", t->snapshot_id)) {
        json_decref(meta);
        return dsgi_fail(err, DSG_EIO, "Iceberg table %s: snapshot id %lld is taken", t->name,
                         (long long)t->snapshot_id);
    }
    totals tot;
    memset(&tot, 0, sizeof tot);
    if (!t->manifest_uri && (st = write_new_manifest(t, schema_id, spec_id, err)) != DSG_OK)
        goto done;
    if ((st = new_uuid(at->uuid, err)) != DSG_OK)
        goto done;

    /* the manifest list: ours, then the parent's (or their deletions) */
    const dsgt_avro_schema *ls;
    if ((st = dsgt_avro_schema_parse(&a, ice_manifest_list_avro_schema, strlen(ice_manifest_list_avro_schema),
                                     &ls, err)) != DSG_OK)
        goto done;
    size_t n_entries = 1, cap_entries = 16;
    dsgt_avro_value *entries = dsgt_arena_alloc(&a, cap_entries * sizeof *entries);
    dsgt_avro_value *mine = dsgt_avro_record_new(&a, ls);
    if (!entries || !mine) {
        st = oom(err);
        goto done;
    }
    int64_t added_rows = 0, added_bytes = 0;
    for (size_t i = 0; i < t->n_files; i++) {
        added_rows += (int64_t)t->files[i].rows;
        added_bytes += (int64_t)t->files[i].bytes;
    }
    dsgt_avro_value parts;
    if ((st = our_partitions(t, &a, ls, &parts, err)) != DSG_OK)
        goto done;
    dsgt_avro_record_set(mine, "manifest_path", dsgt_avro_str(t->manifest_uri));
    dsgt_avro_record_set(mine, "manifest_length", long_v((int64_t)t->manifest_len));
    dsgt_avro_record_set(mine, "partition_spec_id", int_v(spec_id));
    dsgt_avro_record_set(mine, "content", int_v(0));
    dsgt_avro_record_set(mine, "sequence_number", long_v(seq));
    dsgt_avro_record_set(mine, "min_sequence_number", long_v(seq));
    dsgt_avro_record_set(mine, "added_snapshot_id", long_v(t->snapshot_id));
    dsgt_avro_record_set(mine, "added_files_count", int_v((int64_t)t->n_files));
    dsgt_avro_record_set(mine, "existing_files_count", int_v(0));
    dsgt_avro_record_set(mine, "deleted_files_count", int_v(0));
    dsgt_avro_record_set(mine, "added_rows_count", long_v(added_rows));
    dsgt_avro_record_set(mine, "existing_rows_count", long_v(0));
    dsgt_avro_record_set(mine, "deleted_rows_count", long_v(0));
    dsgt_avro_record_set(mine, "partitions", parts);
    entries[0] = *mine;
    tot.data_files = (int64_t)t->n_files;
    tot.records = added_rows;

    if (parent) {
        const char *plist = json_string_value(json_object_get(parent, "manifest-list"));
        dsgt_avro_file lf;
        if (!plist) {
            st = dsgi_fail(err, DSG_EINVAL, "Iceberg table %s: snapshot %lld has no manifest list", t->name,
                           (long long)parent_id);
            goto done;
        }
        if ((st = get_avro(t, &a, plist, &lf, err)) != DSG_OK)
            goto done;
        for (size_t i = 0; i < lf.n_records; i++) {
            dsgt_avro_value e;
            if ((st = dsgt_avro_project(&a, &lf.records[i], ls, &e, err)) != DSG_OK)
                goto done;
            int64_t content = dsgt_avro_record_get(&e, "content")->l;
            int64_t live = dsgt_avro_record_get(&e, "added_files_count")->l +
                           dsgt_avro_record_get(&e, "existing_files_count")->l;
            int64_t live_rows = dsgt_avro_record_get(&e, "added_rows_count")->l +
                                dsgt_avro_record_get(&e, "existing_rows_count")->l;
            if (t->mode == DSG_MODE_OVERWRITE) {
                if (live == 0)
                    continue; /* nothing live to delete: drop it */
                char **nr = dsgi_realloc(at->deleted_rels, (at->n_deleted + 1) * sizeof *nr);
                if (!nr) {
                    st = oom(err);
                    goto done;
                }
                at->deleted_rels = nr;
                if ((st = write_deleted_manifest(t, &a, &lf.records[i], ls, seq, (int)i, at->uuid, &e, &tot, err)) !=
                    DSG_OK)
                    goto done;
                at->deleted_rels[at->n_deleted] = fmt("metadata/%s-d%d.avro", at->uuid, (int)i);
                if (!at->deleted_rels[at->n_deleted]) {
                    st = oom(err);
                    goto done;
                }
                at->n_deleted++;
            } else if (content == 0) {
                tot.data_files += live;
                tot.records += live_rows;
            } else {
                tot.delete_files += live;
            }
            if (n_entries == cap_entries) {
                dsgt_avro_value *ne = dsgt_arena_alloc(&a, 2 * cap_entries * sizeof *ne);
                if (!ne) {
                    st = oom(err);
                    goto done;
                }
                memcpy(ne, entries, n_entries * sizeof *ne);
                entries = ne;
                cap_entries *= 2;
            }
            entries[n_entries++] = e;
        }
    }
    at->list_rel = fmt("metadata/snap-%lld-%d-%s.avro", (long long)t->snapshot_id, attempt_no, at->uuid);
    if (!at->list_rel) {
        st = oom(err);
        goto done;
    }
    {
        char sid[24], pid[24], sq[24];
        snprintf(sid, sizeof sid, "%lld", (long long)t->snapshot_id);
        snprintf(pid, sizeof pid, "%lld", (long long)parent_id);
        snprintf(sq, sizeof sq, "%lld", (long long)seq);
        dsg_kv lmeta[] = {{"snapshot-id", sid},
                          {"parent-snapshot-id", parent ? pid : "null"},
                          {"sequence-number", sq},
                          {"format-version", "2"}};
        uint8_t sync[16];
        dsgt_avro_writer w;
        memset(&w, 0, sizeof w);
        if ((st = random_bytes(sync, 16, err)) == DSG_OK &&
            (st = dsgt_avro_writer_init(&w, &a, ice_manifest_list_avro_schema, lmeta, 4, DSGT_AVRO_CODEC_DEFLATE,
                                        sync, err)) == DSG_OK) {
            for (size_t i = 0; i < n_entries && st == DSG_OK; i++)
                st = dsgt_avro_writer_append(&w, &entries[i], err);
            if (st == DSG_OK)
                st = write_avro(t, at->list_rel, &w, err);
        }
        dsgt_avro_writer_free(&w);
        if (st != DSG_OK)
            goto done;
    }

    /* the snapshot and the new metadata */
    {
        int64_t ms = now_ms();
        json_int_t prev_ms = json_integer_value(json_object_get(meta, "last-updated-ms"));
        json_t *summary = json_object();
        json_object_set_new(summary, "operation",
                            json_string(t->mode == DSG_MODE_OVERWRITE && parent ? "overwrite" : "append"));
        set_count(summary, "added-data-files", (int64_t)t->n_files);
        set_count(summary, "added-records", added_rows);
        set_count(summary, "added-files-size", added_bytes);
        {
            /* distinct partition tuples among the new files */
            int64_t changed = 0;
            for (size_t i = 0; i < t->n_files; i++) {
                int seen = 0;
                for (size_t j = 0; j < i && !seen; j++) {
                    int same = 1;
                    for (size_t k = 0; k < t->spec.n && same; k++) {
                        const ice_pvalue *x = &t->files[i].part[k], *y = &t->files[j].part[k];
                        same = x->is_null == y->is_null &&
                               (x->s || y->s ? (x->s && y->s && strcmp(x->s, y->s) == 0) : x->i == y->i);
                    }
                    seen = same;
                }
                changed += !seen;
            }
            set_count(summary, "changed-partition-count", changed);
        }
        const json_t *psum = parent ? json_object_get(parent, "summary") : NULL;
        int ok = psum != NULL;
        int64_t prev_size = psum ? summary_int(psum, "total-files-size", &ok) : 0;
        if (t->mode == DSG_MODE_OVERWRITE && parent) {
            set_count(summary, "deleted-data-files", tot.deleted_files);
            set_count(summary, "deleted-records", tot.deleted_records);
            set_count(summary, "removed-files-size", tot.removed_bytes);
            set_count(summary, "total-files-size", added_bytes);
        } else if (!parent || ok) {
            set_count(summary, "total-files-size", prev_size + added_bytes);
        }
        set_count(summary, "total-records", tot.records);
        set_count(summary, "total-data-files", tot.data_files);
        set_count(summary, "total-delete-files", tot.delete_files);
        if (t->mode == DSG_MODE_OVERWRITE || !psum) {
            set_count(summary, "total-position-deletes", 0);
            set_count(summary, "total-equality-deletes", 0);
        } else {
            static const char *const keep[] = {"total-position-deletes", "total-equality-deletes"};
            for (int i = 0; i < 2; i++) {
                json_t *v = json_object_get(psum, keep[i]);
                if (v)
                    json_object_set(summary, keep[i], v);
            }
        }
        json_object_set_new(summary, "engine-name", json_string(t->engine_name));
        json_object_set_new(summary, "engine-version", json_string(t->engine_version));
        char *list_uri = fmt("%s/%s", t->root, at->list_rel);
        if (!list_uri) {
            json_decref(summary);
            st = oom(err);
            goto done;
        }
        json_t *snap = json_pack("{s:I, s:I, s:I, s:s, s:o, s:I}", "snapshot-id", (json_int_t)t->snapshot_id,
                                 "sequence-number", (json_int_t)seq, "timestamp-ms", (json_int_t)ms,
                                 "manifest-list", list_uri, "summary", summary, "schema-id", schema_id);
        dsgi_free(list_uri);
        if (parent)
            json_object_set_new(snap, "parent-snapshot-id", json_integer(parent_id));
        json_t *snaps = json_object_get(meta, "snapshots");
        if (!json_is_array(snaps)) {
            snaps = json_array();
            json_object_set_new(meta, "snapshots", snaps);
        }
        json_array_append_new(snaps, snap);
        json_object_set_new(meta, "current-snapshot-id", json_integer(t->snapshot_id));
        json_object_set_new(meta, "last-sequence-number", json_integer(seq));
        json_object_set_new(meta, "last-updated-ms", json_integer(ms));
        json_t *refs = json_object_get(meta, "refs");
        if (!json_is_object(refs)) {
            refs = json_object();
            json_object_set_new(meta, "refs", refs);
        }
        json_object_set_new(refs, "main", json_pack("{s:I, s:s}", "snapshot-id", (json_int_t)t->snapshot_id,
                                                    "type", "branch"));
        json_t *slog = json_object_get(meta, "snapshot-log");
        if (!json_is_array(slog)) {
            slog = json_array();
            json_object_set_new(meta, "snapshot-log", slog);
        }
        json_array_append_new(slog, json_pack("{s:I, s:I}", "timestamp-ms", (json_int_t)ms, "snapshot-id",
                                              (json_int_t)t->snapshot_id));
        if (cur->exists) {
            json_t *mlog = json_object_get(meta, "metadata-log");
            if (!json_is_array(mlog)) {
                mlog = json_array();
                json_object_set_new(meta, "metadata-log", mlog);
            }
            json_array_append_new(mlog, json_pack("{s:I, s:s}", "timestamp-ms", prev_ms, "metadata-file",
                                                  cur->location));
            while (json_array_size(mlog) > METADATA_LOG_MAX)
                json_array_remove(mlog, 0);
        }
    }
    int64_t version = cur->exists ? (cur->version >= 0 ? cur->version + 1 : 0) : 1;
    if (t->cat) {
        char uuid[37];
        if ((st = new_uuid(uuid, err)) != DSG_OK)
            goto done;
        at->meta_rel = fmt("metadata/%05lld-%s.metadata.json", (long long)version, uuid);
    } else {
        at->meta_rel = fmt("metadata/v%lld.metadata.json", (long long)version);
    }
    at->meta_uri = at->meta_rel ? fmt("%s/%s", t->root, at->meta_rel) : NULL;
    char *text = json_dumps(meta, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (!at->meta_uri || !text) {
        free(text);
        st = oom(err);
        goto done;
    }
    st = put(t, at->meta_rel, text, strlen(text), DSGT_PUT_IF_ABSENT, err);
    free(text);
    if (st == DSGT_EXISTS) {
        dsgi_free(at->meta_rel); /* not ours: never delete it */
        at->meta_rel = NULL;
        st = CONFLICT;
        goto done;
    }
    if (st != DSG_OK)
        goto done;

    /* step 4: the swap */
    if (t->cat) {
        int64_t changed = 0;
        if (cur->exists) {
            sqlcat_value p[5] = {sqlcat_text(at->meta_uri), sqlcat_text(cur->location), sqlcat_text(t->cat_name),
                                 sqlcat_text(t->cat_ns), sqlcat_text(t->name)};
            st = sqlcat_exec(t->cat,
                             "UPDATE iceberg_tables SET metadata_location = $1, previous_metadata_location = $2 "
                             "WHERE catalog_name = $3 AND table_namespace = $4 AND table_name = $5 AND "
                             "metadata_location = $2",
                             p, 5, &changed, err);
        } else {
            st = catalog_prepare(t, err);
            if (st == DSG_OK) {
                sqlcat_value p[4] = {sqlcat_text(t->cat_name), sqlcat_text(t->cat_ns), sqlcat_text(t->name),
                                     sqlcat_text(at->meta_uri)};
                st = sqlcat_exec(t->cat,
                                 t->has_type_column
                                     ? "INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, "
                                       "metadata_location, previous_metadata_location, iceberg_type) VALUES ($1, "
                                       "$2, $3, $4, NULL, 'TABLE') ON CONFLICT DO NOTHING"
                                     : "INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, "
                                       "metadata_location, previous_metadata_location) VALUES ($1, $2, $3, $4, "
                                       "NULL) ON CONFLICT DO NOTHING",
                                 p, 4, &changed, err);
            }
        }
        if (st == SQLCAT_CONFLICT || (st == DSG_OK && changed == 0))
            st = CONFLICT;
    } else {
        char hint[24];
        snprintf(hint, sizeof hint, "%lld", (long long)version);
        st = put(t, "metadata/version-hint.text", hint, strlen(hint), 0, err);
    }
done:
    json_decref(meta);
    dsgt_arena_free(&a);
    return st;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static dsg_status ice_commit(dsgt_table *t, int64_t *version, dsg_error *err)
{
    uint64_t backoff_us = 5000;
    int64_t start = mono_ms();
    for (int attempt_no = 0; attempt_no < MAX_ATTEMPTS; attempt_no++) {
        if (attempt_no > 0 && mono_ms() - start > COMMIT_DEADLINE_MS)
            return t->cat ? dsgi_fail(err, DSG_EIO,
                                      "Iceberg table %s: catalog %s stayed locked or contended for %d s; "
                                      "nothing was committed",
                                      t->name, sqlcat_label(t->cat), COMMIT_DEADLINE_MS / 1000)
                          : dsgi_fail(err, DSG_EIO,
                                      "Iceberg table %s: concurrent commits kept winning for %d s; nothing "
                                      "was committed",
                                      t->name, COMMIT_DEADLINE_MS / 1000);
        ice_current cur;
        dsg_status st = load_current(t, &cur, err);
        if (st == SQLCAT_CONFLICT) {
            st = CONFLICT;
        } else if (st != DSG_OK) {
            return st;
        } else {
            attempt at;
            memset(&at, 0, sizeof at);
            st = try_commit(t, &cur, attempt_no, &at, err);
            current_free(&cur);
            attempt_cleanup(t, &at, st != DSG_OK);
            if (st == DSG_OK) {
                *version = t->snapshot_id;
                return DSG_OK;
            }
            if (st != CONFLICT)
                return st;
        }
        /* a concurrent commit won: wait a little (jittered), then retry */
        uint16_t r = 0;
        random_bytes(&r, sizeof r, NULL);
        usleep((useconds_t)(backoff_us + backoff_us * r / 65536));
        if (backoff_us < 500000)
            backoff_us *= 2;
    }
    return dsgi_fail(err, DSG_EIO, "Iceberg table %s: gave up after %d concurrent commits won", t->name,
                     MAX_ATTEMPTS);
}

const dsgt_format dsgt_iceberg_format = {
    .name = "iceberg",
    .needs_field_ids = 1,
    .open = ice_open,
    .add_file = ice_add_file,
    .commit = ice_commit,
    .free = table_free,
};
