/*
 * delta.c - Delta Lake tables (delta-io/delta PROTOCOL.md) over the run's
 * Parquet files: the dsgt_format "delta".
 *
 * Commit protocol, in order; what a crash between two steps leaves:
 *  1. open: list and replay _delta_log/ (delta_log.c) into a snapshot at
 *     version V (-1: no table); check the mode, the protocol's versions and
 *     features, and that the schema and partition columns equal ours.
 *     Nothing is written.                      crash: nothing changed
 *  2. the run writes the data files (temporary name, then rename or
 *     multipart completion); add_file records each one's add action with
 *     its statistics.                          crash: orphan files only
 *  3. commit: the actions of version V+1 (protocol and metaData when the
 *     table is new; commitInfo; a remove for every current file when
 *     overwriting; an add per file) go to _delta_log/<V+1>.json with
 *     put-if-absent: link(2)/renameat2 of a complete temporary file
 *     locally, PUT with If-None-Match: * on S3. The log entry appears
 *     complete or not at all, and is never overwritten.
 *                                              crash: version V or V+1,
 *                                              never a torn version
 *  4. DSGT_EXISTS: another writer took V+1. Catch up on the versions it
 *     (and others) wrote and re-validate: a protocol, schema or partition
 *     change is re-checked as in step 1; an overwrite recomputes its
 *     removes from the new snapshot (a blind overwrite serializes after
 *     the commits it lost to); appends never conflict. Then retry at the
 *     next version.
 *  5. after version N with N a multiple of 10: a checkpoint of version N
 *     (Parquet, delta_checkpoint.c; stats as JSON, so none for tables that
 *     set delta.checkpoint.writeStatsAsStruct), then _last_checkpoint. Both are
 *     optional for readers: a crash or failure here leaves a correct
 *     table (readers replay the JSON commits).
 *
 * Type mapping (schemaString): BOOL boolean, INT8 byte, INT16 short, INT32
 * integer, INT64 long, FLOAT float, DOUBLE double, DATE date, TIMESTAMP
 * timestamp (UTC micros), DURATION long (Delta has no interval type),
 * STRING string, DECIMAL decimal(p,s), STRUCT struct, LIST array, MAP map.
 * Partition columns are columns of the table (year, month, day, hour:
 * integer; yearmonth: string), absent from the files.
 *
 * Protocol: minReaderVersion 1, minWriterVersion 2, no table features, the
 * most widely readable combination (delta-rs, delta-kernel as in DuckDB,
 * Spark). Appending to a table written by others: see check_protocol.
 */
#include "table/delta.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#define STATS_STRING_PREFIX 32 /* characters of a string kept in its stats */
#define MAX_COMMIT_ATTEMPTS 10000
#define CHECKPOINT_INTERVAL 10

typedef struct dlt_added {
    char *line;       /* the serialized add action, without newline */
    uint64_t rows, bytes;
} dlt_added;

struct dsgt_table {
    dsgt_store *store;
    char *what;               /* the table's URI, for messages */
    dsg_table_mode mode;
    char *engine_info;
    json_t *schema;           /* our schema (struct) */
    char *schema_string;      /* its serialization */
    json_t *partition_columns; /* array of names */
    const dsg_field *fields;  /* borrowed for add_file: the caller keeps them */
    size_t n_fields, n_leaves;
    char **part_names;
    int *part_is_int;         /* integer-typed partition column */
    size_t n_parts;
    dlt_snapshot snap;
    dlt_added *added;
    size_t n_added, cap_added;
    uint64_t rows;
    int committed;
};

/* ------------------------------------------------------------------ */
/* Schema                                                              */
/* ------------------------------------------------------------------ */

static json_t *type_json(const dsg_field *f);

static json_t *field_json(const char *name, json_t *type, int nullable)
{
    if (type == NULL)
        return NULL;
    return json_pack("{s:s, s:o, s:b, s:{}}", "name", name, "type", type, "nullable", nullable,
                     "metadata");
}

static json_t *type_json(const dsg_field *f)
{
    switch (f->type) {
    case DSG_BOOL: return json_string("boolean");
    case DSG_INT8: return json_string("byte");
    case DSG_INT16: return json_string("short");
    case DSG_INT32: return json_string("integer");
    case DSG_INT64:
    case DSG_DURATION: return json_string("long");
    case DSG_FLOAT: return json_string("float");
    case DSG_DOUBLE: return json_string("double");
    case DSG_DATE: return json_string("date");
    case DSG_TIMESTAMP: return json_string("timestamp");
    case DSG_STRING: return json_string("string");
    case DSG_BINARY: return json_string("binary");
    case DSG_DECIMAL:
    case DSG_DECIMAL128: {
        char buf[32];
        snprintf(buf, sizeof buf, "decimal(%d,%d)", f->precision, f->scale);
        return json_string(buf);
    }
    case DSG_STRUCT: {
        json_t *fields = json_array();
        for (size_t i = 0; fields && i < f->n_children; i++) {
            const dsg_field *c = &f->children[i];
            json_t *j = field_json(c->name, type_json(c), (c->flags & DSG_FIELD_NULLABLE) != 0);
            if (j == NULL || json_array_append_new(fields, j) != 0) {
                json_decref(fields);
                return NULL;
            }
        }
        return fields ? json_pack("{s:s, s:o}", "type", "struct", "fields", fields) : NULL;
    }
    case DSG_LIST: {
        json_t *e = type_json(&f->children[0]);
        return e ? json_pack("{s:s, s:o, s:b}", "type", "array", "elementType", e, "containsNull",
                             (f->children[0].flags & DSG_FIELD_NULLABLE) != 0)
                 : NULL;
    }
    case DSG_MAP: {
        json_t *k = type_json(&f->children[0]);
        json_t *v = k ? type_json(&f->children[1]) : NULL;
        if (v == NULL) {
            json_decref(k);
            return NULL;
        }
        return json_pack("{s:s, s:o, s:o, s:b}", "type", "map", "keyType", k, "valueType", v,
                         "valueContainsNull", (f->children[1].flags & DSG_FIELD_NULLABLE) != 0);
    }
    default: break; /* refused by check_types */
    }
    return NULL;
}

/* Types of user data that Delta cannot hold as they are: refused with the
 * column's name (DSG_EINVAL) before anything is written. */
