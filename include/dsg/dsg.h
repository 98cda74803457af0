/*
 * dsg.h - the one public header of libdsg, the dataset-generator library.
 *
 * libdsg generates synthetic datasets and writes them as Apache Parquet.
 * Every exported symbol starts with dsg_ (types and functions) or DSG_
 * (macros and enum values).
 *
 * Conventions, for every function below:
 *  - Fallible functions return a dsg_status; 0 (DSG_OK) is success.
 *  - They take a dsg_error * as their last argument (it may be NULL). On
 *    failure it receives the status and one clear sentence naming what went
 *    wrong (the file, the option, the column). Secrets never appear in it.
 *  - Out-parameters are written only on success.
 *  - Every object has a create/open function and a free function; free
 *    functions accept NULL.
 *  - Objects are not thread-safe: one object is used by one thread at a
 *    time. Distinct objects may be used from distinct threads at once.
 *
 * Example (docs/example.c, compiled and run by the tests):
 *
 *     dsg_error err;
 *     dsg_dataset *ds = NULL;
 *     if (dsg_dataset_create(&ds, "ecommerce", &err) != DSG_OK ||
 *         dsg_dataset_set(ds, "n-customers", "1000", &err) != DSG_OK ||
 *         dsg_dataset_prepare(ds, &err) != DSG_OK) { ... err.message ... }
 *     dsg_run_options opt;
 *     dsg_run_options_init(&opt);
 *     opt.output = "out";            (or "s3://bucket/prefix" with opt.s3)
 *     dsg_run_stats stats;
 *     dsg_status st = dsg_run(ds, &opt, &stats, &err);
 *     dsg_dataset_free(ds);
 *
 * Build: cc app.c $(pkg-config --cflags --libs dsg); the library is
 * libdsg.so.MAJOR (SONAME) exporting only dsg_* symbols, or libdsg.a with
 * pkg-config --static.
 */
#ifndef DSG_H
#define DSG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DSG_VERSION_MAJOR 0
#define DSG_VERSION_MINOR 1
#define DSG_VERSION_PATCH 0
#define DSG_VERSION_STRING "0.1.0"

/* The library version, "X.Y.Z", and the build identifier (a git hash or
 * "unknown"). Static strings. */
const char *dsg_version(void);
const char *dsg_build_id(void);

/* ------------------------------------------------------------------ */
/* Status and errors                                                   */
/* ------------------------------------------------------------------ */

/* Library codes live in a range that never collides with errno values;
 * a positive status is an errno value passed through from the system. */
typedef int dsg_status;
#define DSG_OK 0
#define DSG_EINVAL (-30700)   /* bad argument or option (the user's input) */
#define DSG_ENOMEM (-30701)   /* out of memory */
#define DSG_EIO (-30702)      /* read, write, rename failed */
#define DSG_ESTATE (-30703)   /* call out of order (e.g. write after close) */
#define DSG_ETYPE (-30704)    /* data does not match the schema */
#define DSG_ECODEC (-30705)   /* compression library failure */
#define DSG_ENET (-30706)     /* network failure */
#define DSG_EREMOTE (-30707)  /* a remote service refused the request */
#define DSG_EINTERNAL (-30708) /* a bug: an invariant did not hold */
#define DSG_EINTR (-30720)    /* stopped by dsg_interrupt (a signal) */

#define DSG_ERROR_MESSAGE_MAX 512

typedef struct dsg_error {
    dsg_status status;
    char message[DSG_ERROR_MESSAGE_MAX];
} dsg_error;

/* A short static description of a status ("out of memory"). */
const char *dsg_strerror(dsg_status status);

/* Resets an error object to DSG_OK and an empty message. */
void dsg_error_clear(dsg_error *err);

/* ------------------------------------------------------------------ */
/* Allocation                                                          */
/* ------------------------------------------------------------------ */

/* Every allocation of the library goes through these hooks. Tests use
 * them to count allocations and to make the n-th one fail. Passing NULL
 * restores malloc/realloc/free. Not thread-safe: set before use. */
typedef struct dsg_allocator {
    void *(*malloc_fn)(void *opaque, size_t size);
    void *(*realloc_fn)(void *opaque, void *ptr, size_t size);
    void (*free_fn)(void *opaque, void *ptr);
    void *opaque;
} dsg_allocator;

void dsg_set_allocator(const dsg_allocator *allocator);

/* ------------------------------------------------------------------ */
/* Schema and in-memory columns                                        */
/* ------------------------------------------------------------------ */

