/*
 * ducklake.c - DuckLake tables: Parquet data files plus a catalog database
 * (SQLite or PostgreSQL) following the DuckLake specification 1.0, the
 * version DuckDB 1.5.2 and later read (duckdb/ducklake-web,
 * docs/stable/specification).
 *
 * Layout. The DuckLake data_path of a catalog we create is the run's
 * output (the parent of every table root), and schema "main" has the empty
 * relative path, so table "orders" lives at data_path + "orders/" and its
 * files keep the hive directories: "year=2024/month=01/part-00000.parquet"
 * relative to the table. A table root that is not below the catalog's
 * schema path (a catalog DuckDB made, another output) is stored as an
 * absolute path. Parquet field ids are the DuckLake column ids: depth-first
 * pre-order from 1, the numbering DuckDB itself gives a new table.
 *
 * Commit protocol (one catalog transaction per run):
 *   1. open (per table, before any data byte): connect, read the catalog
 *      if it exists (version must be 1.0, the table's columns must match,
 *      mode create refuses an existing table). Nothing is written.
 *   2. the run writes every data file under its final name; add_file
 *      keeps its path, rows, bytes, partition values and column stats.
 *   3. commit (every table of a run at once through commit_many, so a
 *      run is one snapshot): BEGIN IMMEDIATE (SQLite) / SERIALIZABLE
 *      (PostgreSQL); a SQLite file that did not exist is created here;
 *      create the catalog tables and initial rows if the catalog is new;
 *      read the latest snapshot; for each table create it (table, columns,
 *      schema version, partition spec) or find it (overwrite: end every
 *      live data file, delete file and inlined row); insert the data files,
 *      their column statistics and partition values (multi-row INSERTs);
 *      merge the table statistics (not versioned in DuckLake: bounds only
 *      widen, so they stay true for every snapshot); insert snapshot N+1
 *      and its changes (author: this program); COMMIT.
 *      SQLCAT_CONFLICT (busy, serialization failure, a snapshot id taken
 *      by a concurrent writer): roll back, wait, redo step 3 from a fresh
 *      read. A table created meanwhile by a concurrent writer (another
 *      shard of the same run) is appended to.
 * A crash before 3 commits leaves the catalog at its previous snapshot;
 * the files written so far are orphans no snapshot references. A run
 * with nothing to record (no table created, no file) makes no snapshot.
 */
#include "table/table.h"
#include "table/sqlcat.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DL_VERSION "1.0"
#define DL_MAX_ATTEMPTS 40
#define DL_MAX_SECONDS 120 /* stop retrying after this long */
#define DL_MAX_KEYS 8

/* ------------------------------------------------------------------ */
/* Catalog DDL                                                         */
/* ------------------------------------------------------------------ */

/* The specification's tables, as DuckDB's sqlite scanner creates them
 * (BOOLEAN as BIGINT 0/1, TIMESTAMPTZ and UUID as VARCHAR). */
static const char *const ddl_sqlite[] = {
    "CREATE TABLE ducklake_metadata(\"key\" VARCHAR NOT NULL, \"value\" VARCHAR NOT NULL, \"scope\" VARCHAR, scope_id BIGINT)",
    "CREATE TABLE ducklake_snapshot(snapshot_id BIGINT PRIMARY KEY, snapshot_time VARCHAR, schema_version BIGINT, next_catalog_id BIGINT, next_file_id BIGINT)",
    "CREATE TABLE ducklake_snapshot_changes(snapshot_id BIGINT PRIMARY KEY, changes_made VARCHAR, author VARCHAR, commit_message VARCHAR, commit_extra_info VARCHAR)",
    "CREATE TABLE ducklake_schema(schema_id BIGINT PRIMARY KEY, schema_uuid VARCHAR, begin_snapshot BIGINT, end_snapshot BIGINT, schema_name VARCHAR, path VARCHAR, path_is_relative BIGINT)",
    "CREATE TABLE ducklake_table(table_id BIGINT, table_uuid VARCHAR, begin_snapshot BIGINT, end_snapshot BIGINT, schema_id BIGINT, table_name VARCHAR, path VARCHAR, path_is_relative BIGINT)",
    "CREATE TABLE ducklake_view(view_id BIGINT, view_uuid VARCHAR, begin_snapshot BIGINT, end_snapshot BIGINT, schema_id BIGINT, view_name VARCHAR, dialect VARCHAR, \"sql\" VARCHAR, column_aliases VARCHAR)",
    "CREATE TABLE ducklake_tag(object_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT, \"key\" VARCHAR, \"value\" VARCHAR)",
    "CREATE TABLE ducklake_column_tag(table_id BIGINT, column_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT, \"key\" VARCHAR, \"value\" VARCHAR)",
    "CREATE TABLE ducklake_data_file(data_file_id BIGINT PRIMARY KEY, table_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT, file_order BIGINT, path VARCHAR, path_is_relative BIGINT, file_format VARCHAR, record_count BIGINT, file_size_bytes BIGINT, footer_size BIGINT, row_id_start BIGINT, partition_id BIGINT, encryption_key VARCHAR, mapping_id BIGINT, partial_max BIGINT)",
    "CREATE TABLE ducklake_file_column_stats(data_file_id BIGINT, table_id BIGINT, column_id BIGINT, column_size_bytes BIGINT, value_count BIGINT, null_count BIGINT, min_value VARCHAR, max_value VARCHAR, contains_nan BIGINT, extra_stats VARCHAR)",
    "CREATE TABLE ducklake_file_variant_stats(data_file_id BIGINT, table_id BIGINT, column_id BIGINT, variant_path VARCHAR, shredded_type VARCHAR, column_size_bytes BIGINT, value_count BIGINT, null_count BIGINT, min_value VARCHAR, max_value VARCHAR, contains_nan BIGINT, extra_stats VARCHAR)",
    "CREATE TABLE ducklake_delete_file(delete_file_id BIGINT PRIMARY KEY, table_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT, data_file_id BIGINT, path VARCHAR, path_is_relative BIGINT, format VARCHAR, delete_count BIGINT, file_size_bytes BIGINT, footer_size BIGINT, encryption_key VARCHAR, partial_max BIGINT)",
    "CREATE TABLE ducklake_column(column_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT, table_id BIGINT, column_order BIGINT, column_name VARCHAR, column_type VARCHAR, initial_default VARCHAR, default_value VARCHAR, nulls_allowed BIGINT, parent_column BIGINT, default_value_type VARCHAR, default_value_dialect VARCHAR)",
    "CREATE TABLE ducklake_table_stats(table_id BIGINT, record_count BIGINT, next_row_id BIGINT, file_size_bytes BIGINT)",
    "CREATE TABLE ducklake_table_column_stats(table_id BIGINT, column_id BIGINT, contains_null BIGINT, contains_nan BIGINT, min_value VARCHAR, max_value VARCHAR, extra_stats VARCHAR)",
    "CREATE TABLE ducklake_partition_info(partition_id BIGINT, table_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT)",
    "CREATE TABLE ducklake_partition_column(partition_id BIGINT, table_id BIGINT, partition_key_index BIGINT, column_id BIGINT, \"transform\" VARCHAR)",
    "CREATE TABLE ducklake_file_partition_value(data_file_id BIGINT, table_id BIGINT, partition_key_index BIGINT, partition_value VARCHAR)",
    "CREATE TABLE ducklake_files_scheduled_for_deletion(data_file_id BIGINT, path VARCHAR, path_is_relative BIGINT, schedule_start VARCHAR)",
    "CREATE TABLE ducklake_inlined_data_tables(table_id BIGINT, table_name VARCHAR, schema_version BIGINT)",
    "CREATE TABLE ducklake_column_mapping(mapping_id BIGINT, table_id BIGINT, \"type\" VARCHAR)",
    "CREATE TABLE ducklake_name_mapping(mapping_id BIGINT, column_id BIGINT, source_name VARCHAR, target_field_id BIGINT, parent_column BIGINT, is_partition BIGINT)",
    "CREATE TABLE ducklake_schema_versions(begin_snapshot BIGINT, schema_version BIGINT, table_id BIGINT)",
    "CREATE TABLE ducklake_macro(schema_id BIGINT, macro_id BIGINT, macro_name VARCHAR, begin_snapshot BIGINT, end_snapshot BIGINT)",
    "CREATE TABLE ducklake_macro_impl(macro_id BIGINT, impl_id BIGINT, dialect VARCHAR, \"sql\" VARCHAR, \"type\" VARCHAR)",
    "CREATE TABLE ducklake_macro_parameters(macro_id BIGINT, impl_id BIGINT, column_id BIGINT, parameter_name VARCHAR, parameter_type VARCHAR, default_value VARCHAR, default_value_type VARCHAR)",
    "CREATE TABLE ducklake_sort_info(sort_id BIGINT, table_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT)",
    "CREATE TABLE ducklake_sort_expression(sort_id BIGINT, table_id BIGINT, sort_key_index BIGINT, expression VARCHAR, dialect VARCHAR, sort_direction VARCHAR, null_order VARCHAR)",
};