static dsg_status check_types(const dsg_field *f, const char *table, dsg_error *err)
{
    const char *why = NULL;
    switch (f->type) {
    case DSG_UINT8:
    case DSG_UINT16:
    case DSG_UINT32:
    case DSG_UINT64: why = "Delta has no unsigned integers"; break;
    case DSG_FIXED_BINARY: why = "Delta has no fixed-size binary (use binary)"; break;
    case DSG_TIME_MS:
    case DSG_TIME_US:
    case DSG_TIME_NS: why = "Delta has no time-of-day type"; break;
    case DSG_TIMESTAMP_MS:
    case DSG_TIMESTAMP_NS: why = "Delta timestamps are microseconds"; break;
    case DSG_NULL: why = "Delta cannot store a column of nulls only"; break;
    case DSG_TIMESTAMP:
        if (f->flags & DSG_FIELD_LOCAL_TIME)
            why = "local (timestamp without time zone) values need the timestampNtz feature, which this "
                  "writer does not use";
        break;
    default: break;
    }
    DSGI_RETURN_IF(why != NULL, err, DSG_EINVAL, "table %s: column %s cannot be written to a Delta table: %s",
                   table, f->name, why);
    for (size_t i = 0; i < f->n_children; i++)
        DSGI_FORWARD(check_types(&f->children[i], table, err));
    return DSG_OK;
}

static size_t count_leaves(const dsg_field *f)
{
    if (f->type != DSG_STRUCT && f->type != DSG_LIST && f->type != DSG_MAP)
        return 1;
    size_t n = 0;
    for (size_t i = 0; i < f->n_children; i++)
        n += count_leaves(&f->children[i]);
    return n;
}

/* The Delta type of partition level i, or NULL with a message. */
static const char *partition_type(const dsgt_table_args *a, size_t i, int *is_int, dsg_error *err)
{
    dsg_partition_transform t = a->partition_transforms ? a->partition_transforms[i] : DSG_PART_IDENTITY;
    *is_int = 0;
    if (a->partition_fields != NULL) /* user data: identity on a column outside the files */
        t = DSG_PART_IDENTITY;
    switch (t) {
    case DSG_PART_YEAR:
    case DSG_PART_MONTH:
    case DSG_PART_DAY:
    case DSG_PART_HOUR: *is_int = 1; return "integer";
    case DSG_PART_YEARMONTH: return "string";
    case DSG_PART_IDENTITY: break;
    }
    if (a->partition_fields == NULL && (a->partition_source < 0 || (size_t)a->partition_source >= a->n_fields)) {
        dsgi_fail(err, DSG_EINVAL, "table %s: partition column %s has no source column", a->table_name,
                  a->partition_by[i]);
        return NULL;
    }
    const dsg_field *src = a->partition_fields ? &a->partition_fields[i] : &a->fields[a->partition_source];
    switch (src->type) {
    /* partition columns are not in the files: unsigned values take the
     * next wider signed type */
    case DSG_BOOL: return "boolean";
    case DSG_INT8: *is_int = 1; return "byte";
    case DSG_INT16:
    case DSG_UINT8: *is_int = 1; return "short";
    case DSG_INT32:
    case DSG_UINT16: *is_int = 1; return "integer";
    case DSG_INT64:
    case DSG_UINT32: *is_int = 1; return "long";
    case DSG_UINT64: return "decimal(20,0)";
    case DSG_DATE: return "date";
    case DSG_STRING: return "string";
    default:
        dsgi_fail(err, DSG_EINVAL, "table %s: column %s cannot be a Delta partition column",
                  a->table_name, src->name);
        return NULL;
    }
}

static dsg_status build_schema(dsgt_table *t, const dsgt_table_args *a, dsg_error *err)
{
    json_t *fields = json_array();
    t->partition_columns = json_array();
    DSGI_RETURN_IF(fields == NULL || t->partition_columns == NULL, err, DSG_ENOMEM,
                   "out of memory (Delta schema)");
    t->schema = json_pack("{s:s, s:o}", "type", "struct", "fields", fields);
    DSGI_RETURN_IF(t->schema == NULL, err, DSG_ENOMEM, "out of memory (Delta schema)");
    for (size_t i = 0; i < a->n_fields; i++)
        DSGI_FORWARD(check_types(&a->fields[i], a->table_name, err));
    for (size_t i = 0; i < a->n_fields; i++) {
        const dsg_field *f = &a->fields[i];
        json_t *j = field_json(f->name, type_json(f), (f->flags & DSG_FIELD_NULLABLE) != 0);
        DSGI_RETURN_IF(j == NULL || json_array_append_new(fields, j) != 0, err, DSG_ENOMEM,
                       "out of memory (Delta schema)");
        t->n_leaves += count_leaves(f);
    }
    t->n_parts = a->n_partition_by;
    if (t->n_parts) {
        t->part_names = dsgi_calloc(t->n_parts, sizeof *t->part_names);
        t->part_is_int = dsgi_calloc(t->n_parts, sizeof *t->part_is_int);
        DSGI_RETURN_IF(t->part_names == NULL || t->part_is_int == NULL, err, DSG_ENOMEM,
                       "out of memory (Delta schema)");
    }
    for (size_t i = 0; i < a->n_partition_by; i++) {
        const char *name = a->partition_by[i];
        for (size_t k = 0; k < a->n_fields; k++)
            DSGI_RETURN_IF(strcasecmp(name, a->fields[k].name) == 0, err, DSG_EINVAL,
                           "table %s: partition column %s is also a column of the files; a Delta "
                           "partition column cannot be stored in the files",
                           a->table_name, name);
        const char *type = partition_type(a, i, &t->part_is_int[i], err);
        if (type == NULL)
            return err ? err->status : DSG_EINVAL;
        json_t *j = field_json(name, json_string(type), 1);
        DSGI_RETURN_IF(j == NULL || json_array_append_new(fields, j) != 0 ||
                           json_array_append_new(t->partition_columns, json_string(name)) != 0,
                       err, DSG_ENOMEM, "out of memory (Delta schema)");
        t->part_names[i] = dsgi_strdup(name);
        DSGI_RETURN_IF(t->part_names[i] == NULL, err, DSG_ENOMEM, "out of memory (Delta schema)");
    }
    t->schema_string = json_dumps(t->schema, JSON_COMPACT);
    DSGI_RETURN_IF(t->schema_string == NULL, err, DSG_ENOMEM, "out of memory (Delta schema)");
    return DSG_OK;
}

/* Compares a table's existing type 'have' with ours 'want' at column
 * 'path'. Writes the first difference into 'why' and returns 0 when they
 * differ. Nullability: a nullable existing column accepts our non-null
 * values; the reverse is a difference. Column metadata is ignored. */
static int same_type(const json_t *have, const json_t *want, const char *path, char *why, size_t n);