typedef enum dsg_type {
    DSG_BOOL = 1,   /* uint8_t, 0 or 1 */
    DSG_INT8,       /* int8_t; Parquet INT32 annotated INT(8, signed) */
    DSG_INT16,      /* int16_t; Parquet INT32 annotated INT(16, signed) */
    DSG_INT32,      /* int32_t */
    DSG_INT64,      /* int64_t */
    DSG_FLOAT,      /* float */
    DSG_DOUBLE,     /* double */
    DSG_DATE,       /* int32_t days since 1970-01-01 */
    DSG_TIMESTAMP,  /* int64_t microseconds since 1970-01-01T00:00:00Z */
    DSG_DURATION,   /* int64_t microseconds; Parquet INT64 with no logical
                       type (Parquet has none for it): readers see int64 */
    DSG_STRING,     /* UTF-8 bytes, through offsets + data */
    DSG_DECIMAL,    /* int64_t unscaled value; precision 1..18 */
    DSG_STRUCT,     /* children: the members */
    DSG_LIST,       /* offsets + one child: the element */
    DSG_MAP,        /* offsets + two children: the keys (a primitive
                       type, never null) and the values; Parquet MAP
                       (map / key_value / key, value), Arrow's map */
    /* Types of user data (Arrow input), from 32 on. */
    DSG_UINT8 = 32, /* uint8_t; Parquet INT32 annotated INT(8, unsigned) */
    DSG_UINT16,     /* uint16_t; INT32 annotated INT(16, unsigned) */
    DSG_UINT32,     /* uint32_t; INT32 annotated INT(32, unsigned) */
    DSG_UINT64,     /* uint64_t; INT64 annotated INT(64, unsigned) */
    DSG_BINARY,     /* bytes through offsets + data; BYTE_ARRAY, no annotation */
    DSG_FIXED_BINARY, /* 'precision' bytes per slot in values;
                       FIXED_LEN_BYTE_ARRAY(precision) */
    DSG_DECIMAL128, /* 16-byte little-endian two's complement per slot
                       (Arrow's decimal128), precision 1..38: INT32 up to 9
                       digits, INT64 up to 18, beyond FIXED_LEN_BYTE_ARRAY
                       of the fewest bytes that hold the precision */
    DSG_TIME_MS,    /* int32_t milliseconds since midnight; TIME(MILLIS) */
    DSG_TIME_US,    /* int64_t microseconds since midnight; TIME(MICROS) */
    DSG_TIME_NS,    /* int64_t nanoseconds since midnight; TIME(NANOS) */
    DSG_TIMESTAMP_MS, /* int64_t milliseconds since the epoch */
    DSG_TIMESTAMP_NS, /* int64_t nanoseconds since the epoch */
    DSG_NULL        /* no values, every slot null (valid must be given, all
                       zero; the field nullable): INT32 annotated UNKNOWN */
} dsg_type;

/* Field flags. */
#define DSG_FIELD_NULLABLE 1u   /* values may be null */
#define DSG_FIELD_NO_DICT 2u    /* never try dictionary encoding (e.g. keys) */
#define DSG_FIELD_LOCAL_TIME 4u /* timestamps and times: local (wall-clock)
                                   values, Parquet isAdjustedToUTC=false;
                                   without it, instants in UTC */

/* One field of a schema. A list has exactly one child, its element; a
 * map exactly two, its key (primitive, not nullable) and its value; a
 * struct has one or more. The caller owns the memory; the writer copies
 * what it needs when it opens. */
typedef struct dsg_field {
    const char *name;
    dsg_type type;
    unsigned flags;
    int precision; /* DSG_DECIMAL(128): digits; DSG_FIXED_BINARY: bytes */
    int scale;     /* DSG_DECIMAL(128) only */
    const struct dsg_field *children;
    size_t n_children;
} dsg_field;

/* A column of values in memory, in the spirit of Apache Arrow's layout:
 *  - valid: one byte per slot, 0 = null; NULL means every slot is valid.
 *    A null slot's value is ignored (but list/string offsets must still be
 *    monotonic; a null list or string spans zero child slots or bytes).
 *  - values: fixed-width types, 'length' values of the C type above.
 *  - offsets: STRING, LIST and MAP, length + 1 entries, nondecreasing;
 *    slot i spans [offsets[i], offsets[i+1]) of data (STRING) or of the
 *    child arrays (LIST, MAP).
 *  - data: STRING bytes.
 *  - children: STRUCT members (each of the struct's length), the LIST
 *    element, or the MAP's keys and values (each of length at least
 *    offsets[length]; Arrow's map entries struct unwrapped).
 *  - STRING bytes must be UTF-8; the writer does not check.
 * The arrays are borrowed: the caller keeps them alive during the call
 * that receives them. */
typedef struct dsg_array {
    dsg_type type;             /* must match the field's type */
    size_t length;
    const uint8_t *valid;
    const void *values;
    const int32_t *offsets;
    const char *data;
    const struct dsg_array *children;
} dsg_array;

/* ------------------------------------------------------------------ */
/* Sinks: where bytes go                                               */
/* ------------------------------------------------------------------ */

/* A sink receives a file's bytes in order. commit() makes the file appear
 * under its final name, complete; abort() removes every trace of it. Exactly
 * one of them is called, then free(). A sink written by the user fills in
 * the operations; the library's own sinks are created below. */
typedef struct dsg_sink dsg_sink;
typedef struct dsg_sink_ops {
    dsg_status (*write)(dsg_sink *sink, const void *data, size_t size, dsg_error *err);
    dsg_status (*commit)(dsg_sink *sink, dsg_error *err);
    void (*abort)(dsg_sink *sink);
    void (*free)(dsg_sink *sink);
} dsg_sink_ops;