/* The same tables with the specification's types, native in PostgreSQL. */
static const char *const ddl_postgres[] = {
    "CREATE TABLE ducklake_metadata(key VARCHAR NOT NULL, value VARCHAR NOT NULL, scope VARCHAR, scope_id BIGINT)",
    "CREATE TABLE ducklake_snapshot(snapshot_id BIGINT PRIMARY KEY, snapshot_time TIMESTAMPTZ, schema_version BIGINT, next_catalog_id BIGINT, next_file_id BIGINT)",
    "CREATE TABLE ducklake_snapshot_changes(snapshot_id BIGINT PRIMARY KEY, changes_made VARCHAR, author VARCHAR, commit_message VARCHAR, commit_extra_info VARCHAR)",
    "CREATE TABLE ducklake_schema(schema_id BIGINT PRIMARY KEY, schema_uuid UUID, begin_snapshot BIGINT, end_snapshot BIGINT, schema_name VARCHAR, path VARCHAR, path_is_relative BOOLEAN)",
    "CREATE TABLE ducklake_table(table_id BIGINT, table_uuid UUID, begin_snapshot BIGINT, end_snapshot BIGINT, schema_id BIGINT, table_name VARCHAR, path VARCHAR, path_is_relative BOOLEAN)",
    "CREATE TABLE ducklake_view(view_id BIGINT, view_uuid UUID, begin_snapshot BIGINT, end_snapshot BIGINT, schema_id BIGINT, view_name VARCHAR, dialect VARCHAR, sql VARCHAR, column_aliases VARCHAR)",
    "CREATE TABLE ducklake_tag(object_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT, key VARCHAR, value VARCHAR)",
    "CREATE TABLE ducklake_column_tag(table_id BIGINT, column_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT, key VARCHAR, value VARCHAR)",
    "CREATE TABLE ducklake_data_file(data_file_id BIGINT PRIMARY KEY, table_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT, file_order BIGINT, path VARCHAR, path_is_relative BOOLEAN, file_format VARCHAR, record_count BIGINT, file_size_bytes BIGINT, footer_size BIGINT, row_id_start BIGINT, partition_id BIGINT, encryption_key VARCHAR, mapping_id BIGINT, partial_max BIGINT)",
    "CREATE TABLE ducklake_file_column_stats(data_file_id BIGINT, table_id BIGINT, column_id BIGINT, column_size_bytes BIGINT, value_count BIGINT, null_count BIGINT, min_value VARCHAR, max_value VARCHAR, contains_nan BOOLEAN, extra_stats VARCHAR)",
    "CREATE TABLE ducklake_file_variant_stats(data_file_id BIGINT, table_id BIGINT, column_id BIGINT, variant_path VARCHAR, shredded_type VARCHAR, column_size_bytes BIGINT, value_count BIGINT, null_count BIGINT, min_value VARCHAR, max_value VARCHAR, contains_nan BOOLEAN, extra_stats VARCHAR)",
    "CREATE TABLE ducklake_delete_file(delete_file_id BIGINT PRIMARY KEY, table_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT, data_file_id BIGINT, path VARCHAR, path_is_relative BOOLEAN, format VARCHAR, delete_count BIGINT, file_size_bytes BIGINT, footer_size BIGINT, encryption_key VARCHAR, partial_max BIGINT)",
    "CREATE TABLE ducklake_column(column_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT, table_id BIGINT, column_order BIGINT, column_name VARCHAR, column_type VARCHAR, initial_default VARCHAR, default_value VARCHAR, nulls_allowed BOOLEAN, parent_column BIGINT, default_value_type VARCHAR, default_value_dialect VARCHAR)",
    "CREATE TABLE ducklake_table_stats(table_id BIGINT, record_count BIGINT, next_row_id BIGINT, file_size_bytes BIGINT)",
    "CREATE TABLE ducklake_table_column_stats(table_id BIGINT, column_id BIGINT, contains_null BOOLEAN, contains_nan BOOLEAN, min_value VARCHAR, max_value VARCHAR, extra_stats VARCHAR)",
    "CREATE TABLE ducklake_partition_info(partition_id BIGINT, table_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT)",
    "CREATE TABLE ducklake_partition_column(partition_id BIGINT, table_id BIGINT, partition_key_index BIGINT, column_id BIGINT, transform VARCHAR)",
    "CREATE TABLE ducklake_file_partition_value(data_file_id BIGINT, table_id BIGINT, partition_key_index BIGINT, partition_value VARCHAR)",
    "CREATE TABLE ducklake_files_scheduled_for_deletion(data_file_id BIGINT, path VARCHAR, path_is_relative BOOLEAN, schedule_start TIMESTAMPTZ)",
    "CREATE TABLE ducklake_inlined_data_tables(table_id BIGINT, table_name VARCHAR, schema_version BIGINT)",
    "CREATE TABLE ducklake_column_mapping(mapping_id BIGINT, table_id BIGINT, type VARCHAR)",
    "CREATE TABLE ducklake_name_mapping(mapping_id BIGINT, column_id BIGINT, source_name VARCHAR, target_field_id BIGINT, parent_column BIGINT, is_partition BOOLEAN)",
    "CREATE TABLE ducklake_schema_versions(begin_snapshot BIGINT, schema_version BIGINT, table_id BIGINT)",
    "CREATE TABLE ducklake_macro(schema_id BIGINT, macro_id BIGINT, macro_name VARCHAR, begin_snapshot BIGINT, end_snapshot BIGINT)",
    "CREATE TABLE ducklake_macro_impl(macro_id BIGINT, impl_id BIGINT, dialect VARCHAR, sql VARCHAR, type VARCHAR)",
    "CREATE TABLE ducklake_macro_parameters(macro_id BIGINT, impl_id BIGINT, column_id BIGINT, parameter_name VARCHAR, parameter_type VARCHAR, default_value VARCHAR, default_value_type VARCHAR)",
    "CREATE TABLE ducklake_sort_info(sort_id BIGINT, table_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT)",
    "CREATE TABLE ducklake_sort_expression(sort_id BIGINT, table_id BIGINT, sort_key_index BIGINT, expression VARCHAR, dialect VARCHAR, sort_direction VARCHAR, null_order VARCHAR)",
};

#define N_DDL (sizeof ddl_sqlite / sizeof ddl_sqlite[0])

/* ------------------------------------------------------------------ */
/* Table state                                                         */
/* ------------------------------------------------------------------ */

/* One DuckLake column: a node of the field tree in pre-order. */
typedef struct dl_col {
    int64_t id;          /* column id = Parquet field id */
    int64_t parent;      /* 0: top level */
    const char *name;
    char type[32];       /* DuckLake type name */
    int nullable;
    const dsg_field *field;
    int leaf;
} dl_col;

/* Statistics of one leaf column of one file, as catalog text. */
typedef struct dl_stat {
    int64_t column_id;
    uint64_t values, nulls, nans;
    int nan;             /* -1: not a floating column, else nans > 0 */
    char *min, *max;     /* NULL: unknown */
} dl_stat;

typedef struct dl_file {
    char *rel;
    char *path;          /* as the catalog stores it (set at commit) */
    uint64_t rows, bytes;
    char *keys[DL_MAX_KEYS]; /* partition values per key */
    dl_stat *stats;
    size_t n_stats;
} dl_file;

struct dsgt_table {
    sqlcat *cat;         /* NULL until commit for a SQLite file not there yet */
    char *uri;           /* the catalog URI */
    char *name;
    dsg_table_mode mode;
    char *root;          /* the table root as DuckLake stores paths:
                            "/abs/out/orders/" or "s3://b/p/orders/" */
    char *data_path;     /* its parent: the data_path of a new catalog */
    char *engine_info;
    dl_col *cols;
    size_t n_cols;
    /* partitioning: keys of the DuckLake partition spec */
    const char *key_transform[DL_MAX_KEYS];
    size_t n_keys;
    int64_t key_column;  /* column id of the source column; 0: none */
    dsg_partition_transform *levels; /* per hive level */
    size_t n_levels;
    dl_file *files;
    size_t n_files, cap_files;
};

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */
/* ------------------------------------------------------------------ */

static char *xstrdup(const char *s) { return s ? dsgi_strdup(s) : NULL; }

static char *xprintf(const char *fmt, ...) DSGI_PRINTF(1, 2);
static char *xprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = dsgi_malloc((size_t)n + 1);
    if (p == NULL)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

static int parse_bool(const char *s)
{
    return s != NULL && (strcmp(s, "1") == 0 || strcmp(s, "t") == 0 || strcmp(s, "true") == 0);
}

static int64_t parse_i64(const char *s) { return s ? strtoll(s, NULL, 10) : 0; }