static int same_fields(const json_t *have, const json_t *want, const char *prefix, char *why, size_t n)
{
    const json_t *hf = json_object_get(have, "fields"), *wf = json_object_get(want, "fields");
    if (!json_is_array(hf) || json_array_size(hf) != json_array_size(wf)) {
        snprintf(why, n, "%.200s has %zu columns, ours %zu", *prefix ? prefix : "the table",
                 json_array_size(hf), json_array_size(wf));
        return 0;
    }
    for (size_t i = 0; i < json_array_size(wf); i++) {
        const json_t *h = json_array_get(hf, i), *w = json_array_get(wf, i);
        const char *hn = json_string_value(json_object_get(h, "name"));
        const char *wn = json_string_value(json_object_get(w, "name"));
        char path[512];
        snprintf(path, sizeof path, "%.200s%s%.200s", prefix, *prefix ? "." : "", wn);
        if (hn == NULL || strcmp(hn, wn) != 0) {
            snprintf(why, n, "column %zu is %.100s, ours %.200s", i + 1, hn ? hn : "?", path);
            return 0;
        }
        if (json_is_false(json_object_get(h, "nullable")) && json_is_true(json_object_get(w, "nullable"))) {
            snprintf(why, n, "column %.200s is not nullable in the table", path);
            return 0;
        }
        if (!same_type(json_object_get(h, "type"), json_object_get(w, "type"), path, why, n))
            return 0;
    }
    return 1;
}

static const char *type_text(const json_t *t)
{
    if (json_is_string(t))
        return json_string_value(t);
    const char *s = json_string_value(json_object_get(t, "type"));
    return s ? s : "?";
}

static int same_type(const json_t *have, const json_t *want, const char *path, char *why, size_t n)
{
    if (strcmp(type_text(have), type_text(want)) != 0 || json_is_string(have) != json_is_string(want)) {
        snprintf(why, n, "column %.200s is %.60s in the table, ours %.60s", path, type_text(have),
                 type_text(want));
        return 0;
    }
    if (json_is_string(want))
        return 1;
    const char *wt = type_text(want);
    char sub[512];
    if (strcmp(wt, "struct") == 0)
        return same_fields(have, want, path, why, n);
    if (strcmp(wt, "array") == 0) {
        if (json_is_false(json_object_get(have, "containsNull")) && json_is_true(json_object_get(want, "containsNull"))) {
            snprintf(why, n, "column %.200s holds no nulls in the table", path);
            return 0;
        }
        snprintf(sub, sizeof sub, "%.200s.element", path);
        return same_type(json_object_get(have, "elementType"), json_object_get(want, "elementType"), sub, why, n);
    }
    if (json_is_false(json_object_get(have, "valueContainsNull")) &&
        json_is_true(json_object_get(want, "valueContainsNull"))) {
        snprintf(why, n, "column %.200s holds no null values in the table", path);
        return 0;
    }
    snprintf(sub, sizeof sub, "%.200s.key", path);
    if (!same_type(json_object_get(have, "keyType"), json_object_get(want, "keyType"), sub, why, n))
        return 0;
    snprintf(sub, sizeof sub, "%.200s.value", path);
    return same_type(json_object_get(have, "valueType"), json_object_get(want, "valueType"), sub, why, n);
}

/* Column metadata that asks writers for something we do not do. */
static const char *unsupported_column_metadata(const json_t *type_or_field)
{
    if (!json_is_object(type_or_field))
        return NULL;
    const json_t *md = json_object_get(type_or_field, "metadata");
    const char *key;
    json_t *v;
    if (json_is_object(md))
        json_object_foreach((json_t *)md, key, v) {
            if (strcmp(key, "delta.invariants") == 0 || strcmp(key, "delta.generationExpression") == 0 ||
                strncmp(key, "delta.identity.", 15) == 0 || strncmp(key, "delta.columnMapping.", 20) == 0)
                return key;
        }
    const char *found;
    const json_t *fields = json_object_get(type_or_field, "fields");
    for (size_t i = 0; i < json_array_size(fields); i++)
        if ((found = unsupported_column_metadata(json_array_get(fields, i))) != NULL)
            return found;
    static const char *const nested[] = {"type", "elementType", "keyType", "valueType"};
    for (size_t i = 0; i < sizeof nested / sizeof nested[0]; i++)
        if ((found = unsupported_column_metadata(json_object_get(type_or_field, nested[i]))) != NULL)
            return found;
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Protocol and features of an existing table                          */
/* ------------------------------------------------------------------ */

static int in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return 1;
    return 0;
}

static const char *config_value(const json_t *metadata, const char *key)
{
    return json_string_value(json_object_get(json_object_get(metadata, "configuration"), key));
}

/*
 * Which existing tables we may write. Reader versions 1 to 3 and writer
 * versions 2 to 7, with these features (by name in reader/writerFeatures,
 * or implied by the legacy versions 3 to 6), each only while inactive or
 * harmless for a writer that appends whole files:
 *   appendOnly          respected: overwrite refused when delta.appendOnly
 *   invariants, checkConstraints, generatedColumns, identityColumns,
 *   allowColumnDefaults refused when a column or the configuration uses
 *                       them (we cannot evaluate expressions)
 *   changeDataFeed      fine: adds and removes of whole files are their
 *                       own change data
 *   columnMapping       only with delta.columnMapping.mode none
 *   timestampNtz        fine (our columns are compared to the schema)
 *   vacuumProtocolCheck fine (concerns vacuum)
 * Anything else (deletionVectors, rowTracking, domainMetadata,
 * v2Checkpoint, inCommitTimestamp, icebergCompat*, clustering,
 * catalogManaged, typeWidening, variantType, ...) is refused.
 */