struct dsg_sink {
    const dsg_sink_ops *ops;
    uint64_t bytes_written; /* maintained by the library's sinks */
};

/* Opens a local file sink for 'path'. Bytes go to a temporary file in the
 * same directory (".<name>.tmp-<pid>-<n>"); commit() flushes it and renames
 * it to 'path'; abort() and free() without commit() unlink it. The parent
 * directory must exist. */
dsg_status dsg_file_sink_open(dsg_sink **out, const char *path, dsg_error *err);

/* Frees a sink (its free operation) after commit() or abort(). The
 * library's own sinks also abort on free when neither was called.
 * Accepts NULL. */
void dsg_sink_free(dsg_sink *sink);

/* S3-compatible object storage (AWS S3, MinIO, Ceph, R2, ...). */
typedef struct dsg_s3_config {
    const char *endpoint;      /* "https://host[:port]"; NULL: AWS for the region */
    const char *region;        /* NULL: "us-east-1" */
    const char *access_key;
    const char *secret_key;
    const char *session_token; /* NULL when not using temporary credentials */
    int use_ssl;               /* -1: from the endpoint's scheme; 0 or 1 forces */
    int virtual_hosted;        /* 1: bucket.host/key; 0: host/bucket/key (path
                                  style); -1 (the default): path style with a
                                  custom endpoint, virtual-hosted on AWS */
    size_t part_bytes;         /* multipart part size, 5 MiB to 5 GiB (8 MiB);
                                  doubles every 900 parts, so 10,000 parts
                                  always hold a 5 TiB object */
    int parts_in_flight;       /* parts uploading at once (4); a sink's memory
                                  is (parts_in_flight + 1) x part size */
    int max_retries;           /* retries of throttled or failed requests (6) */
    int idle_timeout_s;        /* a request that moves no byte for this long
                                  is abandoned and retried (30) */
} dsg_s3_config;

/* Fills the defaults above; credentials, region and endpoint stay NULL. */
void dsg_s3_config_init(dsg_s3_config *cfg);

/* Opens a sink that uploads one object, s3://bucket/key. Small objects are
 * one PUT at commit; larger ones a multipart upload whose parts go out
 * while the file is still being written. The object exists only after
 * commit() succeeds; abort() aborts the multipart upload. Credentials
 * never appear in error messages. The configuration's strings must stay
 * alive until the sink is freed. */
dsg_status dsg_s3_sink_open(dsg_sink **out, const dsg_s3_config *cfg, const char *bucket,
                            const char *key, dsg_error *err);

/* ------------------------------------------------------------------ */
/* Parquet writer                                                      */
/* ------------------------------------------------------------------ */

typedef enum dsg_codec {
    DSG_CODEC_NONE = 0,
    DSG_CODEC_SNAPPY,
    DSG_CODEC_GZIP,
    DSG_CODEC_ZSTD,
    DSG_CODEC_BROTLI,
    DSG_CODEC_LZ4_RAW
} dsg_codec;

/* Parses "none"/"uncompressed", "snappy", "gzip", "zstd", "brotli",
 * "lz4_raw" (also "lz4"), case-insensitive. */
dsg_status dsg_codec_parse(const char *name, dsg_codec *out, dsg_error *err);
const char *dsg_codec_name(dsg_codec codec);
/* Valid levels: gzip 1..12, zstd 1..22 (and negative fast levels down to
 * -7), brotli 0..11. Snappy, lz4_raw and none take no level.
 * DSG_LEVEL_DEFAULT picks gzip 6, zstd 3, brotli 4. */
#define DSG_LEVEL_DEFAULT (-1000)
dsg_status dsg_codec_check_level(dsg_codec codec, int level, dsg_error *err);

typedef struct dsg_kv {
    const char *key;
    const char *value;
} dsg_kv;

typedef struct dsg_parquet_options {
    dsg_codec codec;
    int level;               /* DSG_LEVEL_DEFAULT or a valid level */
    size_t row_group_rows;   /* flush a row group at this many rows */
    size_t row_group_bytes;  /* ... or when its encoded bytes reach this */
    size_t page_bytes;       /* target uncompressed data page size */
    size_t dict_bytes;       /* dictionary fallback threshold per chunk */
    int page_index;          /* write ColumnIndex and OffsetIndex */
    const dsg_kv *metadata;  /* key/value metadata for the footer */
    size_t n_metadata;
    int field_ids;           /* write a field_id on every schema node:
                                depth-first pre-order from 1 over the
                                dsg_field tree (a field, then its children;
                                a list's element is its one child, a
                                map's key and value its two; the list's
                                middle 'list' group and the map's
                                'key_value' group get none).
                                Iceberg and DuckLake use these ids. */
} dsg_parquet_options;

/* Fills the defaults: snappy, 1,048,576 rows or 64 MiB per row group,
 * 1 MiB pages, 1 MiB dictionaries, page index on, no metadata. */
void dsg_parquet_options_init(dsg_parquet_options *opt);

typedef struct dsg_parquet_writer dsg_parquet_writer;

/* Opens a writer over 'sink' for the top-level fields 'fields'. The writer
 * takes ownership of the sink (whatever the outcome). Invalid schemas or
 * options fail with DSG_EINVAL and a message naming the field or option. */