static void make_uuid(char out[37])
{
    uint8_t b[16];
    size_t got = 0;
    while (got < sizeof b) {
        ssize_t n = getrandom(b + got, sizeof b - got, 0);
        if (n <= 0) {
            /* no entropy source: time and pid still make it unique enough */
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ ((uint64_t)getpid() << 40);
            for (size_t i = got; i < sizeof b; i++, x = x * 6364136223846793005ULL + 1442695040888963407ULL)
                b[i] = (uint8_t)(x >> 56);
            break;
        }
        got += (size_t)n;
    }
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
             b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

/* "YYYY-MM-DD HH:MM:SS.ffffff+00" of a UTC instant in microseconds. */
static void format_timestamp(char *out, size_t size, int64_t us)
{
    int64_t days = us >= 0 ? us / 86400000000LL : -((-us + 86400000000LL - 1) / 86400000000LL);
    int64_t rem = us - days * 86400000000LL;
    int64_t y;
    unsigned m, d;
    dsgi_civil_from_days(days, &y, &m, &d);
    int64_t secs = rem / 1000000, frac = rem % 1000000;
    snprintf(out, size, "%04" PRId64 "-%02u-%02u %02d:%02d:%02d.%06d+00", y, m, d, (int)(secs / 3600),
             (int)(secs / 60 % 60), (int)(secs % 60), (int)frac);
}

static void format_date(char *out, size_t size, int32_t days)
{
    int64_t y;
    unsigned m, d;
    dsgi_civil_from_days(days, &y, &m, &d);
    snprintf(out, size, "%04" PRId64 "-%02u-%02u", y, m, d);
}

static void now_text(char *out, size_t size)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    format_timestamp(out, size, (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

/* ------------------------------------------------------------------ */
/* Types and statistics as text                                        */
/* ------------------------------------------------------------------ */

static void ducklake_type(const dsg_field *f, char *out, size_t size)
{
    switch (f->type) {
    case DSG_BOOL: snprintf(out, size, "boolean"); break;
    case DSG_INT8: snprintf(out, size, "int8"); break;
    case DSG_INT16: snprintf(out, size, "int16"); break;
    case DSG_INT32: snprintf(out, size, "int32"); break;
    case DSG_INT64: snprintf(out, size, "int64"); break;
    case DSG_FLOAT: snprintf(out, size, "float32"); break;
    case DSG_DOUBLE: snprintf(out, size, "float64"); break;
    case DSG_DATE: snprintf(out, size, "date"); break;
    case DSG_TIMESTAMP: snprintf(out, size, "timestamptz"); break;
    case DSG_DURATION: snprintf(out, size, "int64"); break; /* Parquet INT64, no logical type */
    case DSG_STRING: snprintf(out, size, "varchar"); break;
    case DSG_DECIMAL: snprintf(out, size, "decimal(%d,%d)", f->precision, f->scale); break;
    case DSG_STRUCT: snprintf(out, size, "struct"); break;
    case DSG_LIST: snprintf(out, size, "list"); break;
    case DSG_MAP: snprintf(out, size, "map"); break;
    default: snprintf(out, size, "unknown"); break;
    }
}

static int is_floating(dsg_type t) { return t == DSG_FLOAT || t == DSG_DOUBLE; }

static int64_t load_le(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    if (n < 8 && (v >> (8 * n - 1)) & 1)
        v |= ~0ULL << (8 * n); /* sign-extend */
    return (int64_t)v;
}

/* The catalog text of one PLAIN-encoded statistics value, as DuckDB casts
 * it back to the column type; NULL when the bytes do not fit the type. */
static char *stat_text(const dsg_field *f, const uint8_t *p, size_t n)
{
    char buf[64];
    switch (f->type) {
    case DSG_BOOL:
        if (n != 1)
            return NULL;
        return dsgi_strdup(p[0] ? "true" : "false");
    case DSG_INT8:
    case DSG_INT16:
    case DSG_INT32:
        if (n != 4)
            return NULL;
        return xprintf("%" PRId64, load_le(p, 4));
    case DSG_INT64:
    case DSG_DURATION:
        if (n != 8)
            return NULL;
        return xprintf("%" PRId64, load_le(p, 8));
    case DSG_FLOAT: {
        if (n != 4)
            return NULL;
        float v;
        memcpy(&v, p, 4);
        return xprintf("%.9g", (double)v);
    }
    case DSG_DOUBLE: {
        if (n != 8)
            return NULL;
        double v;
        memcpy(&v, p, 8);
        return xprintf("%.17g", v);
    }
    case DSG_DATE:
        if (n != 4)
            return NULL;
        format_date(buf, sizeof buf, (int32_t)load_le(p, 4));
        return dsgi_strdup(buf);
    case DSG_TIMESTAMP:
        if (n != 8)
            return NULL;
        format_timestamp(buf, sizeof buf, load_le(p, 8));
        return dsgi_strdup(buf);
    case DSG_STRING: {
        if (memchr(p, 0, n) != NULL)
            return NULL;
        char *s = dsgi_malloc(n + 1);
        if (s != NULL) {
            memcpy(s, p, n);
            s[n] = '\0';
        }
        return s;
    }
    case DSG_DECIMAL: {
        if (n != 4 && n != 8)
            return NULL;
        int64_t v = load_le(p, n);
        uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
        if (f->scale < 0 || f->scale > 18)
            return NULL;
        char digits[64];
        snprintf(digits, sizeof digits, "%0*" PRIu64, (f->scale + 1) & 31, mag);
        size_t len = strlen(digits), int_len = len - (size_t)f->scale;
        if (f->scale == 0)
            return xprintf("%s%s", v < 0 ? "-" : "", digits);
        return xprintf("%s%.*s.%s", v < 0 ? "-" : "", (int)int_len, digits, digits + int_len);
    }
    default:
        return NULL;
    }
}

/* Typed comparison of two catalog texts of the same column (ours or
 * DuckDB's: booleans 0/1 or true/false, timestamps with any fraction).
 * Returns <0, 0, >0; *ok = 0 when either does not parse. */
static int parse_ts(const char *s, int64_t *out)
{
    int y, mo, d, h = 0, mi = 0, se = 0, n = 0;
    if (sscanf(s, "%d-%d-%d%n", &y, &mo, &d, &n) != 3)
        return 0;
    const char *p = s + n;
    int64_t frac = 0;
    if (*p == ' ' || *p == 'T') {
        int k = 0;
        if (sscanf(p + 1, "%d:%d:%d%n", &h, &mi, &se, &k) != 3)
            return 0;
        p += 1 + k;
        if (*p == '.') {
            int digits = 0;
            p++;
            while (*p >= '0' && *p <= '9') {
                if (digits < 6) {
                    frac = frac * 10 + (*p - '0');
                    digits++;
                }
                p++;
            }
            while (digits++ < 6)
                frac *= 10;
        }
    }
    int64_t off = 0;
    if (*p == '+' || *p == '-') {
        int oh = 0, om = 0;
        int sign = *p == '-' ? -1 : 1;
        if (sscanf(p + 1, "%2d", &oh) != 1)
            return 0;
        const char *q = p + 3;
        if (*q == ':')
            q++;
        if (*q >= '0' && *q <= '9')
            sscanf(q, "%2d", &om);
        off = sign * ((int64_t)oh * 3600 + om * 60) * 1000000;
    }
    int64_t days = dsgi_days_from_civil(y, (unsigned)mo, (unsigned)d);
    *out = days * 86400000000LL + ((int64_t)h * 3600 + mi * 60 + se) * 1000000 + frac - off;
    return 1;
}

static int compare_stat(const dsg_field *f, const char *a, const char *b, int *ok)
{
    *ok = 1;
    switch (f->type) {
    case DSG_BOOL: {
        int x = parse_bool(a), y = parse_bool(b);
        return (x > y) - (x < y);
    }
    case DSG_INT8:
    case DSG_INT16:
    case DSG_INT32:
    case DSG_INT64:
    case DSG_DURATION: {
        char *ea, *eb;
        errno = 0;
        long long x = strtoll(a, &ea, 10), y = strtoll(b, &eb, 10);
        if (*ea || *eb || errno) {
            *ok = 0;
            return 0;
        }
        return (x > y) - (x < y);
    }
    case DSG_FLOAT:
    case DSG_DOUBLE:
    case DSG_DECIMAL: {
        char *ea, *eb;
        long double x = strtold(a, &ea), y = strtold(b, &eb);
        if (*ea || *eb) {
            *ok = 0;
            return 0;
        }
        int xn = x != x, yn = y != y; /* NaN sorts last, as in DuckDB */
        if (xn || yn)
            return xn - yn;
        return (x > y) - (x < y);
    }
    case DSG_DATE:
    case DSG_TIMESTAMP: {
        int64_t x, y;
        if (!parse_ts(a, &x) || !parse_ts(b, &y)) {
            *ok = 0;
            return 0;
        }
        return (x > y) - (x < y);
    }
    case DSG_STRING: {
        int c = strcmp(a, b);
        return (c > 0) - (c < 0);
    }
    default:
        *ok = 0;
        return 0;
    }
}

/* ------------------------------------------------------------------ */
/* Columns                                                             */
/* ------------------------------------------------------------------ */

static size_t count_nodes(const dsg_field *f, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += 1 + count_nodes(f[i].children, f[i].n_children);
    return c;
}

/* Flattens the field tree in pre-order: ids 1, 2, ... as the Parquet
 * writer numbers field ids. */
static void flatten(dl_col *cols, size_t *k, const dsg_field *f, size_t n, int64_t parent, dsg_type parent_type)
{
    for (size_t i = 0; i < n; i++) {
        dl_col *c = &cols[*k];
        c->id = (int64_t)++*k;
        c->parent = parent;
        c->field = &f[i];
        c->name = f[i].name;
        if (parent_type == DSG_LIST)
            c->name = "element";
        else if (parent_type == DSG_MAP)
            c->name = i == 0 ? "key" : "value";
        ducklake_type(&f[i], c->type, sizeof c->type);
        /* DuckDB keeps NOT NULL on top-level columns only */
        c->nullable = parent != 0 || (f[i].flags & DSG_FIELD_NULLABLE) != 0;
        c->leaf = f[i].n_children == 0;
        flatten(cols, k, f[i].children, f[i].n_children, c->id, f[i].type);
    }
}

/* ------------------------------------------------------------------ */
/* Open, add_file, free                                                */
/* ------------------------------------------------------------------ */

static void free_file(dl_file *f)
{
    dsgi_free(f->rel);
    dsgi_free(f->path);
    for (size_t i = 0; i < DL_MAX_KEYS; i++)
        dsgi_free(f->keys[i]);
    for (size_t i = 0; i < f->n_stats; i++) {
        dsgi_free(f->stats[i].min);
        dsgi_free(f->stats[i].max);
    }
    dsgi_free(f->stats);
}

static void dl_free(dsgt_table *t)
{
    if (t == NULL)
        return;
    sqlcat_close(t->cat);
    dsgi_free(t->uri);
    dsgi_free(t->name);
    dsgi_free(t->root);
    dsgi_free(t->data_path);
    dsgi_free(t->engine_info);
    dsgi_free(t->cols);
    dsgi_free(t->levels);
    for (size_t i = 0; i < t->n_files; i++)
        free_file(&t->files[i]);
    dsgi_free(t->files);
    dsgi_free(t);
}

/* The table root and its parent as DuckLake paths, from the store URI. */
static dsg_status set_paths(dsgt_table *t, const dsgt_store *store, dsg_error *err)
{
    const char *local = dsgt_store_local_path(store);
    const char *uri = local ? local : dsgt_store_uri(store);
    size_t n = strlen(uri);
    while (n > 1 && uri[n - 1] == '/')
        n--;
    t->root = xprintf("%.*s/", (int)n, uri);
    if (t->root == NULL)
        return dsgi_fail(err, DSG_ENOMEM, "out of memory (DuckLake paths)");
    size_t cut = n;
    while (cut > 0 && uri[cut - 1] != '/')
        cut--;
    /* "/abs/out/orders" -> "/abs/out/", "s3://b/p/orders" -> "s3://b/p/" */
    t->data_path = xprintf("%.*s", (int)cut, uri);
    if (t->data_path == NULL)
        return dsgi_fail(err, DSG_ENOMEM, "out of memory (DuckLake paths)");
    DSGI_RETURN_IF(cut == 0 || strcmp(t->data_path, "s3://") == 0, err, DSG_EINVAL,
                   "DuckLake table %s: the output %s has no parent directory for the data path", t->name, uri);
    return DSG_OK;
}

static dsg_status set_partitioning(dsgt_table *t, const dsgt_table_args *a, dsg_error *err)
{
    t->key_column = 0;
    t->n_keys = 0;
    if (a->n_partition_by == 0 || a->partition_source < 0 || (size_t)a->partition_source >= a->n_fields ||
        a->partition_transforms == NULL)
        return DSG_OK;
    /* column id of the top-level source field */
    int64_t id = 0;
    for (size_t i = 0; i < t->n_cols; i++)
        if (t->cols[i].parent == 0 && t->cols[i].field == &a->fields[a->partition_source])
            id = t->cols[i].id;
    DSGI_RETURN_IF(id == 0, err, DSG_EINTERNAL, "DuckLake table %s: partition source not found", t->name);
    t->levels = dsgi_calloc(a->n_partition_by, sizeof *t->levels);
    if (t->levels == NULL)
        return dsgi_fail(err, DSG_ENOMEM, "out of memory (DuckLake partitions)");
    t->n_levels = a->n_partition_by;
    for (size_t l = 0; l < a->n_partition_by; l++) {
        dsg_partition_transform tr = a->partition_transforms[l];
        t->levels[l] = tr;
        const char *names[2] = {NULL, NULL};
        switch (tr) {
        case DSG_PART_IDENTITY: names[0] = "identity"; break;
        case DSG_PART_YEAR: names[0] = "year"; break;
        case DSG_PART_MONTH: names[0] = "month"; break;
        case DSG_PART_DAY: names[0] = "day"; break;
        case DSG_PART_HOUR: names[0] = "hour"; break;
        case DSG_PART_YEARMONTH: names[0] = "year"; names[1] = "month"; break;
        }
        for (int k = 0; k < 2 && names[k]; k++) {
            DSGI_RETURN_IF(t->n_keys == DL_MAX_KEYS, err, DSG_EINVAL,
                           "DuckLake table %s: too many partition levels", t->name);
            t->key_transform[t->n_keys++] = names[k];
        }
    }
    t->key_column = id;
    return DSG_OK;
}

/* The catalog's state for one table name, read inside a transaction. */
typedef struct dl_existing {
    int64_t table_id;    /* 0: no such table */
    int64_t partition_id; /* the current spec when it equals ours, else 0 */
    char *path;          /* resolved table path */
} dl_existing;

static dsg_status check_version(sqlcat *c, char **data_path, dsg_error *err);
static dsg_status find_table(dsgt_table *t, int64_t schema_id, const char *schema_path, dl_existing *ex,
                             dsg_error *err);
static dsg_status schema_main(sqlcat *c, int64_t *schema_id, char **path, const char *data_path, dsg_error *err);

static dsg_status dl_open(dsgt_table **out, const dsgt_table_args *a, dsg_error *err)
{
    DSGI_RETURN_IF(a->catalog == NULL || a->catalog->uri == NULL || a->catalog->uri[0] == '\0', err, DSG_EINVAL,
                   "--format ducklake needs a catalog: --catalog-uri sqlite:///path/lake.sqlite or "
                   "postgresql://user:pass@host:port/db");
    DSGI_FORWARD(sqlcat_check_uri(a->catalog->uri, err));
    DSGI_RETURN_IF(a->catalog->namespace_ != NULL && strcmp(a->catalog->namespace_, "main") != 0, err, DSG_EINVAL,
                   "DuckLake tables are written to schema main (namespace '%s' is not supported)",
                   a->catalog->namespace_);
    const char *kind = a->catalog->kind;
    const char *file = sqlcat_sqlite_path(a->catalog->uri);
    DSGI_RETURN_IF(kind != NULL && strcmp(kind, file ? "sqlite" : "postgres") != 0 &&
                       !(file == NULL && strcmp(kind, "postgresql") == 0),
                   err, DSG_EINVAL, "--catalog-kind %s does not match the catalog URI (DuckLake: sqlite or postgres)",
                   kind);
    dsgt_table *t = dsgi_calloc(1, sizeof *t);
    if (t == NULL)
        return dsgi_fail(err, DSG_ENOMEM, "out of memory (DuckLake table)");
    dsg_status st = DSG_OK;
    t->mode = a->mode;
    t->uri = xstrdup(a->catalog->uri);
    t->name = xstrdup(a->table_name);
    t->engine_info = xstrdup(a->engine_info ? a->engine_info : "dataset-generator");
    size_t n = count_nodes(a->fields, a->n_fields);
    t->cols = dsgi_calloc(n ? n : 1, sizeof *t->cols);
    if (t->name == NULL || t->engine_info == NULL || t->cols == NULL || t->uri == NULL) {
        dl_free(t);
        return dsgi_fail(err, DSG_ENOMEM, "out of memory (DuckLake table)");
    }
    size_t k = 0;
    flatten(t->cols, &k, a->fields, a->n_fields, 0, DSG_STRUCT);
    t->n_cols = k;
    /* A SQLite catalog that does not exist yet is created at commit:
     * nothing is written before (a refused run leaves no file). */
    struct stat sb;
    int deferred = file != NULL && stat(file, &sb) != 0 && errno == ENOENT;
    if ((st = set_paths(t, a->store, err)) != DSG_OK || (st = set_partitioning(t, a, err)) != DSG_OK ||
        (!deferred && (st = sqlcat_open(&t->cat, a->catalog->uri, err)) != DSG_OK)) {
        dl_free(t);
        return st;
    }
    if (deferred) {
        *out = t;
        return DSG_OK;
    }
    /* Read what exists, without writing anything. */
    int exists = 0;
    st = sqlcat_table_exists(t->cat, "ducklake_metadata", &exists, err);
    if (st == DSG_OK && exists) {
        char *data_path = NULL, *schema_path = NULL;
        int64_t schema_id = 0;
        dl_existing ex = {0, 0, NULL};
        st = sqlcat_begin(t->cat, SQLCAT_TX_READ, err);
        if (st == DSG_OK)
            st = check_version(t->cat, &data_path, err);
        if (st == DSG_OK)
            st = schema_main(t->cat, &schema_id, &schema_path, data_path, err);
        if (st == DSG_OK)
            st = find_table(t, schema_id, schema_path, &ex, err);
        sqlcat_rollback(t->cat);
        if (st == DSG_OK && ex.table_id != 0 && t->mode == DSG_MODE_CREATE)
            st = dsgi_fail(err, DSG_EINVAL,
                           "table %s already exists in DuckLake catalog %s (use --mode append or --mode overwrite)",
                           t->name, sqlcat_label(t->cat));
        dsgi_free(ex.path);
        dsgi_free(data_path);
        dsgi_free(schema_path);
    }
    if (st != DSG_OK) {
        dl_free(t);
        return st;
    }
    *out = t;
    return DSG_OK;
}

static dsg_status dl_add_file(dsgt_table *t, const dsgt_file *file, dsg_error *err)
{
    if (t->n_files == t->cap_files) {
        size_t cap = t->cap_files ? t->cap_files * 2 : 64;
        dl_file *p = dsgi_realloc(t->files, cap * sizeof *p);
        if (p == NULL)
            return dsgi_fail(err, DSG_ENOMEM, "out of memory (DuckLake files)");
        t->files = p;
        t->cap_files = cap;
    }
    dl_file *f = &t->files[t->n_files];
    memset(f, 0, sizeof *f);
    f->rel = xstrdup(file->rel_path);
    f->rows = file->rows;
    f->bytes = file->bytes;
    f->stats = dsgi_calloc(file->n_columns ? file->n_columns : 1, sizeof *f->stats);
    if (f->rel == NULL || f->stats == NULL) {
        free_file(f);
        return dsgi_fail(err, DSG_ENOMEM, "out of memory (DuckLake files)");
    }
    /* partition values per DuckLake key, as the directory names write them
     * ("2024", "01"; "2024-01" gives "2024" and "01"). Readers parse them
     * as the transform's integer; keeping the directory's text keeps our
     * files apart from DuckDB's ("month=1") in the groups of DuckDB's
     * compaction, which requires one directory per group. */
    size_t key = 0;
    for (size_t l = 0; t->key_column != 0 && l < t->n_levels; l++) {
        const char *v = file->partition_values ? file->partition_values[l] : NULL;
        if (v == NULL) {
            free_file(f);
            return dsgi_fail(err, DSG_EINTERNAL, "DuckLake table %s: file %s has no partition value", t->name,
                             file->rel_path);
        }
        if (t->levels[l] == DSG_PART_IDENTITY) {
            f->keys[key++] = xstrdup(v);
        } else if (t->levels[l] == DSG_PART_YEARMONTH) {
            const char *dash = strchr(v, '-');
            if (dash == NULL || dash == v || dash[1] == '\0') {
                free_file(f);
                return dsgi_fail(err, DSG_EINTERNAL, "DuckLake table %s: bad partition value %s", t->name, v);
            }
            f->keys[key++] = xprintf("%.*s", (int)(dash - v), v);
            f->keys[key++] = xstrdup(dash + 1);
        } else {
            f->keys[key++] = xstrdup(v);
        }
    }
    for (size_t i = 0; i < key; i++) {
        if (f->keys[i] == NULL) {
            free_file(f);
            return dsgi_fail(err, DSG_ENOMEM, "out of memory (DuckLake files)");
        }
    }
    /* column statistics by column id */
    for (size_t i = 0; i < file->n_columns; i++) {
        const dsg_column_stats *cs = &file->columns[i];
        dl_stat *s = &f->stats[f->n_stats];
        s->column_id = cs->field_id;
        if (s->column_id <= 0 || (size_t)s->column_id > t->n_cols || !t->cols[s->column_id - 1].leaf) {
            free_file(f);
            return dsgi_fail(err, DSG_EINTERNAL,
                             "DuckLake table %s: file %s has a column without a valid field id (%d)", t->name,
                             file->rel_path, (int)cs->field_id);
        }
        const dsg_field *leaf = t->cols[s->column_id - 1].field;
        s->values = cs->values;
        s->nulls = cs->nulls;
        s->nans = cs->nans;
        s->nan = is_floating(leaf->type) ? cs->nans > 0 : -1;
        if (cs->has_minmax) {
            s->min = stat_text(leaf, cs->min, cs->min_len);
            s->max = stat_text(leaf, cs->max, cs->max_len);
            if (s->min == NULL || s->max == NULL) { /* unknown is safe */
                dsgi_free(s->min);
                dsgi_free(s->max);
                s->min = s->max = NULL;
            }
        }
        f->n_stats++;
    }
    t->n_files++;
    return DSG_OK;
}

/* ------------------------------------------------------------------ */
/* Reading the catalog                                                 */
/* ------------------------------------------------------------------ */

static dsg_status query1(sqlcat *c, const char *sql, const sqlcat_value *p, size_t n, sqlcat_rows **rows,
                         dsg_error *err)
{
    return sqlcat_query(c, sql, p, n, rows, err);
}

static dsg_status check_version(sqlcat *c, char **data_path, dsg_error *err)
{
    sqlcat_rows *r;
    DSGI_FORWARD(query1(c, "SELECT key, value FROM ducklake_metadata", NULL, 0, &r, err));
    const char *version = NULL, *path = NULL;
    for (size_t i = 0; i < r->n_rows; i++) {
        const char *k = sqlcat_cell(r, i, 0);
        if (k && strcmp(k, "version") == 0)
            version = sqlcat_cell(r, i, 1);
        else if (k && strcmp(k, "data_path") == 0)
            path = sqlcat_cell(r, i, 1);
        else if (k && strcmp(k, "encrypted") == 0 && parse_bool(sqlcat_cell(r, i, 1))) {
            sqlcat_rows_free(r);
            return dsgi_fail(err, DSG_EINVAL, "DuckLake catalog %s is encrypted; writing encrypted lakes is not "
                             "supported", sqlcat_label(c));
        }
    }
    dsg_status st = DSG_OK;
    if (version == NULL) {
        st = dsgi_fail(err, DSG_EINVAL, "catalog %s has DuckLake tables but no version in ducklake_metadata",
                       sqlcat_label(c));
    } else if (strcmp(version, DL_VERSION) != 0) {
        /* versions are "0.1" ... "0.4", "1.0", later "1.1" ...: compare numerically */
        double v = strtod(version, NULL);
        if (v > 1.0)
            st = dsgi_fail(err, DSG_EINVAL,
                           "DuckLake catalog %s has specification version %s, newer than the version %s this "
                           "program writes; refusing to modify it", sqlcat_label(c), version, DL_VERSION);
        else
            st = dsgi_fail(err, DSG_EINVAL,
                           "DuckLake catalog %s has specification version %s; this program writes %s: attach it "
                           "once with DuckDB 1.5 (AUTOMATIC_MIGRATION TRUE) to upgrade it", sqlcat_label(c),
                           version, DL_VERSION);
    } else if (data_path != NULL) {
        *data_path = xstrdup(path ? path : "");
        if (*data_path == NULL)
            st = dsgi_fail(err, DSG_ENOMEM, "out of memory (DuckLake catalog)");
    }
    sqlcat_rows_free(r);
    return st;
}

static char *join_path(const char *base, const char *path, int relative)
{
    if (path == NULL)
        return xstrdup(base);
    if (!relative)
        return xstrdup(path);
    return xprintf("%s%s", base, path);
}

static dsg_status schema_main(sqlcat *c, int64_t *schema_id, char **path, const char *data_path, dsg_error *err)
{
    sqlcat_rows *r;
    sqlcat_value p = sqlcat_text("main");
    DSGI_FORWARD(query1(c,
                        "SELECT schema_id, path, path_is_relative FROM ducklake_schema WHERE schema_name = $1 "
                        "AND end_snapshot IS NULL", &p, 1, &r, err));
    dsg_status st = DSG_OK;
    if (r->n_rows == 0) {
        st = dsgi_fail(err, DSG_EINVAL, "DuckLake catalog %s has no schema main", sqlcat_label(c));
    } else {
        *schema_id = parse_i64(sqlcat_cell(r, 0, 0));
        *path = join_path(data_path, sqlcat_cell(r, 0, 1), parse_bool(sqlcat_cell(r, 0, 2)));
        if (*path == NULL)
            st = dsgi_fail(err, DSG_ENOMEM, "out of memory (DuckLake catalog)");
    }
    sqlcat_rows_free(r);
    return st;
}

/* Finds the live table of our name; checks that its columns are ours and
 * whether its partition spec is ours. */
static dsg_status find_table(dsgt_table *t, int64_t schema_id, const char *schema_path, dl_existing *ex,
                             dsg_error *err)
{
    sqlcat *c = t->cat;
    sqlcat_rows *r;
    sqlcat_value p[2] = {sqlcat_int(schema_id), sqlcat_text(t->name)};
    ex->table_id = 0;
    ex->partition_id = 0;
    ex->path = NULL;
    DSGI_FORWARD(query1(c,
                        "SELECT table_id, path, path_is_relative FROM ducklake_table WHERE schema_id = $1 AND "
                        "table_name = $2 AND end_snapshot IS NULL", p, 2, &r, err));
    if (r->n_rows == 0) {
        sqlcat_rows_free(r);
        return DSG_OK;
    }
    int64_t id = parse_i64(sqlcat_cell(r, 0, 0));
    char *path = join_path(schema_path, sqlcat_cell(r, 0, 1), parse_bool(sqlcat_cell(r, 0, 2)));
    sqlcat_rows_free(r);
    if (path == NULL)
        return dsgi_fail(err, DSG_ENOMEM, "out of memory (DuckLake catalog)");
    /* columns: the same ids, names, types and parents as ours */
    sqlcat_value q = sqlcat_int(id);
    dsg_status st = query1(c,
                           "SELECT column_id, column_name, column_type, parent_column FROM ducklake_column WHERE "
                           "table_id = $1 AND end_snapshot IS NULL ORDER BY column_id", &q, 1, &r, err);
    if (st != DSG_OK) {
        dsgi_free(path);
        return st;
    }
    int same = r->n_rows == t->n_cols;
    for (size_t i = 0; same && i < r->n_rows; i++) {
        const dl_col *col = &t->cols[i];
        const char *name = sqlcat_cell(r, i, 1), *type = sqlcat_cell(r, i, 2);
        same = parse_i64(sqlcat_cell(r, i, 0)) == col->id && name && strcmp(name, col->name) == 0 && type &&
               strcmp(type, col->type) == 0 && parse_i64(sqlcat_cell(r, i, 3)) == col->parent;
    }
    sqlcat_rows_free(r);
    if (!same) {
        dsgi_free(path);
        return dsgi_fail(err, DSG_EINVAL,
                         "table %s of DuckLake catalog %s has other columns (names, types or column ids) than "
                         "this run writes; use --mode overwrite with a new catalog, or another table",
                         t->name, sqlcat_label(c));
    }
    /* the current partition spec, when it is ours */
    st = query1(c,
                "SELECT pi.partition_id, pc.partition_key_index, pc.column_id, pc.transform FROM "
                "ducklake_partition_info pi JOIN ducklake_partition_column pc ON pc.partition_id = "
                "pi.partition_id AND pc.table_id = pi.table_id WHERE pi.table_id = $1 AND pi.end_snapshot IS "
                "NULL ORDER BY pc.partition_key_index", &q, 1, &r, err);
    if (st != DSG_OK) {
        dsgi_free(path);
        return st;
    }
    int match = t->key_column != 0 && r->n_rows == t->n_keys;
    for (size_t i = 0; match && i < r->n_rows; i++) {
        const char *tr = sqlcat_cell(r, i, 3);
        match = parse_i64(sqlcat_cell(r, i, 1)) == (int64_t)i && parse_i64(sqlcat_cell(r, i, 2)) == t->key_column &&
                tr && strcmp(tr, t->key_transform[i]) == 0;
    }
    ex->partition_id = match ? parse_i64(sqlcat_cell(r, 0, 0)) : 0;
    sqlcat_rows_free(r);
    ex->table_id = id;
    ex->path = path;
    return DSG_OK;
}

/* ------------------------------------------------------------------ */
/* Commit                                                              */
/* ------------------------------------------------------------------ */

typedef struct dl_snap {
    int64_t id, schema_version, next_catalog_id, next_file_id;
} dl_snap;

static dsg_status exec(sqlcat *c, const char *sql, const sqlcat_value *p, size_t n, dsg_error *err)
{
    return sqlcat_exec(c, sql, p, n, NULL, err);
}

/* Creates every catalog table and the initial rows (snapshot 0). */
static dsg_status initialise(dsgt_table *t, dsg_error *err)
{
    sqlcat *c = t->cat;
    int pg = sqlcat_get_kind(c) == SQLCAT_POSTGRES;
    for (size_t i = 0; i < N_DDL; i++)
        DSGI_FORWARD(exec(c, pg ? ddl_postgres[i] : ddl_sqlite[i], NULL, 0, err));
    char now[48], uuid[37], created[96];
    now_text(now, sizeof now);
    make_uuid(uuid);
    snprintf(created, sizeof created, "%s", t->engine_info);
    sqlcat_value snap[1] = {sqlcat_text(now)};
    DSGI_FORWARD(exec(c, "INSERT INTO ducklake_snapshot VALUES (0, $1, 0, 1, 0)", snap, 1, err));
    DSGI_FORWARD(exec(c, "INSERT INTO ducklake_snapshot_changes VALUES (0, 'created_schema:\"main\"', NULL, NULL, "
                         "NULL)", NULL, 0, err));
    sqlcat_value meta[2] = {sqlcat_text(created), sqlcat_text(t->data_path)};
    DSGI_FORWARD(exec(c, "INSERT INTO ducklake_metadata (key, value) VALUES ('version', '" DL_VERSION "'), "
                         "('created_by', $1), ('data_path', $2), ('encrypted', 'false')", meta, 2, err));
    /* schema main at the data path itself: tables at data_path/<table>/,
     * where the run writes them */
    sqlcat_value sch[1] = {sqlcat_text(uuid)};
    DSGI_FORWARD(exec(c, "INSERT INTO ducklake_schema VALUES (0, $1, 0, NULL, 'main', '', true)", sch, 1, err));
    return DSG_OK;
}

static dsg_status latest_snapshot(sqlcat *c, dl_snap *s, dsg_error *err)
{
    sqlcat_rows *r;
    DSGI_FORWARD(query1(c,
                        "SELECT snapshot_id, schema_version, next_catalog_id, next_file_id FROM ducklake_snapshot "
                        "WHERE snapshot_id = (SELECT MAX(snapshot_id) FROM ducklake_snapshot)", NULL, 0, &r, err));
    dsg_status st = DSG_OK;
    if (r->n_rows != 1) {
        st = dsgi_fail(err, DSG_EINVAL, "DuckLake catalog %s has no snapshot", sqlcat_label(c));
    } else {
        s->id = parse_i64(sqlcat_cell(r, 0, 0));
        s->schema_version = parse_i64(sqlcat_cell(r, 0, 1));
        s->next_catalog_id = parse_i64(sqlcat_cell(r, 0, 2));
        s->next_file_id = parse_i64(sqlcat_cell(r, 0, 3));
    }
    sqlcat_rows_free(r);
    return st;
}

/* Appends one entry to the snapshot's changes_made (comma-separated),
 * keeping the text NUL-terminated. */
static dsg_status text_add(dsgi_buf *b, const char *s, dsg_error *err)
{
    if (b->len > 0)
        DSGI_FORWARD(dsgi_buf_append(b, ",", 1, err));
    DSGI_FORWARD(dsgi_buf_append(b, s, strlen(s) + 1, err));
    b->len--;
    return DSG_OK;
}

/* Ends every live file and inlined row of a table (overwrite). */
static dsg_status end_table_contents(sqlcat *c, int64_t table_id, int64_t snap, dsg_error *err)
{
    sqlcat_value p[2] = {sqlcat_int(snap), sqlcat_int(table_id)};
    DSGI_FORWARD(exec(c, "UPDATE ducklake_data_file SET end_snapshot = $1 WHERE table_id = $2 AND end_snapshot "
                         "IS NULL", p, 2, err));
    DSGI_FORWARD(exec(c, "UPDATE ducklake_delete_file SET end_snapshot = $1 WHERE table_id = $2 AND end_snapshot "
                         "IS NULL", p, 2, err));
    sqlcat_rows *r;
    DSGI_FORWARD(query1(c, "SELECT table_name FROM ducklake_inlined_data_tables WHERE table_id = $1", &p[1], 1,
                        &r, err));
    dsg_status st = DSG_OK;
    for (size_t i = 0; st == DSG_OK && i < r->n_rows; i++) {
        const char *name = sqlcat_cell(r, i, 0);
        int safe = name != NULL && *name != '\0';
        for (const char *q = name; safe && *q; q++)
            safe = (*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '_';
        if (!safe) {
            st = dsgi_fail(err, DSG_EINVAL, "DuckLake catalog %s names an inlined data table oddly",
                           sqlcat_label(c));
            break;
        }
        int exists = 0;
        st = sqlcat_table_exists(c, name, &exists, err);
        if (st != DSG_OK || !exists)
            continue;
        char sql[256];
        snprintf(sql, sizeof sql, "UPDATE %s SET end_snapshot = $1 WHERE end_snapshot IS NULL", name);
        st = exec(c, sql, p, 1, err);
    }
    sqlcat_rows_free(r);
    return st;
}

static dsg_status create_table(dsgt_table *t, dl_snap *next, int64_t schema_id, const char *schema_path,
                               int64_t *table_id, int64_t *partition_id, dsg_error *err)
{
    sqlcat *c = t->cat;
    char uuid[37];
    make_uuid(uuid);
    *table_id = next->next_catalog_id++;
    /* the table path relative to the schema when below it */
    size_t sl = strlen(schema_path);
    int relative = strncmp(t->root, schema_path, sl) == 0;
    const char *path = relative ? t->root + sl : t->root;
    sqlcat_value tp[7] = {sqlcat_int(*table_id), sqlcat_text(uuid), sqlcat_int(next->id), sqlcat_int(schema_id),
                          sqlcat_text(t->name), sqlcat_text(path), sqlcat_int(relative)};
    DSGI_FORWARD(exec(c, "INSERT INTO ducklake_table VALUES ($1, $2, $3, NULL, $4, $5, $6, $7)", tp, 7, err));
    for (size_t i = 0; i < t->n_cols; i++) {
        const dl_col *col = &t->cols[i];
        int nested = !col->leaf;
        sqlcat_value cp[9] = {sqlcat_int(col->id), sqlcat_int(next->id), sqlcat_int(*table_id), sqlcat_int(col->id),
                              sqlcat_text(col->name), sqlcat_text(col->type), sqlcat_int(col->nullable),
                              col->parent ? sqlcat_int(col->parent) : sqlcat_null(),
                              nested ? sqlcat_null() : sqlcat_text("literal")};
        DSGI_FORWARD(exec(c, "INSERT INTO ducklake_column VALUES ($1, $2, NULL, $3, $4, $5, $6, NULL, 'NULL', $7, "
                             "$8, $9, 'duckdb')", cp, 9, err));
    }
    sqlcat_value sv[3] = {sqlcat_int(next->id), sqlcat_int(next->schema_version), sqlcat_int(*table_id)};
    DSGI_FORWARD(exec(c, "INSERT INTO ducklake_schema_versions VALUES ($1, $2, $3)", sv, 3, err));
    *partition_id = 0;
    if (t->key_column != 0) {
        *partition_id = next->next_catalog_id++;
        sqlcat_value pp[3] = {sqlcat_int(*partition_id), sqlcat_int(*table_id), sqlcat_int(next->id)};
        DSGI_FORWARD(exec(c, "INSERT INTO ducklake_partition_info VALUES ($1, $2, $3, NULL)", pp, 3, err));
        for (size_t k = 0; k < t->n_keys; k++) {
            sqlcat_value kp[5] = {sqlcat_int(*partition_id), sqlcat_int(*table_id), sqlcat_int((int64_t)k),
                                  sqlcat_int(t->key_column), sqlcat_text(t->key_transform[k])};
            DSGI_FORWARD(exec(c, "INSERT INTO ducklake_partition_column VALUES ($1, $2, $3, $4, $5)", kp, 5, err));
        }
    }
    return DSG_OK;
}

/* Multi-row INSERTs: rows of one template ("(?, ?, NULL, ?)", each '?' a
 * parameter) gathered and sent DL_BATCH_ROWS at a time, so a commit of
 * many files costs a few statements, not one per statistic. The text
 * values must stay alive until the flush. */
#define DL_BATCH_ROWS 200

typedef struct dl_rows {
    sqlcat *c;
    const char *prefix;  /* "INSERT INTO t VALUES " */
    const char *tmpl;
    size_t per_row;
    sqlcat_value *v;
    size_t n;            /* values gathered */
} dl_rows;

static dsg_status rows_init(dl_rows *r, sqlcat *c, const char *prefix, const char *tmpl, dsg_error *err)
{
    r->c = c;
    r->prefix = prefix;
    r->tmpl = tmpl;
    r->per_row = 0;
    for (const char *p = tmpl; *p; p++)
        r->per_row += *p == '?';
    r->n = 0;
    r->v = dsgi_calloc(DL_BATCH_ROWS * r->per_row, sizeof *r->v);
    return r->v ? DSG_OK : dsgi_fail(err, DSG_ENOMEM, "out of memory (DuckLake rows)");
}

static dsg_status rows_flush(dl_rows *r, dsg_error *err)
{
    if (r->n == 0)
        return DSG_OK;
    dsgi_buf sql;
    dsgi_buf_init(&sql, 1u << 26);
    dsg_status st = dsgi_buf_append(&sql, r->prefix, strlen(r->prefix), err);
    size_t k = 0;
    char num[24];
    for (size_t row = 0; st == DSG_OK && row < r->n / r->per_row; row++) {
        if (row > 0)
            st = dsgi_buf_append(&sql, ", ", 2, err);
        for (const char *p = r->tmpl; st == DSG_OK && *p; p++) {
            if (*p == '?') {
                int len = snprintf(num, sizeof num, "$%zu", ++k);
                st = dsgi_buf_append(&sql, num, (size_t)len, err);
            } else {
                st = dsgi_buf_append(&sql, p, 1, err);
            }
        }
    }
    if (st == DSG_OK)
        st = dsgi_buf_append(&sql, "", 1, err);
    if (st == DSG_OK)
        st = sqlcat_exec(r->c, (const char *)sql.data, r->v, r->n, NULL, err);
    dsgi_buf_free(&sql);
    r->n = 0;
    return st;
}

static dsg_status rows_add(dl_rows *r, const sqlcat_value *vals, dsg_error *err)
{
    memcpy(r->v + r->n, vals, r->per_row * sizeof *vals);
    r->n += r->per_row;
    if (r->n == DL_BATCH_ROWS * r->per_row)
        return rows_flush(r, err);
    return DSG_OK;
}

static void rows_free(dl_rows *r) { dsgi_free(r->v); }

/* Table-level statistics of one column, merged from files. */
typedef struct dl_colstat {
    int seen;
    int has_null;
    int nan;             /* -1: not floating */
    char *min, *max;
    int minmax_unknown;  /* a file without min/max (but with values) */
} dl_colstat;

static dsg_status merge_value(const dsg_field *f, char **cur, const char *v, int want_less, dsg_error *err)
{
    if (*cur == NULL) {
        *cur = xstrdup(v);
        return *cur ? DSG_OK : dsgi_fail(err, DSG_ENOMEM, "out of memory (DuckLake statistics)");
    }
    int ok;
    int c = compare_stat(f, v, *cur, &ok);
    if (!ok)
        return DSG_EINVAL; /* caller: min/max unknown */
    if ((want_less && c < 0) || (!want_less && c > 0)) {
        char *n = xstrdup(v);
        if (n == NULL)
            return dsgi_fail(err, DSG_ENOMEM, "out of memory (DuckLake statistics)");
        dsgi_free(*cur);
        *cur = n;
    }
    return DSG_OK;
}

static dsg_status add_files(dsgt_table *t, dl_snap *next, int64_t table_id, int64_t partition_id,
                            const dl_existing *ex, dsg_error *err)
{
    sqlcat *c = t->cat;
    sqlcat_rows *r = NULL;
    sqlcat_value tid = sqlcat_int(table_id);
    /* where the files go relative to the table path */
    const char *table_path = ex->path ? ex->path : t->root;
    int relative = strcmp(table_path, t->root) == 0;

    /* current table statistics */
    DSGI_FORWARD(query1(c, "SELECT record_count, next_row_id, file_size_bytes FROM ducklake_table_stats WHERE "
                           "table_id = $1", &tid, 1, &r, err));
    int have_stats = r->n_rows > 0;
    int64_t records = have_stats ? parse_i64(sqlcat_cell(r, 0, 0)) : 0;
    int64_t next_row = have_stats ? parse_i64(sqlcat_cell(r, 0, 1)) : 0;
    int64_t size = have_stats ? parse_i64(sqlcat_cell(r, 0, 2)) : 0;
    sqlcat_rows_free(r);
    if (t->mode == DSG_MODE_OVERWRITE && ex->table_id != 0) {
        records = 0;
        size = 0;
    }

    dl_colstat *cs = dsgi_calloc(t->n_cols, sizeof *cs);
    if (cs == NULL)
        return dsgi_fail(err, DSG_ENOMEM, "out of memory (DuckLake statistics)");
    for (size_t i = 0; i < t->n_cols; i++)
        cs[i].nan = is_floating(t->cols[i].field->type) ? 0 : -1;
    dl_rows files, keys, stats;
    memset(&files, 0, sizeof files);
    memset(&keys, 0, sizeof keys);
    memset(&stats, 0, sizeof stats);
    dsg_status st = rows_init(&files, c, "INSERT INTO ducklake_data_file VALUES ",
                              "(?, ?, ?, NULL, NULL, ?, ?, 'parquet', ?, ?, NULL, ?, ?, NULL, NULL, NULL)", err);
    if (st == DSG_OK)
        st = rows_init(&keys, c, "INSERT INTO ducklake_file_partition_value VALUES ", "(?, ?, ?, ?)", err);
    if (st == DSG_OK)
        st = rows_init(&stats, c, "INSERT INTO ducklake_file_column_stats VALUES ",
                       "(?, ?, ?, NULL, ?, ?, ?, ?, ?, NULL)", err);
    for (size_t fi = 0; st == DSG_OK && fi < t->n_files; fi++) {
        dl_file *f = &t->files[fi];
        int64_t file_id = next->next_file_id++;
        dsgi_free(f->path);
        f->path = relative ? xstrdup(f->rel) : xprintf("%s%s", t->root, f->rel);
        if (f->path == NULL) {
            st = dsgi_fail(err, DSG_ENOMEM, "out of memory (DuckLake files)");
            break;
        }
        sqlcat_value dp[9] = {sqlcat_int(file_id), sqlcat_int(table_id), sqlcat_int(next->id),
                              sqlcat_text(f->path), sqlcat_int(relative), sqlcat_int((int64_t)f->rows),
                              sqlcat_int((int64_t)f->bytes), sqlcat_int(next_row),
                              partition_id ? sqlcat_int(partition_id) : sqlcat_null()};
        st = rows_add(&files, dp, err);
        next_row += (int64_t)f->rows;
        records += (int64_t)f->rows;
        size += (int64_t)f->bytes;
        for (size_t k = 0; st == DSG_OK && partition_id && k < t->n_keys; k++) {
            sqlcat_value kp[4] = {sqlcat_int(file_id), sqlcat_int(table_id), sqlcat_int((int64_t)k),
                                  sqlcat_text(f->keys[k])};
            st = rows_add(&keys, kp, err);
        }
        for (size_t k = 0; st == DSG_OK && k < f->n_stats; k++) {
            const dl_stat *s = &f->stats[k];
            sqlcat_value sp[8] = {sqlcat_int(file_id), sqlcat_int(table_id), sqlcat_int(s->column_id),
                                  sqlcat_int((int64_t)(s->values - s->nulls)), sqlcat_int((int64_t)s->nulls),
                                  sqlcat_text(s->min), sqlcat_text(s->max),
                                  s->nan < 0 ? sqlcat_null() : sqlcat_int(s->nan)};
            st = rows_add(&stats, sp, err);
            /* table statistics from our files */
            dl_colstat *x = &cs[s->column_id - 1];
            const dsg_field *lf = t->cols[s->column_id - 1].field;
            x->seen = 1;
            x->has_null |= s->nulls > 0;
            if (x->nan >= 0 && s->nan > 0)
                x->nan = 1;
            if (s->min != NULL && st == DSG_OK) {
                dsg_status a = merge_value(lf, &x->min, s->min, 1, err);
                dsg_status b = a == DSG_OK ? merge_value(lf, &x->max, s->max, 0, err) : a;
                if (a == DSG_ENOMEM || b == DSG_ENOMEM)
                    st = DSG_ENOMEM;
                else if (a != DSG_OK || b != DSG_OK)
                    x->minmax_unknown = 1;
            } else if (s->values > s->nulls + s->nans) { /* values, but no bounds */
                x->minmax_unknown = 1;
            }
        }
    }
    if (st == DSG_OK)
        st = rows_flush(&files, err);
    if (st == DSG_OK)
        st = rows_flush(&keys, err);
    if (st == DSG_OK)
        st = rows_flush(&stats, err);
    rows_free(&files);
    rows_free(&keys);
    rows_free(&stats);

    /* merge with the table's statistics so far (a superset is always safe
     * for pruning; they are not versioned) */
    if (st == DSG_OK && have_stats) {
        r = NULL;
        st = query1(c, "SELECT column_id, contains_null, contains_nan, min_value, max_value FROM "
                       "ducklake_table_column_stats WHERE table_id = $1", &tid, 1, &r, err);
        for (size_t i = 0; st == DSG_OK && i < r->n_rows; i++) {
            int64_t id = parse_i64(sqlcat_cell(r, i, 0));
            if (id <= 0 || (size_t)id > t->n_cols)
                continue;
            dl_colstat *x = &cs[id - 1];
            const dsg_field *lf = t->cols[id - 1].field;
            x->seen = 1;
            x->has_null |= parse_bool(sqlcat_cell(r, i, 1));
            if (x->nan >= 0 && parse_bool(sqlcat_cell(r, i, 2)))
                x->nan = 1;
            const char *mn = sqlcat_cell(r, i, 3), *mx = sqlcat_cell(r, i, 4);
            if (mn == NULL || mx == NULL) {
                x->minmax_unknown = 1;
                continue;
            }
            dsg_status a = merge_value(lf, &x->min, mn, 1, err);
            dsg_status b = a == DSG_OK ? merge_value(lf, &x->max, mx, 0, err) : a;
            if (a == DSG_ENOMEM || b == DSG_ENOMEM)
                st = DSG_ENOMEM;
            else if (a != DSG_OK || b != DSG_OK)
                x->minmax_unknown = 1;
        }
        sqlcat_rows_free(r);
        if (st == DSG_OK)
            st = exec(c, "DELETE FROM ducklake_table_column_stats WHERE table_id = $1", &tid, 1, err);
    }
    for (size_t i = 0; st == DSG_OK && i < t->n_cols; i++) {
        dl_colstat *x = &cs[i];
        if (!t->cols[i].leaf || !x->seen)
            continue;
        int known = !x->minmax_unknown && x->min != NULL;
        sqlcat_value sp[6] = {sqlcat_int(table_id), sqlcat_int(t->cols[i].id), sqlcat_int(x->has_null),
                              x->nan < 0 ? sqlcat_null() : sqlcat_int(x->nan),
                              known ? sqlcat_text(x->min) : sqlcat_null(), known ? sqlcat_text(x->max) : sqlcat_null()};
        st = exec(c, "INSERT INTO ducklake_table_column_stats VALUES ($1, $2, $3, $4, $5, $6, NULL)", sp, 6, err);
    }
    for (size_t i = 0; i < t->n_cols; i++) {
        dsgi_free(cs[i].min);
        dsgi_free(cs[i].max);
    }
    dsgi_free(cs);
    DSGI_FORWARD(st);
    sqlcat_value ts[4] = {sqlcat_int(table_id), sqlcat_int(records), sqlcat_int(next_row), sqlcat_int(size)};
    if (have_stats)
        return exec(c, "UPDATE ducklake_table_stats SET record_count = $2, next_row_id = $3, file_size_bytes = $4 "
                       "WHERE table_id = $1", ts, 4, err);
    return exec(c, "INSERT INTO ducklake_table_stats VALUES ($1, $2, $3, $4)", ts, 4, err);
}

/* One attempt at committing every table; SQLCAT_CONFLICT: retry. */
static dsg_status commit_once(dsgt_table *const *ts, size_t n, int64_t *version, dsg_error *err)
{
    dsgt_table *t0 = ts[0];
    sqlcat *c = t0->cat;
    int exists = 0;
    DSGI_FORWARD(sqlcat_table_exists(c, "ducklake_metadata", &exists, err));
    if (!exists)
        DSGI_FORWARD(initialise(t0, err));
    char *data_path = NULL, *schema_path = NULL;
    int64_t schema_id = 0;
    dsgi_buf changes;
    dsgi_buf_init(&changes, 1u << 24);
    dl_snap latest = {0, 0, 0, 0}, next;
    dsg_status st = check_version(c, &data_path, err);
    if (st == DSG_OK)
        st = latest_snapshot(c, &latest, err);
    if (st == DSG_OK)
        st = schema_main(c, &schema_id, &schema_path, data_path, err);
    next = latest;
    next.id = latest.id + 1;
    /* a schema change when any table is created */
    dl_existing *ex = dsgi_calloc(n, sizeof *ex);
    if (st == DSG_OK && ex == NULL)
        st = dsgi_fail(err, DSG_ENOMEM, "out of memory (DuckLake commit)");
    int creates = 0;
    for (size_t i = 0; st == DSG_OK && i < n; i++) {
        st = find_table(ts[i], schema_id, schema_path, &ex[i], err);
        creates |= ex[i].table_id == 0;
    }
    if (creates)
        next.schema_version = latest.schema_version + 1;
    char item[512];
    for (size_t i = 0; st == DSG_OK && i < n; i++) {
        dsgt_table *t = ts[i];
        int64_t table_id = ex[i].table_id, partition_id = ex[i].partition_id;
        if (table_id == 0) {
            st = create_table(t, &next, schema_id, schema_path, &table_id, &partition_id, err);
            /* the name as DuckDB writes it: "schema"."table", quotes doubled */
            dsgi_buf q;
            dsgi_buf_init(&q, 4096);
            if (st == DSG_OK)
                st = dsgi_buf_append(&q, "created_table:\"main\".\"", 22, err);
            for (const char *p = t->name; st == DSG_OK && *p; p++)
                st = dsgi_buf_append(&q, *p == '"' ? "\"\"" : p, *p == '"' ? 2 : 1, err);
            if (st == DSG_OK)
                st = dsgi_buf_append(&q, "\"", 2, err);
            if (st == DSG_OK)
                st = text_add(&changes, (const char *)q.data, err);
            dsgi_buf_free(&q);
        } else if (t->mode == DSG_MODE_OVERWRITE) {
            st = end_table_contents(c, table_id, next.id, err);
            snprintf(item, sizeof item, "deleted_from_table:%" PRId64, table_id);
            if (st == DSG_OK)
                st = text_add(&changes, item, err);
        }
        if (st == DSG_OK)
            st = add_files(t, &next, table_id, partition_id, &ex[i], err);
        if (st == DSG_OK && t->n_files > 0) {
            snprintf(item, sizeof item, "inserted_into_table:%" PRId64, table_id);
            st = text_add(&changes, item, err);
        }
    }
    int empty = changes.len == 0; /* nothing to record: no new snapshot */
    if (st == DSG_OK && !empty) {
        char now[48];
        now_text(now, sizeof now);
        sqlcat_value sp[5] = {sqlcat_int(next.id), sqlcat_text(now), sqlcat_int(next.schema_version),
                              sqlcat_int(next.next_catalog_id), sqlcat_int(next.next_file_id)};
        st = exec(c, "INSERT INTO ducklake_snapshot VALUES ($1, $2, $3, $4, $5)", sp, 5, err);
    }
    if (st == DSG_OK && !empty) {
        sqlcat_value cp[3] = {sqlcat_int(next.id), sqlcat_text((const char *)changes.data),
                              sqlcat_text(t0->engine_info)};
        st = exec(c, "INSERT INTO ducklake_snapshot_changes VALUES ($1, $2, $3, NULL, NULL)", cp, 3, err);
    }
    for (size_t i = 0; ex != NULL && i < n; i++)
        dsgi_free(ex[i].path);
    dsgi_free(ex);
    dsgi_free(data_path);
    dsgi_free(schema_path);
    dsgi_buf_free(&changes);
    if (st == DSG_OK)
        *version = empty ? latest.id : next.id;
    return st;
}

static void backoff(int attempt)
{
    uint32_t r = 0;
    if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
        r = (uint32_t)getpid() * 2654435761u;
    long base_ms = 5L << (attempt < 7 ? attempt : 7); /* 5 ms .. 640 ms */
    long ms = base_ms / 2 + (long)(r % (uint32_t)base_ms);
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static dsg_status commit_retrying(dsgt_table *const *ts, size_t n, sqlcat *c, int64_t *version,
                                  dsg_error *err);

/* Creates the parent directories of a file path. */
static dsg_status make_parents(const char *uri, const char *file, dsg_error *err)
{
    char *p = xstrdup(file);
    if (p == NULL)
        return dsgi_fail(err, DSG_ENOMEM, "out of memory (DuckLake catalog)");
    dsg_status st = DSG_OK;
    for (char *q = p + 1; *q && st == DSG_OK; q++) {
        if (*q != '/')
            continue;
        *q = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST)
            st = dsgi_fail(err, DSG_EIO, "catalog %s: cannot create directory %s: %s", uri, p, strerror(errno));
        *q = '/';
    }
    dsgi_free(p);
    return st;
}

/* Commits the files of several tables of one catalog in one snapshot. */
static dsg_status commit_tables(dsgt_table *const *ts, size_t n, int64_t *version, dsg_error *err)
{
    DSGI_RETURN_IF(n == 0, err, DSG_EINTERNAL, "DuckLake commit without tables");
    for (size_t i = 1; i < n; i++)
        DSGI_RETURN_IF(strcmp(ts[i]->uri, ts[0]->uri) != 0, err, DSG_EINTERNAL,
                       "DuckLake commit over several catalogs");
    if (ts[0]->cat == NULL) {
        const char *file = sqlcat_sqlite_path(ts[0]->uri);
        if (file != NULL)
            DSGI_FORWARD(make_parents(ts[0]->uri, file, err));
        DSGI_FORWARD(sqlcat_open(&ts[0]->cat, ts[0]->uri, err));
    }
    sqlcat *c = ts[0]->cat;
    /* every table's statements go through the first table's connection */
    sqlcat **own = dsgi_calloc(n, sizeof *own);
    if (own == NULL)
        return dsgi_fail(err, DSG_ENOMEM, "out of memory (DuckLake commit)");
    for (size_t i = 0; i < n; i++) {
        own[i] = ts[i]->cat;
        ts[i]->cat = c;
    }
    dsg_status st = commit_retrying(ts, n, c, version, err);
    for (size_t i = 0; i < n; i++)
        ts[i]->cat = own[i];
    dsgi_free(own);
    return st;
}

static dsg_status commit_retrying(dsgt_table *const *ts, size_t n, sqlcat *c, int64_t *version, dsg_error *err)
{
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int attempt = 0;; attempt++) {
        dsg_status st = sqlcat_begin(c, SQLCAT_TX_WRITE, err);
        int64_t v = 0;
        if (st == DSG_OK)
            st = commit_once(ts, n, &v, err);
        if (st == DSG_OK)
            st = sqlcat_commit(c, err);
        if (st == DSG_OK) {
            *version = v;
            return DSG_OK;
        }
        sqlcat_rollback(c);
        if (st != SQLCAT_CONFLICT)
            return st;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (attempt + 1 >= DL_MAX_ATTEMPTS || now.tv_sec - t0.tv_sec > DL_MAX_SECONDS)
            return dsgi_fail(err, DSG_EREMOTE,
                             "DuckLake catalog %s: gave up after %d attempts lost to concurrent writers (%s)",
                             sqlcat_label(c), attempt + 1, err ? err->message : "");
        backoff(attempt);
    }
}

static dsg_status dl_commit(dsgt_table *t, int64_t *version, dsg_error *err)
{
    return commit_tables(&t, 1, version, err);
}

const dsgt_format dsgt_ducklake_format = {
    .name = "ducklake",
    .needs_field_ids = 1,
    .open = dl_open,
    .add_file = dl_add_file,
    .commit = dl_commit,
    .free = dl_free,
    .commit_many = commit_tables,
};
