/*
 * table.h - the shared table-format layer: Delta Lake, Iceberg and
 * DuckLake are commit protocols over the same Parquet files.
 *
 * A run (lib/run) or a user-data writer (the Python package through the
 * public dsg_table_* API) writes data files exactly as for plain Parquet
 * (hive directories kept), collects each committed file's statistics, then
 * hands the files to a table format, which commits them atomically:
 *
 *     dsgt_table *t;
 *     fmt->open(&t, &args, err);      before the first data byte: checks the
 *                                     mode against the existing table, the
 *                                     protocol/features/catalog; user errors
 *                                     are DSG_EINVAL (exit 2), unreachable
 *                                     catalogs DSG_ENET/DSG_EREMOTE (exit 1)
 *     fmt->add_file(t, &file, err);   once per committed data file, from one
 *                                     thread at a time (the caller locks);
 *                                     the format copies what it keeps
 *     fmt->commit(t, &version, err);  one atomic commit of every added file
 *                                     (retried on a lost race); then free
 *     fmt->free(t);                   without a commit: nothing is committed
 *                                     (data files stay as orphans)
 *
 * The store abstracts the table's root directory on local disk or under an
 * S3 prefix, for the small metadata files a format reads and writes. Its
 * put with DSGT_PUT_IF_ABSENT is the atomic primitive of log-based formats:
 * link(2)/renameat2(RENAME_NOREPLACE) locally, a conditional PUT
 * (If-None-Match: *) on S3. SQL catalogs (SQLite, PostgreSQL) use their own
 * transactions (lib/table/catalog_*.c).
 *
 * Dependency direction: table/ -> sinks/ (the store's S3 side uses the S3
 * client), common/, parquet/ (checkpoints and statistics decoding), the
 * public header. It never includes datasets/ or run/. run/ -> table/.
 */
#ifndef DSG_TABLE_H
#define DSG_TABLE_H

#include "common/common.h"

/* ------------------------------------------------------------------ */
/* Store: a table's root, local or S3                                  */
/* ------------------------------------------------------------------ */

typedef struct dsgt_store dsgt_store;

/* Opens the store rooted at 'root': a local directory path or an
 * s3://bucket/prefix URI (s3 then required). Nothing is created yet. */
dsg_status dsgt_store_open(dsgt_store **out, const char *root, const dsg_s3_config *s3,
                           dsg_error *err);
void dsgt_store_free(dsgt_store *s);

/* The absolute URI of the root, no trailing '/': "file:///abs/path" for a
 * local root, "s3://bucket/prefix" for S3. Static for the store's life. */
const char *dsgt_store_uri(const dsgt_store *s);
/* The local absolute path of the root, or NULL for S3. */
const char *dsgt_store_local_path(const dsgt_store *s);

/* Reads the object at 'rel' (a path relative to the root, '/'-separated)
 * into out (reset first). A missing object fails with DSGT_NOT_FOUND (no message
 * is needed: callers test the status). */
#define DSGT_NOT_FOUND (-30720)
dsg_status dsgt_store_get(dsgt_store *s, const char *rel, dsgi_buf *out, dsg_error *err);

/* Writes 'rel' completely or not at all (temporary file + rename locally,
 * one PUT on S3). With DSGT_PUT_IF_ABSENT the write fails with
 * DSGT_EXISTS when the object already exists, atomically with respect to
 * concurrent writers on the same store. Parent directories are created. */
#define DSGT_PUT_IF_ABSENT 1u
#define DSGT_EXISTS (-30721)
dsg_status dsgt_store_put(dsgt_store *s, const char *rel, const void *data, size_t len,
                          unsigned flags, dsg_error *err);

/* Calls fn for each object whose relative path starts with 'prefix'
 * (recursively; directories are not listed), in lexicographic order.
 * fn returning non-zero stops the listing (not an error). */
typedef int (*dsgt_list_fn)(void *ctx, const char *rel, uint64_t size);
dsg_status dsgt_store_list(dsgt_store *s, const char *prefix, dsgt_list_fn fn, void *ctx,
                           dsg_error *err);

/* Deletes 'rel'; a missing object is not an error. */
dsg_status dsgt_store_delete(dsgt_store *s, const char *rel, dsg_error *err);

/* ------------------------------------------------------------------ */
/* Data files handed to a format                                       */
/* ------------------------------------------------------------------ */