static dsg_status check_protocol(const dsgt_table *t, const dlt_snapshot *s, dsg_error *err)
{
    const json_t *p = s->protocol, *m = s->metadata;
    DSGI_RETURN_IF(p == NULL || m == NULL, err, DSG_EIO,
                   "the Delta log of %s has no %s action", t->what, p == NULL ? "protocol" : "metaData");
    json_int_t rv = json_integer_value(json_object_get(p, "minReaderVersion"));
    json_int_t wv = json_integer_value(json_object_get(p, "minWriterVersion"));
    DSGI_RETURN_IF(rv < 1 || rv > 3 || wv < 1 || wv > 7, err, DSG_EINVAL,
                   "the Delta table %s needs reader version %" JSON_INTEGER_FORMAT
                   " and writer version %" JSON_INTEGER_FORMAT ", which this writer does not implement",
                   t->what, rv, wv);
    static const char *const ok_reader[] = {"columnMapping", "timestampNtz", "vacuumProtocolCheck"};
    static const char *const ok_writer[] = {"appendOnly", "invariants", "checkConstraints",
                                            "changeDataFeed", "generatedColumns", "columnMapping",
                                            "identityColumns", "timestampNtz", "vacuumProtocolCheck",
                                            "allowColumnDefaults"};
    /* every feature we do not implement, named in one message */
    char missing[384] = "";
    size_t used = 0;
    const json_t *lists[2] = {rv == 3 ? json_object_get(p, "readerFeatures") : NULL,
                              wv == 7 ? json_object_get(p, "writerFeatures") : NULL};
    for (int l = 0; l < 2; l++)
        for (size_t i = 0; i < json_array_size(lists[l]); i++) {
            const char *f = json_string_value(json_array_get(lists[l], i));
            int ok = f != NULL && (l == 0 ? in_list(f, ok_reader, sizeof ok_reader / sizeof ok_reader[0])
                                          : in_list(f, ok_writer, sizeof ok_writer / sizeof ok_writer[0]));
            if (ok || (f != NULL && strstr(missing, f) != NULL))
                continue;
            int n = snprintf(missing + used, sizeof missing - used, "%s%s", used ? ", " : "", f ? f : "?");
            if (n > 0 && (size_t)n < sizeof missing - used)
                used += (size_t)n;
        }
    DSGI_RETURN_IF(used > 0, err, DSG_EINVAL,
                   "the Delta table %s uses table features this writer does not implement (%s); it is left "
                   "unchanged", t->what, missing);
    const char *cm = config_value(m, "delta.columnMapping.mode");
    DSGI_RETURN_IF(cm != NULL && strcmp(cm, "none") != 0, err, DSG_EINVAL,
                   "the Delta table %s uses column mapping (mode %s), which this writer does not "
                   "implement; it is left unchanged", t->what, cm);
    const char *key;
    json_t *v;
    json_object_foreach(json_object_get(m, "configuration"), key, v) {
        DSGI_RETURN_IF(strncmp(key, "delta.constraints.", 18) == 0, err, DSG_EINVAL,
                       "the Delta table %s has a CHECK constraint (%s), which this writer cannot "
                       "evaluate; it is left unchanged", t->what, key);
    }
    DSGI_RETURN_IF(s->has_domain_metadata, err, DSG_EINVAL,
                   "the Delta table %s has domain metadata, which this writer does not implement; it "
                   "is left unchanged", t->what);
    const char *fmt = json_string_value(json_object_get(json_object_get(m, "format"), "provider"));
    DSGI_RETURN_IF(fmt != NULL && strcmp(fmt, "parquet") != 0, err, DSG_EINVAL,
                   "the Delta table %s stores its data as %s, not Parquet", t->what, fmt);
    const char *ao = config_value(m, "delta.appendOnly");
    DSGI_RETURN_IF(t->mode == DSG_MODE_OVERWRITE && ao != NULL && strcasecmp(ao, "true") == 0, err,
                   DSG_EINVAL, "the Delta table %s is append-only (delta.appendOnly); it cannot be "
                   "overwritten", t->what);
    return DSG_OK;
}

/* Checks protocol, features, schema and partitioning of snapshot s
 * against ours. */
static dsg_status check_table(const dsgt_table *t, const dlt_snapshot *s, dsg_error *err)
{
    DSGI_FORWARD(check_protocol(t, s, err));
    const char *ss = json_string_value(json_object_get(s->metadata, "schemaString"));
    DSGI_RETURN_IF(ss == NULL, err, DSG_EIO, "the Delta log of %s has no schemaString", t->what);
    json_error_t jerr;
    json_t *have = json_loads(ss, 0, &jerr);
    DSGI_RETURN_IF(have == NULL, err, DSG_EIO, "the schema of the Delta table %s is not JSON (%s)",
                   t->what, jerr.text);
    const char *md = unsupported_column_metadata(have);
    char where[512] = "";
    int same = md == NULL && same_fields(have, t->schema, "", where, sizeof where);
    json_decref(have);
    DSGI_RETURN_IF(md != NULL, err, DSG_EINVAL,
                   "the Delta table %s has a column with %s, which this writer does not implement; it "
                   "is left unchanged", t->what, md);
    DSGI_RETURN_IF(!same, err, DSG_EINVAL,
                   "the Delta table %s has another schema than the data written (%s); it is left "
                   "unchanged", t->what, where);
    DSGI_RETURN_IF(!json_equal(json_object_get(s->metadata, "partitionColumns"), t->partition_columns),
                   err, DSG_EINVAL, "the Delta table %s has other partition columns than the data written",
                   t->what);
    return DSG_OK;
}

/* ------------------------------------------------------------------ */
/* Per-file statistics                                                 */
/* ------------------------------------------------------------------ */

static dsg_status put(dsgi_buf *b, const char *s, size_t n, dsg_error *err)
{
    return dsgi_buf_append(b, s, n, err);
}

static dsg_status puts_(dsgi_buf *b, const char *s, dsg_error *err) { return put(b, s, strlen(s), err); }

/* Length of the valid UTF-8 character at p (at most n bytes), 0 if none. */
static size_t utf8_char(const uint8_t *p, size_t n)
{
    if (n == 0)
        return 0;
    if (p[0] < 0x80)
        return 1;
    size_t len = (p[0] & 0xE0) == 0xC0 ? 2 : (p[0] & 0xF0) == 0xE0 ? 3 : (p[0] & 0xF8) == 0xF0 ? 4 : 0;
    if (len == 0 || len > n || (len == 2 && p[0] < 0xC2) || (len == 4 && p[0] > 0xF4))
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return len;
}

/* A JSON string of bytes p[0..n) that are UTF-8 (checked by the caller). */
static dsg_status put_json_string(dsgi_buf *b, const uint8_t *p, size_t n, dsg_error *err)
{
    DSGI_FORWARD(put(b, "\"", 1, err));
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        DSGI_FORWARD(put(b, (const char *)p + run, i - run, err));
        char esc[8];
        if (c == '"' || c == '\\')
            snprintf(esc, sizeof esc, "\\%c", c);
        else
            snprintf(esc, sizeof esc, "\\u%04x", c);
        DSGI_FORWARD(puts_(b, esc, err));
        run = i + 1;
    }
    DSGI_FORWARD(put(b, (const char *)p + run, n - run, err));
    return put(b, "\"", 1, err);
}

static int64_t le_i64(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n && i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    if (n == 4)
        return (int32_t)(uint32_t)v;
    return (int64_t)v;
}

static void format_date(char *buf, size_t n, int64_t days)
{
    int64_t y;
    unsigned m, d;
    dsgi_civil_from_days(days, &y, &m, &d);
    snprintf(buf, n, "\"%04" PRId64 "-%02u-%02u\"", y, m, d);
}

/* Timestamps in stats have millisecond precision (PROTOCOL.md): the
 * minimum rounds down and the maximum up, so the bounds stay bounds. */