dsg_status dsg_parquet_writer_open(dsg_parquet_writer **out, dsg_sink *sink,
                                   const dsg_field *fields, size_t n_fields,
                                   const dsg_parquet_options *opt, dsg_error *err);

/* Appends n_rows rows: columns[i] holds the values of fields[i], each of
 * length n_rows. Rows are encoded at once; the writer keeps only the open
 * row group, so memory is bounded by it, not by the file. On failure the
 * writer is unusable (further calls fail with DSG_ESTATE); free it. */
dsg_status dsg_parquet_writer_write(dsg_parquet_writer *w, const dsg_array *columns,
                                    size_t n_rows, dsg_error *err);

/* Flushes the open row group (if it has rows), writes the footer and
 * commits the sink: the file appears complete under its final name. */
dsg_status dsg_parquet_writer_close(dsg_parquet_writer *w, dsg_error *err);

/* Rows and bytes written so far (bytes: those handed to the sink). */
uint64_t dsg_parquet_writer_rows(const dsg_parquet_writer *w);
uint64_t dsg_parquet_writer_bytes(const dsg_parquet_writer *w);

/* Frees the writer; if it was not closed, aborts its sink so that no file
 * appears. Accepts NULL. */
void dsg_parquet_writer_free(dsg_parquet_writer *w);

/* Statistics of one leaf column over a whole file, what table formats
 * record per data file. min/max are the Parquet statistics' values: PLAIN
 * encoding of the leaf's physical type (little-endian INT32/INT64/FLOAT/
 * DOUBLE, one byte for BOOLEAN, the bytes of a BYTE_ARRAY without a length
 * prefix), exact (never truncated), NaN excluded. */
typedef struct dsg_column_stats {
    const char *const *path;   /* field names from the top level down; a
                                  list's element is named "element" */
    size_t path_len;
    const dsg_field *field;    /* the leaf's field: points into the fields
                                  given to dsg_parquet_writer_open (the
                                  caller keeps them alive to use it) */
    int32_t field_id;          /* with dsg_parquet_options.field_ids, else 0 */
    uint64_t values;           /* leaf slots, nulls included: the column
                                  chunks' num_values summed (for a list
                                  leaf, an empty or null list counts one) */
    uint64_t nulls;
    uint64_t nans;             /* FLOAT and DOUBLE */
    int has_minmax;            /* 0 when every value is null or NaN */
    const uint8_t *min, *max;
    size_t min_len, max_len;
} dsg_column_stats;

/* After a successful close: the file's statistics, one entry per leaf in
 * schema order. Valid until the writer is freed. */
dsg_status dsg_parquet_writer_column_stats(const dsg_parquet_writer *w,
                                           const dsg_column_stats **cols, size_t *n,
                                           dsg_error *err);

/* ------------------------------------------------------------------ */
/* Datasets                                                            */
/* ------------------------------------------------------------------ */

typedef struct dsg_dataset dsg_dataset;

/* NULL-terminated list of the dataset names ("alltypes", "ecommerce"). */
const char *const *dsg_dataset_names(void);

/* One option a dataset accepts, for help and `info`. */
typedef struct dsg_option_info {
    const char *name;          /* without dashes: "n-customers" */
    const char *default_value; /* as text */
    const char *help;
} dsg_option_info;

/* Creates the dataset 'name' with its defaults. */
dsg_status dsg_dataset_create(dsg_dataset **out, const char *name, dsg_error *err);
void dsg_dataset_free(dsg_dataset *ds);

/* Sets one option from text ("n-customers", "1000"). Unknown options and
 * malformed values fail with DSG_EINVAL. */
dsg_status dsg_dataset_set(dsg_dataset *ds, const char *name, const char *value,
                           dsg_error *err);

/* Options this dataset accepts; *n receives the count. Static memory. */
const dsg_option_info *dsg_dataset_options(const dsg_dataset *ds, size_t *n);

/* Checks the option set as a whole and computes the plan (row counts,
 * partitions). Must succeed before the table and generation functions
 * below are used; options may not change afterwards. */
dsg_status dsg_dataset_prepare(dsg_dataset *ds, dsg_error *err);

/* Optional, before dsg_dataset_prepare: only these tables will be written,
 * so prepare may skip planning the others (they then report 0 rows and
 * dsg_run refuses to write them). Unknown names fail with DSG_EINVAL. */
dsg_status dsg_dataset_select_tables(dsg_dataset *ds, const char *const *names, size_t n, dsg_error *err);

size_t dsg_dataset_n_tables(const dsg_dataset *ds);

/* How a partition column (a hive directory level) derives from the
 * table's partition source column, for table formats' partition specs. */
typedef enum dsg_partition_transform {
    DSG_PART_IDENTITY = 0, /* the source column's value itself */
    DSG_PART_YEAR,         /* "2024" from a DATE or TIMESTAMP */
    DSG_PART_MONTH,        /* "01".."12", always with a YEAR level above */
    DSG_PART_DAY,          /* "01".."31", with YEAR and MONTH above */
    DSG_PART_HOUR,         /* "00".."23", with YEAR, MONTH, DAY above */
    DSG_PART_YEARMONTH     /* "2024-01": one level, a string */
} dsg_partition_transform;