typedef struct dsgt_file {
    const char *rel_path;    /* relative to the table root, '/'-separated:
                                "year=2024/month=01/part-00000.parquet" */
    uint64_t rows;
    uint64_t bytes;          /* file size */
    /* one value per partition column of the table (dsg_table_info's
     * partition_by), as in the directory name before escaping: "2024",
     * "01", "2024-01"; NULL when the table is unpartitioned */
    const char *const *partition_values;
    /* per leaf column of the file, in schema order (see
     * dsg_parquet_writer_column_stats) */
    const dsg_column_stats *columns;
    size_t n_columns;
} dsgt_file;

/* ------------------------------------------------------------------ */
/* Formats                                                             */
/* ------------------------------------------------------------------ */

typedef struct dsgt_table dsgt_table;

typedef struct dsgt_table_args {
    dsgt_store *store;              /* rooted at the table: OUT/<table> */
    const char *table_name;
    const dsg_field *fields;        /* columns in the files */
    size_t n_fields;
    /* Partitioning (dsg_table_info): names of the hive directory levels,
     * the column they derive from and the transform of each level. */
    const char *const *partition_by;
    size_t n_partition_by;
    int partition_source;           /* index into fields, -1: none */
    const dsg_partition_transform *partition_transforms;
    /* create: refuse an existing table (DSG_EINVAL); append: add a
     * version, and create the table when it is missing (the shards of a
     * run under --mode create reach the format as append and create the
     * table together, so a lost creation race must turn into an append);
     * overwrite: one version that removes every current file. */
    dsg_table_mode mode;
    const dsg_catalog_config *catalog; /* NULL: no catalog */
    /* Parquet field ids as the writer assigns them when
     * dsg_parquet_options.field_ids is set (depth-first pre-order from 1,
     * see dsg.h); formats that need ids (Iceberg, DuckLake) use the same
     * numbering in their schemas. */
    const char *engine_info;        /* "dataset-generator X.Y.Z" */
    /* User data: per level, the identity column left out of the files
     * (dsg_table_options.partition_fields); NULL otherwise. */
    const dsg_field *partition_fields;
} dsgt_table_args;

typedef struct dsgt_format {
    const char *name;               /* "delta", "iceberg", "ducklake" */
    int needs_field_ids;            /* the run sets parquet.field_ids */
    dsg_status (*open)(dsgt_table **out, const dsgt_table_args *args, dsg_error *err);
    dsg_status (*add_file)(dsgt_table *t, const dsgt_file *file, dsg_error *err);
    /* *version: the table version / snapshot id committed */
    dsg_status (*commit)(dsgt_table *t, int64_t *version, dsg_error *err);
    void (*free)(dsgt_table *t);
    /* Optional (NULL: the caller commits each table): commits the files
     * of several tables of one run, opened with the same catalog, in one
     * atomic commit (DuckLake: one snapshot per run). *version: the one
     * version all of them now have. */
    dsg_status (*commit_many)(dsgt_table *const *tables, size_t n, int64_t *version, dsg_error *err);
} dsgt_format;

/* The format named 'name', or NULL ("parquet" and "jsonl" are not table
 * formats). Formats are listed in lib/table/table.c, one line each. */
const dsgt_format *dsgt_format_find(const char *name);

/* 1 for the names of the table formats this project defines ("delta",
 * "iceberg", "ducklake"), built in or not: the CLI then says "not
 * available in this build" rather than "unknown". */
int dsgt_format_known(const char *name);

/* Adds a format at run time (tests: a format that records what it gets).
 * The format must stay alive; thread-safe. */
dsg_status dsgt_format_register(const dsgt_format *fmt, dsg_error *err);

extern const dsgt_format dsgt_delta_format;
extern const dsgt_format dsgt_iceberg_format;
extern const dsgt_format dsgt_ducklake_format;

/* The commit session shared by the run engine and the Python writer is
 * public: dsg_table_session_* in dsg.h (lib/table/table_session.c). It
 * opens the store and the format, derives each file's partition values
 * from its hive directories, serialises add_file, and commits once. */

/* Commits the sessions of one run: in one commit when their format has
 * commit_many, else one by one in order (stopping at the first failure).
 * versions[i] receives session i's committed version. */
dsg_status dsgt_sessions_commit(dsg_table_session *const *sessions, size_t n, int64_t *versions,
                                dsg_error *err);

#endif /* DSG_TABLE_H */