static void format_timestamp(char *buf, size_t n, int64_t us, int round_up)
{
    int64_t ms = us / 1000 - (us % 1000 < 0);
    if (round_up && ms * 1000 != us)
        ms++;
    int64_t days = ms / 86400000 - (ms % 86400000 < 0);
    int64_t rem = ms - days * 86400000;
    int64_t y;
    unsigned mo, d;
    dsgi_civil_from_days(days, &y, &mo, &d);
    snprintf(buf, n, "\"%04" PRId64 "-%02u-%02uT%02d:%02d:%02d.%03dZ\"", y, mo, d, (int)(rem / 3600000),
             (int)(rem / 60000 % 60), (int)(rem / 1000 % 60), (int)(rem % 1000));
}

static void format_decimal(char *buf, size_t n, int64_t v, int scale)
{
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    uint64_t p = 1;
    for (int k = 0; k < scale; k++)
        p *= 10;
    if (scale > 0)
        snprintf(buf, n, "%s%" PRIu64 ".%0*" PRIu64, v < 0 ? "-" : "", mag / p, scale & 31, mag % p);
    else
        snprintf(buf, n, "%s%" PRIu64, v < 0 ? "-" : "", mag);
}

/* A big-endian two's complement integer of len bytes with 'scale'
 * decimals, as exact text. */
static void format_decimal128(char *buf, size_t n, const uint8_t *p, size_t len, int scale)
{
    unsigned __int128 u = (p[0] & 0x80) ? ~(unsigned __int128)0 : 0; /* sign extension */
    for (size_t i = 0; i < len; i++)
        u = (u << 8) | p[i];
    int neg = (p[0] & 0x80) != 0;
    if (neg)
        u = ~u + 1;
    char digits[64];
    int nd = 0;
    do {
        digits[nd++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u != 0);
    while (nd <= scale)
        digits[nd++] = '0';
    size_t k = 0;
    if (neg && k + 1 < n)
        buf[k++] = '-';
    for (int i = nd - 1; i >= 0 && k + 2 < n; i--) {
        buf[k++] = digits[i];
        if (i == scale && scale > 0)
            buf[k++] = '.';
    }
    buf[k] = '\0';
}

/* The stats text of one bound (is_max) of one leaf into b; *wrote = 0
 * when the leaf has no usable bound. */
static dsg_status put_bound(dsgi_buf *b, const dsg_field *f, const dsg_column_stats *c, int is_max,
                            int *wrote, dsg_error *err)
{
    *wrote = 0;
    if (!c->has_minmax || f->type == DSG_BOOL || f->type == DSG_BINARY)
        return DSG_OK;
    const uint8_t *p = is_max ? c->max : c->min;
    size_t len = is_max ? c->max_len : c->min_len;
    char tmp[96];
    switch (f->type) {
    case DSG_INT8:
    case DSG_INT16:
    case DSG_INT32:
    case DSG_INT64:
    case DSG_DURATION:
        DSGI_RETURN_IF(len != 4 && len != 8, err, DSG_EINTERNAL, "bad statistics for column %s", f->name);
        snprintf(tmp, sizeof tmp, "%" PRId64, le_i64(p, len));
        break;
    case DSG_DATE:
        DSGI_RETURN_IF(len != 4, err, DSG_EINTERNAL, "bad statistics for column %s", f->name);
        format_date(tmp, sizeof tmp, le_i64(p, 4));
        break;
    case DSG_TIMESTAMP:
        DSGI_RETURN_IF(len != 8, err, DSG_EINTERNAL, "bad statistics for column %s", f->name);
        format_timestamp(tmp, sizeof tmp, le_i64(p, 8), is_max);
        break;
    case DSG_DECIMAL:
        DSGI_RETURN_IF(len != 4 && len != 8, err, DSG_EINTERNAL, "bad statistics for column %s", f->name);
        format_decimal(tmp, sizeof tmp, le_i64(p, len), f->scale);
        break;
    case DSG_DECIMAL128:
        if (len == 4 || len == 8) {
            format_decimal(tmp, sizeof tmp, le_i64(p, len), f->scale);
        } else { /* FIXED_LEN_BYTE_ARRAY: big-endian two's complement */
            DSGI_RETURN_IF(len < 1 || len > 16, err, DSG_EINTERNAL, "bad statistics for column %s", f->name);
            format_decimal128(tmp, sizeof tmp, p, len, f->scale);
        }
        break;
    case DSG_FLOAT:
    case DSG_DOUBLE: {
        /* JSON has no NaN or infinity: a column with NaN gets no bounds
         * (readers then cannot skip the file on it, never wrongly) */
        if (c->nans > 0)
            return DSG_OK;
        double v;
        if (f->type == DSG_FLOAT) {
            DSGI_RETURN_IF(len != 4, err, DSG_EINTERNAL, "bad statistics for column %s", f->name);
            float x;
            memcpy(&x, p, 4);
            v = x;
        } else {
            DSGI_RETURN_IF(len != 8, err, DSG_EINTERNAL, "bad statistics for column %s", f->name);
            memcpy(&v, p, 8);
        }
        if (!isfinite(v))
            return DSG_OK;
        if (v == 0)
            snprintf(tmp, sizeof tmp, "%s", signbit(v) ? "-0.0" : "0.0");
        else /* the shortest text that reads back as the same value */
            for (int digits = f->type == DSG_FLOAT ? 6 : 15; digits <= 17; digits++) {
                snprintf(tmp, sizeof tmp, "%.*g", digits, v);
                double back = strtod(tmp, NULL);
                if (f->type == DSG_FLOAT ? (float)back == (float)v : back == v)
                    break;
            }
        break;
    }
    case DSG_STRING: {
        /* the first STATS_STRING_PREFIX characters; a truncated maximum
         * gets U+10FFFF appended so that it stays an upper bound in byte
         * order */
        size_t cut = 0, chars = 0;
        while (cut < len && chars < STATS_STRING_PREFIX) {
            size_t k = utf8_char(p + cut, len - cut);
            if (k == 0)
                return DSG_OK; /* not UTF-8: no bound */
            cut += k;
            chars++;
        }
        for (size_t i = cut; i < len;) { /* the rest must be UTF-8 too */
            size_t k = utf8_char(p + i, len - i);
            if (k == 0)
                return DSG_OK;
            i += k;
        }
        if (cut < len && is_max) {
            static const uint8_t top[4] = {0xF4, 0x8F, 0xBF, 0xBF};
            if (len - cut >= 4 && memcmp(p + cut, top, 4) == 0)
                return DSG_OK;
            DSGI_FORWARD(put_json_string(b, p, cut, err));
            b->len--; /* reopen the string */
            DSGI_FORWARD(put(b, (const char *)top, 4, err));
            DSGI_FORWARD(put(b, "\"", 1, err));
        } else {
            DSGI_FORWARD(put_json_string(b, p, cut, err));
        }
        *wrote = 1;
        return DSG_OK;
    }
    default: return DSG_OK;
    }
    DSGI_FORWARD(puts_(b, tmp, err));
    *wrote = 1;
    return DSG_OK;
}

enum { SECTION_MIN, SECTION_MAX, SECTION_NULLS };

/* Writes '"name":value' members for fields[0..n) (leaf stats from
 * cols[*leaf]...), nested like the schema. Lists and maps are skipped
 * (Delta keeps no statistics inside them). *any: a member was written. */
static dsg_status put_section(dsgi_buf *b, const dsg_field *fields, size_t n, const dsg_column_stats *cols,
                              size_t *leaf, int section, int *any, dsg_error *err)
{
    *any = 0;
    for (size_t i = 0; i < n; i++) {
        const dsg_field *f = &fields[i];
        if (f->type == DSG_LIST || f->type == DSG_MAP) {
            *leaf += count_leaves(f);
            continue;
        }
        size_t mark = b->len;
        if (*any)
            DSGI_FORWARD(put(b, ",", 1, err));
        DSGI_FORWARD(put_json_string(b, (const uint8_t *)f->name, strlen(f->name), err));
        DSGI_FORWARD(put(b, ":", 1, err));
        int wrote;
        if (f->type == DSG_STRUCT) {
            DSGI_FORWARD(put(b, "{", 1, err));
            DSGI_FORWARD(put_section(b, f->children, f->n_children, cols, leaf, section, &wrote, err));
            DSGI_FORWARD(put(b, "}", 1, err));
        } else {
            const dsg_column_stats *c = &cols[(*leaf)++];
            if (section == SECTION_NULLS) {
                char tmp[32];
                snprintf(tmp, sizeof tmp, "%" PRIu64, c->nulls);
                DSGI_FORWARD(puts_(b, tmp, err));
                wrote = 1;
            } else {
                DSGI_FORWARD(put_bound(b, f, c, section == SECTION_MAX, &wrote, err));
            }
        }
        if (wrote)
            *any = 1;
        else
            b->len = mark; /* nothing to say about this column */
    }
    return DSG_OK;
}

/* The stats JSON of a file (PROTOCOL.md "Per-file Statistics"): always
 * numRecords, minValues, maxValues and nullCount. */
static dsg_status stats_json(const dsgt_table *t, const dsgt_file *file, dsgi_buf *b, dsg_error *err)
{
    char tmp[64];
    snprintf(tmp, sizeof tmp, "{\"numRecords\":%" PRIu64, file->rows);
    DSGI_FORWARD(puts_(b, tmp, err));
    static const char *const names[] = {",\"minValues\":{", ",\"maxValues\":{", ",\"nullCount\":{"};
    for (int s = SECTION_MIN; s <= SECTION_NULLS; s++) {
        DSGI_FORWARD(puts_(b, names[s], err));
        if (file->n_columns) {
            size_t leaf = 0;
            int any;
            DSGI_FORWARD(put_section(b, t->fields, t->n_fields, file->columns, &leaf, s, &any, err));
        }
        DSGI_FORWARD(put(b, "}", 1, err));
    }
    return put(b, "}", 1, err);
}

/* ------------------------------------------------------------------ */
/* Actions                                                             */
/* ------------------------------------------------------------------ */

/* Percent-encodes a relative path once (RFC 2396): unreserved characters,
 * '/' and the characters Hive directory names use stay. */
static char *encode_path(const char *rel)
{
    size_t n = strlen(rel);
    char *out = dsgi_malloc(3 * n + 1);
    if (out == NULL)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)rel[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            strchr("-_.~/=", c) != NULL) {
            out[k++] = (char)c;
        } else {
            static const char hex[] = "0123456789ABCDEF";
            out[k++] = '%';
            out[k++] = hex[c >> 4];
            out[k++] = hex[c & 15];
        }
    }
    out[k] = '\0';
    return out;
}