typedef struct dsg_table_info {
    const char *name;
    const dsg_field *fields;        /* columns written into the files */
    size_t n_fields;
    const char *const *partition_by; /* partition columns (directory names) */
    size_t n_partition_by;
    int partition_source;           /* index of the column the partition
                                       values derive from; -1: none */
    const dsg_partition_transform *partition_transforms; /* per level;
                                       NULL when partition_source is -1 */
    uint64_t rows;                  /* after prepare: total rows */
    size_t n_partitions;            /* after prepare; an unpartitioned table
                                       has one partition with an empty path */
    const char *file_suffix;        /* after prepare: NULL, or a suffix the
                                       run puts at the end of the table's file
                                       names before the extension, so that an
                                       increment's files never take an earlier
                                       run's names ("part-00000-2024-04-01") */
} dsg_table_info;

/* Describes table i. Before prepare, rows and n_partitions are 0. */
dsg_status dsg_dataset_table(const dsg_dataset *ds, size_t i, dsg_table_info *out,
                             dsg_error *err);

/* Partition p of table t: its directory path relative to the table
 * ("year=2024/month=01") and its rows, which are the table's rows
 * [*first_row, *first_row + *rows). Partitions tile the table in order.
 * 'path' has room for path_size bytes. */
dsg_status dsg_dataset_partition(const dsg_dataset *ds, size_t t, size_t p, char *path,
                                 size_t path_size, uint64_t *first_row, uint64_t *rows,
                                 dsg_error *err);

/* A reusable set of column buffers for one table, owned by one thread. */
typedef struct dsg_batch dsg_batch;

dsg_status dsg_batch_create(dsg_batch **out, const dsg_dataset *ds, size_t table,
                            dsg_error *err);
void dsg_batch_free(dsg_batch *b);

/* Generates the table's rows [first_row, first_row + n_rows) into 'b'.
 * The values are a pure function of (seed, options, table, row): the same
 * rows come out whatever the order of calls, the thread or the process.
 * *columns receives arrays valid until the next fill or free of 'b'. */
dsg_status dsg_dataset_fill(const dsg_dataset *ds, size_t table, uint64_t first_row,
                            size_t n_rows, dsg_batch *b, const dsg_array **columns,
                            dsg_error *err);

/* ------------------------------------------------------------------ */
/* Runs: a dataset written to an output location                       */
/* ------------------------------------------------------------------ */

/* What a run does to a table that already exists. */
typedef enum dsg_table_mode {
    DSG_MODE_CREATE = 0,   /* refuse an existing table (DSG_EINVAL) */
    DSG_MODE_APPEND,       /* add the run's files (a new table version) */
    DSG_MODE_OVERWRITE     /* replace the table's contents (table formats:
                              one commit removing every current file) */
} dsg_table_mode;

/* A table catalog for Iceberg ("sql") and DuckLake ("sqlite", "postgres"):
 * uri "sqlite:///path/file.db" or "postgresql://user:pass@host:port/db". */
typedef struct dsg_catalog_config {
    const char *kind;       /* NULL: from the URI's scheme */
    const char *uri;
    const char *namespace_; /* NULL: "default" (Iceberg), "main" (DuckLake) */
    const char *name;       /* catalog name (Iceberg's catalog_name column);
                               NULL: "default" */
} dsg_catalog_config;

/* ------------------------------------------------------------------ */
/* Table sessions: files committed to a table format                   */
/* ------------------------------------------------------------------ */

/* A commit session writes nothing itself: the caller writes Parquet data
 * files under the table's root (hive directories kept, names unique per
 * session, see dsg_table_session_file_name), hands each closed file's
 * statistics to the session, then commits them all at once. Used by
 * dsg_run for --format delta|iceberg|ducklake and by the Python writer of
 * user data.
 *
 *   dsg_table_session_open     before the first data byte: checks the mode
 *                              against the existing table and the catalog
 *                              (bad input: DSG_EINVAL, nothing written)
 *   ... write files with dsg_parquet_options.field_ids =
 *       dsg_table_session_needs_field_ids(s) ...
 *   dsg_table_session_add_file once per closed file (thread-safe)
 *   dsg_table_session_commit   one atomic commit; *version receives the
 *                              table version / snapshot id
 *   dsg_table_session_free     without commit: nothing is committed (the
 *                              data files stay as unreferenced orphans) */
typedef struct dsg_table_session dsg_table_session;

typedef struct dsg_table_options {
    const char *format;          /* "delta", "iceberg", "ducklake" */
    const char *output;          /* root directory or s3://bucket/prefix;
                                    the table lives at <output>/<name> */
    const dsg_s3_config *s3;     /* required for s3:// */
    const char *name;            /* the table's name */
    const dsg_field *fields;     /* the columns of the data files */
    size_t n_fields;
    const char *const *partition_by; /* hive directory levels, may be 0 */
    size_t n_partition_by;
    int partition_source;        /* index into fields, -1: none */
    const dsg_partition_transform *partition_transforms; /* per level */
    dsg_table_mode mode;
    const dsg_catalog_config *catalog; /* NULL: none */
    /* User data (dsg_table_writer): per partition level, the column whose
     * values name the level's directories (identity), a column the files
     * leave out. NULL: levels derive from partition_source. Delta only. */
    const dsg_field *partition_fields;
} dsg_table_options;

