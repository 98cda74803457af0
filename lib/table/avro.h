/*
 * avro.h - Avro object container files (Apache Avro 1.11 specification),
 * written and read by our own small codec: Iceberg manifests and manifest
 * lists need the schema's "field-id", "element-id" and logicalType
 * attributes and the file's header metadata kept exactly as given, which
 * Debian's avro-c does not do.
 *
 * The model is a generic one: a schema is compiled from its JSON text; a
 * datum is a tree of dsgt_avro_value. Writing encodes values against a
 * schema (binary encoding: zigzag varints, length-prefixed bytes, one block
 * per array or map, unions as a branch index then the value); reading
 * decodes a whole file into values against the writer's schema from the
 * header. Codecs: "null" and "deflate" (raw RFC 1951 through zlib).
 *
 * Memory: schemas, values and decoded strings live in a dsgt_arena and are
 * freed together with it. Nothing here is thread-safe; distinct arenas and
 * writers may be used from distinct threads.
 *
 * Dependency direction: table/avro -> common/ (and jansson, zlib).
 */
#ifndef DSG_AVRO_H
#define DSG_AVRO_H

#include "common/common.h"

/* ------------------------------------------------------------------ */
/* Arena                                                               */
/* ------------------------------------------------------------------ */

typedef struct dsgt_arena_chunk dsgt_arena_chunk;
typedef struct dsgt_arena {
    dsgt_arena_chunk *head;
    size_t used, cap; /* of the head chunk */
} dsgt_arena;

void dsgt_arena_init(dsgt_arena *a);
/* Frees every allocation of the arena; the arena may be reused. */
void dsgt_arena_free(dsgt_arena *a);
/* Zeroed memory, aligned for any type; NULL when out of memory. */
void *dsgt_arena_alloc(dsgt_arena *a, size_t size);
/* Copies n bytes (plus a NUL terminator). NULL when out of memory. */
char *dsgt_arena_strndup(dsgt_arena *a, const char *s, size_t n);

/* ------------------------------------------------------------------ */
/* Schemas                                                             */
/* ------------------------------------------------------------------ */

typedef enum dsgt_avro_type {
    DSGT_AVRO_NULL = 0,
    DSGT_AVRO_BOOLEAN,
    DSGT_AVRO_INT,
    DSGT_AVRO_LONG,
    DSGT_AVRO_FLOAT,
    DSGT_AVRO_DOUBLE,
    DSGT_AVRO_BYTES,
    DSGT_AVRO_STRING,
    DSGT_AVRO_RECORD,
    DSGT_AVRO_ENUM,
    DSGT_AVRO_ARRAY,
    DSGT_AVRO_MAP,
    DSGT_AVRO_UNION,
    DSGT_AVRO_FIXED
} dsgt_avro_type;

typedef struct dsgt_avro_schema dsgt_avro_schema;

typedef struct dsgt_avro_field {
    const char *name;
    int32_t field_id; /* the "field-id" attribute, -1 when absent */
    const dsgt_avro_schema *schema;
} dsgt_avro_field;

struct dsgt_avro_schema {
    dsgt_avro_type type;
    const char *name;                 /* record, enum, fixed */
    const dsgt_avro_field *fields;    /* record */
    const dsgt_avro_schema *const *branches; /* union */
    size_t n;                         /* fields, branches, enum symbols */
    const dsgt_avro_schema *items;    /* array items, map values */
    size_t fixed_size;
};

/* Compiles the schema JSON text 'json' (named types may be referenced by
 * name after their definition). *out lives in 'arena'. Malformed schemas
 * fail with DSG_EINVAL. */
dsg_status dsgt_avro_schema_parse(dsgt_arena *arena, const char *json, size_t len,
                                  const dsgt_avro_schema **out, dsg_error *err);

/* The record field named 'name', or NULL. */
const dsgt_avro_field *dsgt_avro_field_find(const dsgt_avro_schema *record, const char *name);
/* The index of the record field with field id 'id' (or, when no field has
 * ids, named 'name'), -1 when absent. */
int dsgt_avro_field_index(const dsgt_avro_schema *record, int32_t id, const char *name);

/* ------------------------------------------------------------------ */
/* Values                                                              */
/* ------------------------------------------------------------------ */

/* A datum. 'type' is the concrete type (never UNION: a union's value is
 * the value of its branch; NULL is a null). */
typedef struct dsgt_avro_value dsgt_avro_value;
struct dsgt_avro_value {
    dsgt_avro_type type;
    int64_t l;               /* BOOLEAN (0/1), INT, LONG, ENUM (index) */
    double d;                /* FLOAT, DOUBLE */
    const uint8_t *p;        /* BYTES, STRING, FIXED; STRING NUL-terminated */
    size_t len;
    dsgt_avro_value *items;  /* RECORD fields (in schema order), ARRAY
                                items, MAP values */
    const char **keys;       /* MAP keys */
    size_t n;
    const dsgt_avro_schema *schema; /* RECORD: its schema */
};