/* A partition value as Delta serializes it: integers without leading
 * zeros ("01" -> "1"); other types as they are; NULL -> null. */
static json_t *partition_value(const dsgt_table *t, size_t i, const char *v, dsg_error *err)
{
    if (v == NULL || (strcmp(v, "__HIVE_DEFAULT_PARTITION__") == 0))
        return json_null();
    if (!t->part_is_int[i])
        return json_string(v);
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (*v == '\0' || *end != '\0' || errno != 0) {
        dsgi_fail(err, DSG_EINTERNAL, "partition value %s of column %s in %s is not an integer", v,
                  t->part_names[i], t->what);
        return NULL;
    }
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", x);
    return json_string(buf);
}

static dsg_status append_line(dsgi_buf *b, json_t *action, dsg_error *err)
{
    char *s = json_dumps(action, JSON_COMPACT);
    json_decref(action);
    DSGI_RETURN_IF(s == NULL, err, DSG_ENOMEM, "out of memory (Delta commit)");
    dsg_status st = dsgi_buf_append(b, s, strlen(s), err);
    free(s);
    if (st == DSG_OK)
        st = dsgi_buf_append(b, "\n", 1, err);
    return st;
}

/* A random version 4 UUID (the table id). */
static void uuid4(char out[37])
{
    uint8_t r[16];
    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) { /* no entropy: time and pid */
        uint64_t x = (uint64_t)dlt_now_ms() * 6364136223846793005u ^ (uint64_t)getpid();
        for (int i = 0; i < 16; i++) {
            x ^= x >> 33;
            x *= 0xff51afd7ed558ccdu;
            r[i] = (uint8_t)(x >> 56);
        }
    }
    r[6] = (uint8_t)((r[6] & 0x0F) | 0x40);
    r[8] = (uint8_t)((r[8] & 0x3F) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", r[0], r[1],
             r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15]);
}

static const char *mode_name(dsg_table_mode m)
{
    return m == DSG_MODE_APPEND ? "Append" : m == DSG_MODE_OVERWRITE ? "Overwrite" : "ErrorIfExists";
}