/* 1 when 'name' is a table format of this build ("delta", ...), else 0. */
int dsg_table_format_available(const char *name);

/* Opens a session; the strings and arrays of opt are copied or must stay
 * alive until the session is freed (fields, partition arrays, catalog and
 * s3 configuration: borrowed). */
dsg_status dsg_table_session_open(dsg_table_session **out, const dsg_table_options *opt,
                                  dsg_error *err);

/* Whether the data files must carry Parquet field ids (Iceberg, DuckLake). */
int dsg_table_session_needs_field_ids(const dsg_table_session *s);

/* The table's root: "file:///abs/out/name" or "s3://bucket/prefix/name". */
const char *dsg_table_session_uri(const dsg_table_session *s);

/* The name of data file k of partition directory 'partition_path' ("" for
 * none), relative to the table root and unique to this session:
 * "year=2024/month=01/part-00000-<session uuid>.parquet". Fails with
 * DSG_EINVAL when it does not fit in size bytes. */
dsg_status dsg_table_session_file_name(const dsg_table_session *s, const char *partition_path,
                                       uint64_t k, char *out, size_t size, dsg_error *err);

/* Records one closed data file: rel_path relative to the table root (its
 * directories "col=value" give the partition values, in partition_by
 * order), its rows and bytes, and its column statistics (from
 * dsg_parquet_writer_column_stats, copied). Thread-safe. */
dsg_status dsg_table_session_add_file(dsg_table_session *s, const char *rel_path, uint64_t rows,
                                      uint64_t bytes, const dsg_column_stats *columns,
                                      size_t n_columns, dsg_error *err);

/* Files added so far. */
uint64_t dsg_table_session_files(const dsg_table_session *s);

/* Commits every added file in one atomic commit (retried on a lost race).
 * *version is written on success. A session commits at most once. */
dsg_status dsg_table_session_commit(dsg_table_session *s, int64_t *version, dsg_error *err);

/* Frees the session; without a successful commit nothing is committed.
 * Accepts NULL. */
void dsg_table_session_free(dsg_table_session *s);

typedef struct dsg_run_options {
    const char *output;          /* a directory, or s3://bucket/prefix */
    const dsg_s3_config *s3;     /* required when output is s3:// */
    const char *format;          /* "parquet", "jsonl", "delta", "iceberg",
                                    "ducklake" */
    dsg_table_mode mode;         /* table formats and plain parquet */
    const dsg_catalog_config *catalog; /* iceberg, ducklake; may be NULL */
    dsg_parquet_options parquet; /* codec, level, row groups */
    uint64_t file_rows_target;   /* at most this many rows per file */
    int overwrite;               /* replace the dataset's tables if present */
    int threads;                 /* 0: the number of online processors */
    const char *const *tables;   /* subset of tables, NULL: all */
    size_t n_tables;
    uint32_t shard_index;        /* 0-based; with shard_count */
    uint32_t shard_count;        /* 0 or 1: no sharding */
    /* Called from the committing thread after each file is committed;
     * may be NULL. */
    void (*on_file)(void *ctx, const char *table, const char *path, uint64_t rows,
                    uint64_t bytes);
    /* Called from time to time with rows and bytes so far; may be NULL. */
    void (*on_progress)(void *ctx, uint64_t rows_done, uint64_t rows_total,
                        uint64_t bytes_done);
    /* Called after a table format committed a table; may be NULL. */
    void (*on_commit)(void *ctx, const char *table, const char *format, int64_t version);
    void *ctx;
    /* When not NULL: the run stops soon after *cancel becomes non-zero
     * (set from any thread or a signal handler) and fails with EINTR;
     * files in progress are aborted, nothing incomplete remains. */
    const volatile int *cancel;
} dsg_run_options;

void dsg_run_options_init(dsg_run_options *opt);

/* Asks every dsg_run in progress to stop: each stops its workers, aborts
 * its open files (temporary files removed, multipart uploads aborted),
 * commits no table format, and returns DSG_EINTR. Runs started afterwards
 * are not affected. Async-signal-safe: meant to be called from a SIGINT or
 * SIGTERM handler. */
void dsg_interrupt(void);

/* Checks the options and the destination of a run as dsg_run does first
 * (bad input: DSG_EINVAL naming the option), without planning or writing
 * anything; the dataset need not be prepared. */
dsg_status dsg_run_check(const dsg_dataset *ds, const dsg_run_options *opt, dsg_error *err);

/* Removes the temporary files (".NAME.tmp-PID-N") that runs killed before
 * they could clean up left under the local directory 'output' (symbolic
 * links are not followed). Files of processes still running on this
 * machine are kept unless 'all' is non-zero (use it only when no run is
 * writing there, e.g. from another machine). *removed receives the number
 * of files removed. */