/* Constructors (plain values, no allocation). */
static inline dsgt_avro_value dsgt_avro_null(void)
{
    dsgt_avro_value v;
    memset(&v, 0, sizeof v);
    return v;
}
static inline dsgt_avro_value dsgt_avro_long(dsgt_avro_type t, int64_t x)
{
    dsgt_avro_value v = dsgt_avro_null();
    v.type = t;
    v.l = x;
    return v;
}
static inline dsgt_avro_value dsgt_avro_bytes(dsgt_avro_type t, const void *p, size_t len)
{
    dsgt_avro_value v = dsgt_avro_null();
    v.type = t;
    v.p = (const uint8_t *)p;
    v.len = len;
    return v;
}
static inline dsgt_avro_value dsgt_avro_str(const char *s)
{
    return dsgt_avro_bytes(DSGT_AVRO_STRING, s, strlen(s));
}

/* A record value of 'schema' with every field null; NULL when out of
 * memory. */
dsgt_avro_value *dsgt_avro_record_new(dsgt_arena *a, const dsgt_avro_schema *schema);
/* Sets the record field 'name' (which must exist: asserted). */
void dsgt_avro_record_set(dsgt_avro_value *rec, const char *name, dsgt_avro_value v);
/* The record field 'name', or NULL when the record has no such field. */
const dsgt_avro_value *dsgt_avro_record_get(const dsgt_avro_value *rec, const char *name);

/* Rebuilds 'v' (a value of schema 'from') as a value of schema 'to',
 * matching record fields by field id (by name when the target field has
 * no id). A target field that the source lacks becomes null when the
 * target allows null, 0 for int and long (Iceberg's rule for fields added
 * in v2), else the projection fails with DSG_EINVAL. */
dsg_status dsgt_avro_project(dsgt_arena *a, const dsgt_avro_value *v, const dsgt_avro_schema *to,
                             dsgt_avro_value *out, dsg_error *err);

/* Appends the binary encoding of v against schema s to 'out'. A value that
 * does not fit the schema fails with DSG_EINVAL naming the schema. */
dsg_status dsgt_avro_encode(dsgi_buf *out, const dsgt_avro_schema *s, const dsgt_avro_value *v,
                            dsg_error *err);

/* ------------------------------------------------------------------ */
/* Object container files                                              */
/* ------------------------------------------------------------------ */

typedef enum dsgt_avro_codec { DSGT_AVRO_CODEC_NULL = 0, DSGT_AVRO_CODEC_DEFLATE } dsgt_avro_codec;

typedef struct dsgt_avro_writer {
    const dsgt_avro_schema *schema;
    dsgt_avro_codec codec;
    uint8_t sync[16];
    dsgi_buf out;     /* the file so far */
    dsgi_buf block;   /* encoded records of the open block */
    dsgi_buf zbuf;    /* compressed block */
    uint64_t block_records;
    uint64_t records;
} dsgt_avro_writer;

/* Starts a file: header with "avro.schema" = schema_json, "avro.codec"
 * and the given metadata (in order), then the sync marker 'sync'. The
 * writer compiles schema_json into 'arena'. */
dsg_status dsgt_avro_writer_init(dsgt_avro_writer *w, dsgt_arena *arena, const char *schema_json,
                                 const dsg_kv *meta, size_t n_meta, dsgt_avro_codec codec,
                                 const uint8_t sync[16], dsg_error *err);
/* Appends one record. */
dsg_status dsgt_avro_writer_append(dsgt_avro_writer *w, const dsgt_avro_value *v, dsg_error *err);
/* Flushes the last block; w->out then holds the complete file. */
dsg_status dsgt_avro_writer_finish(dsgt_avro_writer *w, dsg_error *err);
void dsgt_avro_writer_free(dsgt_avro_writer *w);

/* A whole file decoded. */
typedef struct dsgt_avro_file {
    const dsgt_avro_schema *schema; /* the writer's schema */
    const char *schema_json;
    dsg_kv *meta;                   /* header metadata, NUL-terminated values */
    size_t n_meta;
    dsgt_avro_value *records;
    size_t n_records;
} dsgt_avro_file;

/* Decodes the container file data[0..len) into 'out' (memory in 'arena').
 * A malformed or truncated file fails with DSG_EINVAL naming what is
 * wrong; the caller names the file. */
dsg_status dsgt_avro_read(dsgt_arena *arena, const uint8_t *data, size_t len, dsgt_avro_file *out,
                          dsg_error *err);
/* The value of header key 'key', or NULL. */
const char *dsgt_avro_file_meta(const dsgt_avro_file *f, const char *key);

#endif /* DSG_AVRO_H */