/* The text of the commit at version s->version + 1 over snapshot s. */
static dsg_status build_commit(dsgt_table *t, const dlt_snapshot *s, dsgi_buf *b, dsg_error *err)
{
    int64_t now = dlt_now_ms();
    int creating = s->version < 0;
    int overwrite = t->mode == DSG_MODE_OVERWRITE && !creating;
    char partition_by[1024];
    char *pb = json_dumps(t->partition_columns, JSON_COMPACT);
    DSGI_RETURN_IF(pb == NULL, err, DSG_ENOMEM, "out of memory (Delta commit)");
    snprintf(partition_by, sizeof partition_by, "%s", pb);
    free(pb);
    char n_files[32], n_rows[32], n_bytes[32], n_removed[32];
    uint64_t bytes = 0;
    for (size_t i = 0; i < t->n_added; i++)
        bytes += t->added[i].bytes;
    snprintf(n_files, sizeof n_files, "%zu", t->n_added);
    snprintf(n_rows, sizeof n_rows, "%" PRIu64, t->rows);
    snprintf(n_bytes, sizeof n_bytes, "%" PRIu64, bytes);
    snprintf(n_removed, sizeof n_removed, "%zu", overwrite ? json_object_size(s->adds) : 0);
    json_t *info = json_pack(
        "{s:{s:I, s:s, s:{s:s, s:s}, s:I, s:b, s:{s:s, s:s, s:s, s:s}, s:s}}", "commitInfo", "timestamp",
        (json_int_t)now, "operation", creating ? "CREATE TABLE AS SELECT" : "WRITE", "operationParameters",
        "mode", mode_name(t->mode), "partitionBy", partition_by, "readVersion", (json_int_t)s->version,
        "isBlindAppend", !overwrite, "operationMetrics", "numFiles", n_files, "numOutputRows", n_rows,
        "numOutputBytes", n_bytes, "numRemovedFiles", n_removed, "engineInfo", t->engine_info);
    DSGI_RETURN_IF(info == NULL, err, DSG_ENOMEM, "out of memory (Delta commit)");
    if (!overwrite || creating)
        json_object_del(json_object_get(json_object_get(info, "commitInfo"), "operationMetrics"),
                        "numRemovedFiles");
    if (creating)
        json_object_del(json_object_get(info, "commitInfo"), "readVersion");
    DSGI_FORWARD(append_line(b, info, err));
    if (creating) {
        char id[37];
        uuid4(id);
        json_t *proto = json_pack("{s:{s:i, s:i}}", "protocol", "minReaderVersion", 1, "minWriterVersion", 2);
        DSGI_FORWARD(append_line(b, proto, err));
        json_incref(t->partition_columns);
        json_t *md = json_pack("{s:{s:s, s:s, s:{s:s, s:{}}, s:s, s:o, s:{}, s:I}}", "metaData", "id", id,
                               "name", "", "format", "provider", "parquet", "options", "schemaString",
                               t->schema_string, "partitionColumns", t->partition_columns,
                               "configuration", "createdTime", (json_int_t)now);
        DSGI_RETURN_IF(md == NULL, err, DSG_ENOMEM, "out of memory (Delta commit)");
        json_object_del(json_object_get(md, "metaData"), "name");
        DSGI_FORWARD(append_line(b, md, err));
    }
    if (overwrite) {
        const char *key;
        json_t *add;
        json_object_foreach(s->adds, key, add) {
            json_t *rm = json_pack("{s:{s:O, s:I, s:b, s:b}}", "remove", "path", json_object_get(add, "path"),
                                   "deletionTimestamp", (json_int_t)now, "dataChange", 1,
                                   "extendedFileMetadata", 1);
            DSGI_RETURN_IF(rm == NULL, err, DSG_ENOMEM, "out of memory (Delta commit)");
            json_t *r = json_object_get(rm, "remove");
            static const char *const copy[] = {"partitionValues", "size", "tags", "deletionVector",
                                               "baseRowId", "defaultRowCommitVersion"};
            for (size_t i = 0; i < sizeof copy / sizeof copy[0]; i++) {
                json_t *v = json_object_get(add, copy[i]);
                if (v != NULL && !json_is_null(v))
                    json_object_set(r, copy[i], v);
            }
            DSGI_FORWARD(append_line(b, rm, err));
        }
    }
    for (size_t i = 0; i < t->n_added; i++) {
        DSGI_FORWARD(dsgi_buf_append(b, t->added[i].line, strlen(t->added[i].line), err));
        DSGI_FORWARD(dsgi_buf_append(b, "\n", 1, err));
    }
    return DSG_OK;
}

/* ------------------------------------------------------------------ */
/* The format                                                          */
/* ------------------------------------------------------------------ */

static void delta_free(dsgt_table *t)
{
    if (t == NULL)
        return;
    dsgi_free(t->what);
    dsgi_free(t->engine_info);
    json_decref(t->schema);
    free(t->schema_string);
    json_decref(t->partition_columns);
    for (size_t i = 0; i < t->n_parts; i++)
        if (t->part_names)
            dsgi_free(t->part_names[i]);
    dsgi_free(t->part_names);
    dsgi_free(t->part_is_int);
    dlt_snapshot_free(&t->snap);
    for (size_t i = 0; i < t->n_added; i++)
        free(t->added[i].line);
    dsgi_free(t->added);
    dsgi_free(t);
}

static dsg_status open_inner(dsgt_table *t, const dsgt_table_args *a, dsg_error *err)
{
    const char *uri = dsgt_store_uri(a->store);
    t->what = dsgi_strdup(uri ? uri : a->table_name);
    t->engine_info = dsgi_strdup(a->engine_info ? a->engine_info : "dataset-generator");
    DSGI_RETURN_IF(t->what == NULL || t->engine_info == NULL, err, DSG_ENOMEM, "out of memory");
    DSGI_FORWARD(build_schema(t, a, err));
    DSGI_FORWARD(dlt_snapshot_init(&t->snap, err));
    DSGI_FORWARD(dlt_snapshot_load(&t->snap, t->store, t->what, err));
    if (t->snap.version < 0)
        return DSG_OK;
    DSGI_RETURN_IF(t->mode == DSG_MODE_CREATE, err, DSG_EINVAL,
                   "the Delta table %s already exists (version %" PRId64 "); use --mode append or "
                   "--mode overwrite", t->what, t->snap.version);
    return check_table(t, &t->snap, err);
}

static dsg_status delta_open(dsgt_table **out, const dsgt_table_args *a, dsg_error *err)
{
    DSGI_RETURN_IF(a == NULL || a->store == NULL || a->fields == NULL || a->n_fields == 0, err, DSG_EINVAL,
                   "a Delta table needs a store and at least one column");
    DSGI_RETURN_IF(a->n_partition_by > 0 && a->partition_by == NULL, err, DSG_EINVAL,
                   "table %s: partition columns are missing", a->table_name);
    DSGI_RETURN_IF(a->catalog != NULL && a->catalog->uri != NULL, err, DSG_EINVAL,
                   "Delta tables take no catalog (the log is the table's catalog)");
    dsgt_table *t = dsgi_calloc(1, sizeof *t);
    DSGI_RETURN_IF(t == NULL, err, DSG_ENOMEM, "out of memory (Delta table)");
    t->store = a->store;
    t->mode = a->mode;
    t->fields = a->fields;
    t->n_fields = a->n_fields;
    t->snap.version = -1;
    dsg_status st = open_inner(t, a, err);
    if (st != DSG_OK) {
        delta_free(t);
        return st;
    }
    *out = t;
    return DSG_OK;
}