dsg_status dsg_clean(const char *output, int all, uint64_t *removed, dsg_error *err);

typedef struct dsg_run_stats {
    uint64_t tables, files, rows, bytes;
    double seconds;
} dsg_run_stats;

/* Checks the options (bad input: DSG_EINVAL and nothing written), then
 * writes every file of the prepared dataset. Each file appears complete
 * under its final name or not at all. *stats is written on success. */
dsg_status dsg_run(dsg_dataset *ds, const dsg_run_options *opt, dsg_run_stats *stats,
                   dsg_error *err);

/* The plan of a run without running it (--dry-run): the same checks as
 * dsg_run, then on_file is called for every file this run (this shard)
 * would write, in plan order, with its rows and an estimate of its raw
 * column bytes (not the file size). Nothing is written, nothing is sent.
 * *stats receives the totals (bytes: the estimate). */
dsg_status dsg_run_plan(dsg_dataset *ds, const dsg_run_options *opt, dsg_run_stats *stats, dsg_error *err);

/* ------------------------------------------------------------------ */
/* Apache Arrow C Data Interface                                       */
/* ------------------------------------------------------------------ */

/* The structures of the Arrow C Data Interface and C Stream Interface,
 * declared from the specification (arrow.apache.org, format/
 * CDataInterface and CStreamInterface), with its standard guards so that
 * they coexist with other declarations of the same ABI. */
#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4

struct ArrowSchema {
    const char *format;
    const char *name;
    const char *metadata;
    int64_t flags;
    int64_t n_children;
    struct ArrowSchema **children;
    struct ArrowSchema *dictionary;
    void (*release)(struct ArrowSchema *);
    void *private_data;
};

struct ArrowArray {
    int64_t length;
    int64_t null_count;
    int64_t offset;
    int64_t n_buffers;
    int64_t n_children;
    const void **buffers;
    struct ArrowArray **children;
    struct ArrowArray *dictionary;
    void (*release)(struct ArrowArray *);
    void *private_data;
};

#endif /* ARROW_C_DATA_INTERFACE */

#ifndef ARROW_C_STREAM_INTERFACE
#define ARROW_C_STREAM_INTERFACE

struct ArrowArrayStream {
    int (*get_schema)(struct ArrowArrayStream *, struct ArrowSchema *out);
    int (*get_next)(struct ArrowArrayStream *, struct ArrowArray *out);
    const char *(*get_last_error)(struct ArrowArrayStream *);
    void (*release)(struct ArrowArrayStream *);
    void *private_data;
};

#endif /* ARROW_C_STREAM_INTERFACE */

/* Import: Arrow record batches (a struct array whose children are the
 * columns) into dsg arrays that the Parquet writer takes.
 *
 * Types (Arrow -> dsg -> Parquet):
 *   int8..int64 -> DSG_INT8..DSG_INT64; uint8..uint64 -> DSG_UINT8..64
 *   (INT annotated unsigned); float16 -> DSG_FLOAT (widened: Parquet's
 *   FLOAT16 is not read by Spark or older readers); float32/64; bool
 *   (bit-packed, unpacked to bytes); utf8, large_utf8, utf8_view ->
 *   DSG_STRING; binary, large_binary, binary_view -> DSG_BINARY;
 *   fixed_size_binary -> DSG_FIXED_BINARY; date32 -> DSG_DATE; date64 ->
 *   DSG_DATE (whole days); time32[s] -> DSG_TIME_MS, time32[ms],
 *   time64[us|ns] -> DSG_TIME_MS/US/NS; timestamp[s|ms] -> DSG_TIMESTAMP_MS
 *   (seconds scaled), [us] -> DSG_TIMESTAMP, [ns] -> DSG_TIMESTAMP_NS, with
 *   a time zone: UTC, without: DSG_FIELD_LOCAL_TIME; duration (any unit)
 *   -> DSG_DURATION, the count in the Arrow unit (Parquet has no duration:
 *   readers see int64); decimal128(p, s) -> DSG_DECIMAL128; list,
 *   large_list, fixed_size_list -> DSG_LIST; struct -> DSG_STRUCT; map ->
 *   DSG_MAP; dictionary-encoded arrays -> their value type (decoded);
 *   null -> DSG_NULL. Any other type fails with DSG_ETYPE naming the
 *   column and the type.
 *
 * Large offsets are narrowed per batch (a batch's string or list data
 * must stay under 2 GiB); bitmaps become byte masks; views, booleans,
 * dictionaries and offsets are converted into buffers the importer owns.
 * Other buffers are borrowed from the ArrowArray. The importer checks
 * lengths, offsets and buffer presence before trusting an array. */
typedef struct dsg_arrow_importer dsg_arrow_importer;

/* Reads 'schema' (a struct: the batch's columns; the caller keeps
 * ownership and releases it). Unsupported types fail with DSG_ETYPE. */
dsg_status dsg_arrow_importer_create(dsg_arrow_importer **out, const struct ArrowSchema *schema,
                                     dsg_error *err);
void dsg_arrow_importer_free(dsg_arrow_importer *imp);