static dsg_status delta_add_file(dsgt_table *t, const dsgt_file *file, dsg_error *err)
{
    DSGI_RETURN_IF(t->committed, err, DSG_ESTATE, "a file was added to %s after its commit", t->what);
    DSGI_RETURN_IF(file->n_columns != 0 && (file->n_columns != t->n_leaves || file->columns == NULL), err,
                   DSG_EINTERNAL, "%s: statistics of %zu columns for a schema of %zu", file->rel_path,
                   file->n_columns, t->n_leaves);
    DSGI_RETURN_IF(t->n_parts > 0 && file->partition_values == NULL, err, DSG_EINTERNAL,
                   "%s: no partition values", file->rel_path);
    if (t->n_added == t->cap_added) {
        size_t cap = t->cap_added ? t->cap_added * 2 : 64;
        dlt_added *p = dsgi_realloc(t->added, cap * sizeof *p);
        DSGI_RETURN_IF(p == NULL, err, DSG_ENOMEM, "out of memory (Delta files)");
        t->added = p;
        t->cap_added = cap;
    }
    dsgi_buf stats;
    dsgi_buf_init(&stats, (size_t)1 << 30);
    dsg_status st = stats_json(t, file, &stats, err);
    json_t *pv = json_object();
    for (size_t i = 0; st == DSG_OK && i < t->n_parts; i++) {
        json_t *v = partition_value(t, i, file->partition_values[i], err);
        if (v == NULL || json_object_set_new(pv, t->part_names[i], v) != 0)
            st = err && err->status ? err->status : dsgi_fail(err, DSG_ENOMEM, "out of memory");
    }
    char *path = encode_path(file->rel_path);
    json_t *add = NULL;
    if (st == DSG_OK && (pv == NULL || path == NULL))
        st = dsgi_fail(err, DSG_ENOMEM, "out of memory (Delta files)");
    if (st == DSG_OK) {
        add = json_pack("{s:{s:s, s:O, s:I, s:I, s:b, s:s%}}", "add", "path", path, "partitionValues", pv,
                        "size", (json_int_t)file->bytes, "modificationTime", (json_int_t)dlt_now_ms(),
                        "dataChange", 1, "stats", (const char *)stats.data, stats.len);
        if (add == NULL)
            st = dsgi_fail(err, DSG_ENOMEM, "out of memory (Delta files)");
    }
    char *line = add ? json_dumps(add, JSON_COMPACT) : NULL;
    if (st == DSG_OK && line == NULL)
        st = dsgi_fail(err, DSG_ENOMEM, "out of memory (Delta files)");
    json_decref(add);
    json_decref(pv);
    dsgi_free(path);
    dsgi_buf_free(&stats);
    if (st != DSG_OK) {
        free(line);
        return st;
    }
    t->added[t->n_added].line = line;
    t->added[t->n_added].rows = file->rows;
    t->added[t->n_added].bytes = file->bytes;
    t->n_added++;
    t->rows += file->rows;
    return DSG_OK;
}

static dsg_status delta_commit(dsgt_table *t, int64_t *version, dsg_error *err)
{
    DSGI_RETURN_IF(t->committed, err, DSG_ESTATE, "%s was committed twice", t->what);
    dsgi_buf b;
    dsgi_buf_init(&b, (size_t)1 << 31);
    dsg_status st = DSG_OK;
    int64_t v = -1;
    for (int attempt = 0;; attempt++) {
        if (attempt == MAX_COMMIT_ATTEMPTS) {
            st = dsgi_fail(err, DSG_EIO, "could not commit to %s: %d concurrent commits won the race",
                           t->what, MAX_COMMIT_ATTEMPTS);
            break;
        }
        dsgi_buf_reset(&b);
        st = build_commit(t, &t->snap, &b, err);
        if (st != DSG_OK)
            break;
        v = t->snap.version + 1;
        char name[64];
        dlt_log_name(name, sizeof name, v, ".json");
        st = dsgt_store_put(t->store, name, b.data, b.len, DSGT_PUT_IF_ABSENT, err);
        if (st == DSG_OK)
            break;
        if (st != DSGT_EXISTS) {
            char msg[DSG_ERROR_MESSAGE_MAX];
            snprintf(msg, sizeof msg, "%s", err ? err->message : "");
            st = dsgi_fail(err, st, "commit of version %" PRId64 " of %s failed: %s", v, t->what, msg);
            break;
        }
        /* lost the race for version v: read what won, re-validate, retry */
        int was_new = t->snap.version < 0;
        int64_t advanced = 0;
        st = dlt_snapshot_catch_up(&t->snap, t->store, t->what, &advanced, err);
        if (st != DSG_OK)
            break;
        if (advanced == 0) {
            st = dsgi_fail(err, DSG_EIO, "%s/%s exists but cannot be read", t->what, name);
            break;
        }
        if (was_new && t->mode == DSG_MODE_CREATE) {
            st = dsgi_fail(err, DSG_EINVAL, "the Delta table %s was created by another writer meanwhile",
                           t->what);
            break;
        }
        st = check_table(t, &t->snap, err);
        if (st != DSG_OK)
            break;
    }
    if (st == DSG_OK) {
        /* our commit is now version v of the snapshot too */
        char name[64];
        dlt_log_name(name, sizeof name, v, ".json");
        dsg_error e2;
        /* our checkpoints hold stats as JSON only: tables that ask for
         * parsed stats in checkpoints (writer version 3+) get none from us */
        const char *as_struct = config_value(t->snap.metadata, "delta.checkpoint.writeStatsAsStruct");
        const char *as_json = config_value(t->snap.metadata, "delta.checkpoint.writeStatsAsJson");
        int may_checkpoint = !(as_struct && strcasecmp(as_struct, "true") == 0) &&
                             !(as_json && strcasecmp(as_json, "false") == 0);
        if (dlt_snapshot_apply(&t->snap, (const char *)b.data, b.len, v, name, &e2) == DSG_OK &&
            may_checkpoint && v > 0 && v % CHECKPOINT_INTERVAL == 0)
            (void)dlt_checkpoint_write(&t->snap, t->store, t->what, &e2); /* optional */
        t->committed = 1;
        *version = v;
    }
    dsgi_buf_free(&b);
    return st;
}

const dsgt_format dsgt_delta_format = {
    .name = "delta",
    .needs_field_ids = 0,
    .open = delta_open,
    .add_file = delta_add_file,
    .commit = delta_commit,
    .free = delta_free,
};