/* The columns as dsg fields. Valid until the importer is freed. */
const dsg_field *dsg_arrow_importer_fields(const dsg_arrow_importer *imp, size_t *n_fields);

/* Converts one batch (a struct array of the schema's type). *columns
 * receives one array per field, of *n_rows rows, valid until the next
 * convert or free and while 'array' is alive (buffers are borrowed). The
 * caller keeps ownership of 'array'. */
dsg_status dsg_arrow_importer_convert(dsg_arrow_importer *imp, const struct ArrowArray *array,
                                      const dsg_array **columns, size_t *n_rows, dsg_error *err);

/* Export: dsg fields as an Arrow schema (a struct of the columns), and
 * dsg arrays as an Arrow struct array. The array's buffers are copies
 * (batches are reused), owned by 'out' and freed by its release callback.
 * The caller owns *out and must call out->release. DSG_TIMESTAMP becomes
 * timestamp[us, UTC], DSG_DURATION duration[us], DSG_DECIMAL decimal128. */
dsg_status dsg_arrow_export_schema(const dsg_field *fields, size_t n_fields,
                                   struct ArrowSchema *out, dsg_error *err);
dsg_status dsg_arrow_export_array(const dsg_field *fields, size_t n_fields,
                                  const dsg_array *columns, size_t n_rows,
                                  struct ArrowArray *out, dsg_error *err);

/* A stream over table 'table' of a prepared dataset: batches of at most
 * batch_rows rows (0: 65,536), in row order, the same values as every
 * other output of the dataset. The dataset must outlive the stream. The
 * stream owns its generation buffers; out->release frees them. */
dsg_status dsg_dataset_arrow_stream(const dsg_dataset *ds, size_t table, size_t batch_rows,
                                    struct ArrowArrayStream *out, dsg_error *err);

/* ------------------------------------------------------------------ */
/* Writing user data                                                   */
/* ------------------------------------------------------------------ */

/* A table writer puts the user's rows (dsg arrays or Arrow batches) into
 * a table with the guarantees of a run: files under OUT/<table>/ (or
 * s3://bucket/prefix/<table>/), optional hive partition directories, at
 * most file_rows_target rows per file, each file under a temporary name
 * until complete, and for table formats one atomic commit at close.
 *
 * Partitioning: rows are split by the values of the partition columns
 * into directories "col=value/..." (values escaped as Hive does: control characters, the
 * quote marks, # % * / : = ? \\ { [ ] ^ and DEL become %XX; a null
 * value is __HIVE_DEFAULT_PARTITION__). Partition columns must be
 * top-level integers, booleans, strings or dates; they are left out of
 * the files. Each partition directory holds part-00000.parquet,
 * part-00001.parquet, ... */
typedef struct dsg_writer_options {
    const char *output;            /* a directory, or s3://bucket/prefix */
    const dsg_s3_config *s3;       /* required when output is s3:// */
    const char *format;            /* "parquet" (default), "delta",
                                      "iceberg", "ducklake" */
    const char *table;             /* the table's name (its directory) */
    const char *const *partition_by; /* partition columns, may be NULL */
    size_t n_partition_by;
    dsg_parquet_options parquet;   /* codec, level, row groups */
    uint64_t file_rows_target;     /* at most this many rows per file */
    dsg_table_mode mode;           /* create (refuse a non-empty table
                                      directory), append, overwrite */
    const dsg_catalog_config *catalog; /* iceberg, ducklake; may be NULL */
    const volatile int *cancel;    /* as in dsg_run_options */
} dsg_writer_options;

/* Fills the defaults: parquet, snappy, 131,072-row row groups, 250,000
 * rows per file, mode create. */
void dsg_writer_options_init(dsg_writer_options *opt);

typedef struct dsg_table_writer dsg_table_writer;

/* Checks the options and the destination (bad input: DSG_EINVAL, nothing
 * written) for the columns 'fields' (partition columns included). */
dsg_status dsg_table_writer_open(dsg_table_writer **out, const dsg_writer_options *opt,
                                 const dsg_field *fields, size_t n_fields, dsg_error *err);

/* Appends n_rows rows; columns follow 'fields'. Not thread-safe. On
 * failure the writer is unusable: free it (nothing incomplete remains). */
dsg_status dsg_table_writer_write(dsg_table_writer *w, const dsg_array *columns, size_t n_rows,
                                  dsg_error *err);

/* Closes every open file and commits the table format (if any). *stats
 * (may be NULL) receives files, rows and bytes written. */
dsg_status dsg_table_writer_close(dsg_table_writer *w, dsg_run_stats *stats, dsg_error *err);

/* Aborts the files in progress (nothing incomplete appears) and frees.
 * Accepts NULL. */
void dsg_table_writer_free(dsg_table_writer *w);

/* Writes every batch of an Arrow stream into a new table: opens a table
 * writer for the stream's schema, converts and writes each batch, closes.
 * The stream is consumed and released. *stats may be NULL. */
dsg_status dsg_write_arrow_stream(const dsg_writer_options *opt, struct ArrowArrayStream *stream,
                                  dsg_run_stats *stats, dsg_error *err);

#ifdef __cplusplus
}
#endif
#endif /* DSG_H */
