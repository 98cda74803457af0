/*
 * delta_checkpoint.c - classic (V1 spec) Delta checkpoints: the whole
 * state of one version as one Parquet file, written by our own writer, and
 * read back by the small Parquet reader of parquet/pq_reader.c.
 *
 * Writing, in order; what a crash between two steps leaves:
 *  1. every action of the snapshot becomes one row: protocol, metaData,
 *     txn*, add*, remove* (tombstones), as top-level struct columns of
 *     which each row sets exactly one (PROTOCOL.md "Checkpoint Schema").
 *  2. the file goes to _delta_log/<v>.checkpoint.parquet in one put
 *     (complete or absent).               crash: no checkpoint, or a
 *                                         complete one readers may use
 *  3. _last_checkpoint is replaced (one put), unless it already names a
 *     newer checkpoint.                   crash: the hint names the older
 *                                         checkpoint; readers still
 *                                         replay correctly
 */
#include "table/delta.h"
#include "parquet/pq_reader.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

/* ------------------------------------------------------------------ */
/* A sink into memory                                                  */
/* ------------------------------------------------------------------ */

typedef struct mem_sink {
    dsg_sink base;
    dsgi_buf buf;
    int committed;
} mem_sink;

static dsg_status ms_write(dsg_sink *s, const void *data, size_t size, dsg_error *err)
{
    mem_sink *m = (mem_sink *)s;
    DSGI_FORWARD(dsgi_buf_append(&m->buf, data, size, err));
    s->bytes_written += size;
    return DSG_OK;
}
static dsg_status ms_commit(dsg_sink *s, dsg_error *err)
{
    (void)err;
    ((mem_sink *)s)->committed = 1;
    return DSG_OK;
}
static void ms_abort(dsg_sink *s) { (void)s; }
static void ms_free(dsg_sink *s) { (void)s; } /* owned by the caller, on its stack */
static const dsg_sink_ops mem_sink_ops = {ms_write, ms_commit, ms_abort, ms_free};

/* ------------------------------------------------------------------ */
/* Column builders                                                     */
/* ------------------------------------------------------------------ */

/* One node of the checkpoint schema being filled: validity, values
 * (fixed width), offsets (strings, lists, maps), string bytes. */
typedef struct col {
    dsgi_buf valid, values, offsets, data;
    size_t n;
} col;

#define MAXB ((size_t)1 << 31)

static dsg_status col_init(col *c, dsg_error *err)
{
    dsgi_buf_init(&c->valid, MAXB);
    dsgi_buf_init(&c->values, MAXB);
    dsgi_buf_init(&c->offsets, MAXB);
    dsgi_buf_init(&c->data, MAXB);
    c->n = 0;
    int32_t zero = 0;
    return dsgi_buf_append(&c->offsets, &zero, 4, err);
}

static void col_free(col *c)
{
    dsgi_buf_free(&c->valid);
    dsgi_buf_free(&c->values);
    dsgi_buf_free(&c->offsets);
    dsgi_buf_free(&c->data);
}

static dsg_status col_valid(col *c, int valid, dsg_error *err)
{
    uint8_t v = valid != 0;
    DSGI_FORWARD(dsgi_buf_append(&c->valid, &v, 1, err));
    c->n++;
    return DSG_OK;
}

/* Closes slot c->n - 1 of a string, list or map spanning 'count' more
 * bytes or entries. */
static dsg_status col_offset(col *c, size_t count, dsg_error *err)
{
    int32_t last;
    memcpy(&last, c->offsets.data + c->offsets.len - 4, 4);
    DSGI_RETURN_IF((size_t)last + count > INT32_MAX, err, DSG_EINVAL, "checkpoint column too large");
    int32_t next = (int32_t)(last + (int32_t)count);
    return dsgi_buf_append(&c->offsets, &next, 4, err);
}

static dsg_status col_str(col *c, const char *s, size_t len, dsg_error *err)
{
    DSGI_FORWARD(col_valid(c, s != NULL, err));
    if (s != NULL)
        DSGI_FORWARD(dsgi_buf_append(&c->data, s, len, err));
    return col_offset(c, s ? len : 0, err);
}

static dsg_status col_json_str(col *c, const json_t *j, dsg_error *err)
{
    if (json_is_string(j))
        return col_str(c, json_string_value(j), json_string_length(j), err);
    return col_str(c, NULL, 0, err);
}

static dsg_status col_i64(col *c, const json_t *j, dsg_error *err)
{
    int64_t v = json_is_integer(j) ? (int64_t)json_integer_value(j) : 0;
    DSGI_FORWARD(col_valid(c, json_is_integer(j), err));
    return dsgi_buf_append(&c->values, &v, 8, err);
}

static dsg_status col_i32(col *c, const json_t *j, dsg_error *err)
{
    int32_t v = json_is_integer(j) ? (int32_t)json_integer_value(j) : 0;
    DSGI_FORWARD(col_valid(c, json_is_integer(j), err));
    return dsgi_buf_append(&c->values, &v, 4, err);
}

static dsg_status col_bool(col *c, const json_t *j, dsg_error *err)
{
    uint8_t v = json_is_true(j);
    DSGI_FORWARD(col_valid(c, json_is_boolean(j), err));
    return dsgi_buf_append(&c->values, &v, 1, err);
}

/* map<string,string> from a JSON object (m: the map node, k/v: keys and
 * values); values that are not strings become null. */
static dsg_status col_map(col *m, col *k, col *v, const json_t *obj, dsg_error *err)
{
    DSGI_FORWARD(col_valid(m, json_is_object(obj), err));
    size_t n = 0;
    const char *key;
    json_t *val;
    if (json_is_object(obj))
        json_object_foreach((json_t *)obj, key, val) {
            DSGI_FORWARD(col_str(k, key, strlen(key), err));
            DSGI_FORWARD(col_json_str(v, val, err));
            n++;
        }
    return col_offset(m, n, err);
}

/* list<string> from a JSON array. */
static dsg_status col_list(col *l, col *e, const json_t *arr, dsg_error *err)
{
    DSGI_FORWARD(col_valid(l, json_is_array(arr), err));
    for (size_t i = 0; i < json_array_size(arr); i++)
        DSGI_FORWARD(col_json_str(e, json_array_get(arr, i), err));
    return col_offset(l, json_array_size(arr), err);
}

/* ------------------------------------------------------------------ */
/* The checkpoint schema                                               */
/* ------------------------------------------------------------------ */

#define N DSG_FIELD_NULLABLE
#define LEAF(name, type) {name, type, N, 0, 0, NULL, 0}
static const dsg_field f_kv[] = {{"key", DSG_STRING, 0, 0, 0, NULL, 0}, LEAF("value", DSG_STRING)};
static const dsg_field f_elem[] = {LEAF("element", DSG_STRING)};
#define MAP(name) {name, DSG_MAP, N, 0, 0, f_kv, 2}
#define LIST(name) {name, DSG_LIST, N, 0, 0, f_elem, 1}

static const dsg_field f_txn[] = {LEAF("appId", DSG_STRING), LEAF("version", DSG_INT64),
                                  LEAF("lastUpdated", DSG_INT64)};
static const dsg_field f_add[] = {LEAF("path", DSG_STRING),       MAP("partitionValues"),
                                  LEAF("size", DSG_INT64),        LEAF("modificationTime", DSG_INT64),
                                  LEAF("dataChange", DSG_BOOL),   LEAF("stats", DSG_STRING),
                                  MAP("tags")};
static const dsg_field f_remove[] = {LEAF("path", DSG_STRING),         LEAF("deletionTimestamp", DSG_INT64),
                                     LEAF("dataChange", DSG_BOOL),     LEAF("extendedFileMetadata", DSG_BOOL),
                                     MAP("partitionValues"),           LEAF("size", DSG_INT64)};
static const dsg_field f_format[] = {LEAF("provider", DSG_STRING), MAP("options")};
static const dsg_field f_meta[] = {LEAF("id", DSG_STRING),
                                   LEAF("name", DSG_STRING),
                                   LEAF("description", DSG_STRING),
                                   {"format", DSG_STRUCT, N, 0, 0, f_format, 2},
                                   LEAF("schemaString", DSG_STRING),
                                   LIST("partitionColumns"),
                                   MAP("configuration"),
                                   LEAF("createdTime", DSG_INT64)};
static const dsg_field f_protocol[] = {LEAF("minReaderVersion", DSG_INT32), LEAF("minWriterVersion", DSG_INT32),
                                       LIST("readerFeatures"), LIST("writerFeatures")};
static const dsg_field cp_fields[] = {
    {"txn", DSG_STRUCT, N, 0, 0, f_txn, 3},
    {"add", DSG_STRUCT, N, 0, 0, f_add, 7},
    {"remove", DSG_STRUCT, N, 0, 0, f_remove, 6},
    {"metaData", DSG_STRUCT, N, 0, 0, f_meta, 8},
    {"protocol", DSG_STRUCT, N, 0, 0, f_protocol, 4},
};

/* Builder nodes, one per schema node (maps: node, key, value; lists:
 * node, element). */
enum {
    TXN, TXN_APP, TXN_VER, TXN_UPD,
    ADD, ADD_PATH, ADD_PV, ADD_PV_K, ADD_PV_V, ADD_SIZE, ADD_MOD, ADD_DC, ADD_STATS, ADD_TAGS, ADD_TAGS_K,
    ADD_TAGS_V,
    RM, RM_PATH, RM_TS, RM_DC, RM_EXT, RM_PV, RM_PV_K, RM_PV_V, RM_SIZE,
    MD, MD_ID, MD_NAME, MD_DESC, MD_FMT, MD_FMT_PROV, MD_FMT_OPT, MD_FMT_OPT_K, MD_FMT_OPT_V, MD_SCHEMA,
    MD_PC, MD_PC_E, MD_CONF, MD_CONF_K, MD_CONF_V, MD_CREATED,
    PR, PR_RV, PR_WV, PR_RF, PR_RF_E, PR_WF, PR_WF_E,
    N_COLS
};

typedef struct cp_build {
    col c[N_COLS];
} cp_build;

static dsg_status row_txn(cp_build *b, const json_t *t, dsg_error *err)
{
    col *c = b->c;
    DSGI_FORWARD(col_valid(&c[TXN], t != NULL, err));
    DSGI_FORWARD(col_json_str(&c[TXN_APP], json_object_get(t, "appId"), err));
    DSGI_FORWARD(col_i64(&c[TXN_VER], json_object_get(t, "version"), err));
    return col_i64(&c[TXN_UPD], json_object_get(t, "lastUpdated"), err);
}

static dsg_status row_add(cp_build *b, const json_t *a, dsg_error *err)
{
    col *c = b->c;
    DSGI_FORWARD(col_valid(&c[ADD], a != NULL, err));
    DSGI_FORWARD(col_json_str(&c[ADD_PATH], json_object_get(a, "path"), err));
    DSGI_FORWARD(col_map(&c[ADD_PV], &c[ADD_PV_K], &c[ADD_PV_V], json_object_get(a, "partitionValues"), err));
    DSGI_FORWARD(col_i64(&c[ADD_SIZE], json_object_get(a, "size"), err));
    DSGI_FORWARD(col_i64(&c[ADD_MOD], json_object_get(a, "modificationTime"), err));
    /* dataChange is false in checkpoints: the file is not new there */
    DSGI_FORWARD(col_bool(&c[ADD_DC], a ? json_false() : NULL, err));
    DSGI_FORWARD(col_json_str(&c[ADD_STATS], json_object_get(a, "stats"), err));
    return col_map(&c[ADD_TAGS], &c[ADD_TAGS_K], &c[ADD_TAGS_V], json_object_get(a, "tags"), err);
}

static dsg_status row_remove(cp_build *b, const json_t *r, dsg_error *err)
{
    col *c = b->c;
    DSGI_FORWARD(col_valid(&c[RM], r != NULL, err));
    DSGI_FORWARD(col_json_str(&c[RM_PATH], json_object_get(r, "path"), err));
    DSGI_FORWARD(col_i64(&c[RM_TS], json_object_get(r, "deletionTimestamp"), err));
    DSGI_FORWARD(col_bool(&c[RM_DC], r ? json_false() : NULL, err));
    DSGI_FORWARD(col_bool(&c[RM_EXT], json_object_get(r, "extendedFileMetadata"), err));
    DSGI_FORWARD(col_map(&c[RM_PV], &c[RM_PV_K], &c[RM_PV_V], json_object_get(r, "partitionValues"), err));
    return col_i64(&c[RM_SIZE], json_object_get(r, "size"), err);
}

static dsg_status row_meta(cp_build *b, const json_t *m, dsg_error *err)
{
    col *c = b->c;
    const json_t *fmt = json_object_get(m, "format");
    DSGI_FORWARD(col_valid(&c[MD], m != NULL, err));
    DSGI_FORWARD(col_json_str(&c[MD_ID], json_object_get(m, "id"), err));
    DSGI_FORWARD(col_json_str(&c[MD_NAME], json_object_get(m, "name"), err));
    DSGI_FORWARD(col_json_str(&c[MD_DESC], json_object_get(m, "description"), err));
    DSGI_FORWARD(col_valid(&c[MD_FMT], json_is_object(fmt), err));
    DSGI_FORWARD(col_json_str(&c[MD_FMT_PROV], json_object_get(fmt, "provider"), err));
    json_t *empty = json_object();
    DSGI_RETURN_IF(empty == NULL, err, DSG_ENOMEM, "out of memory (checkpoint)");
    const json_t *opts = json_object_get(fmt, "options");
    dsg_status st = col_map(&c[MD_FMT_OPT], &c[MD_FMT_OPT_K], &c[MD_FMT_OPT_V],
                            fmt == NULL ? NULL : opts ? opts : empty, err);
    json_decref(empty);
    DSGI_FORWARD(st);
    DSGI_FORWARD(col_json_str(&c[MD_SCHEMA], json_object_get(m, "schemaString"), err));
    DSGI_FORWARD(col_list(&c[MD_PC], &c[MD_PC_E], json_object_get(m, "partitionColumns"), err));
    DSGI_FORWARD(col_map(&c[MD_CONF], &c[MD_CONF_K], &c[MD_CONF_V], json_object_get(m, "configuration"), err));
    return col_i64(&c[MD_CREATED], json_object_get(m, "createdTime"), err);
}

static dsg_status row_protocol(cp_build *b, const json_t *p, dsg_error *err)
{
    col *c = b->c;
    DSGI_FORWARD(col_valid(&c[PR], p != NULL, err));
    DSGI_FORWARD(col_i32(&c[PR_RV], json_object_get(p, "minReaderVersion"), err));
    DSGI_FORWARD(col_i32(&c[PR_WV], json_object_get(p, "minWriterVersion"), err));
    DSGI_FORWARD(col_list(&c[PR_RF], &c[PR_RF_E], json_object_get(p, "readerFeatures"), err));
    return col_list(&c[PR_WF], &c[PR_WF_E], json_object_get(p, "writerFeatures"), err);
}

enum { K_PROTOCOL, K_META, K_TXN, K_ADD, K_REMOVE };

static dsg_status add_row(cp_build *b, int kind, const json_t *a, dsg_error *err)
{
    DSGI_FORWARD(row_txn(b, kind == K_TXN ? a : NULL, err));
    DSGI_FORWARD(row_add(b, kind == K_ADD ? a : NULL, err));
    DSGI_FORWARD(row_remove(b, kind == K_REMOVE ? a : NULL, err));
    DSGI_FORWARD(row_meta(b, kind == K_META ? a : NULL, err));
    return row_protocol(b, kind == K_PROTOCOL ? a : NULL, err);
}

/* The dsg_array of node i (and its children, from 'arrays'). */
static void publish(cp_build *b, dsg_array *arrays, size_t i, dsg_type type, size_t first_child)
{
    col *c = &b->c[i];
    dsg_array *a = &arrays[i];
    a->type = type;
    a->length = c->n;
    a->valid = c->valid.data;
    a->values = c->values.data;
    a->offsets = (const int32_t *)c->offsets.data;
    a->data = (const char *)c->data.data;
    a->children = first_child ? &arrays[first_child] : NULL;
}

/* Arrays are laid out in node order, so a node's children are the next
 * nodes: a struct's members follow it, a map's key and value, a list's
 * element. Nested children (format inside metaData) are placed apart. */
static dsg_status build_arrays(cp_build *b, dsg_array *arr, dsg_array top[5], dsg_array *meta_kids,
                               dsg_array *fmt_kids, dsg_error *err)
{
    (void)err;
    static const struct { int node; dsg_type type; int child; } spec[] = {
        {TXN_APP, DSG_STRING, 0}, {TXN_VER, DSG_INT64, 0}, {TXN_UPD, DSG_INT64, 0},
        {ADD_PATH, DSG_STRING, 0}, {ADD_PV, DSG_MAP, ADD_PV_K}, {ADD_PV_K, DSG_STRING, 0},
        {ADD_PV_V, DSG_STRING, 0}, {ADD_SIZE, DSG_INT64, 0}, {ADD_MOD, DSG_INT64, 0},
        {ADD_DC, DSG_BOOL, 0}, {ADD_STATS, DSG_STRING, 0}, {ADD_TAGS, DSG_MAP, ADD_TAGS_K},
        {ADD_TAGS_K, DSG_STRING, 0}, {ADD_TAGS_V, DSG_STRING, 0},
        {RM_PATH, DSG_STRING, 0}, {RM_TS, DSG_INT64, 0}, {RM_DC, DSG_BOOL, 0}, {RM_EXT, DSG_BOOL, 0},
        {RM_PV, DSG_MAP, RM_PV_K}, {RM_PV_K, DSG_STRING, 0}, {RM_PV_V, DSG_STRING, 0},
        {RM_SIZE, DSG_INT64, 0},
        {MD_ID, DSG_STRING, 0}, {MD_NAME, DSG_STRING, 0}, {MD_DESC, DSG_STRING, 0},
        {MD_FMT_PROV, DSG_STRING, 0}, {MD_FMT_OPT, DSG_MAP, MD_FMT_OPT_K}, {MD_FMT_OPT_K, DSG_STRING, 0},
        {MD_FMT_OPT_V, DSG_STRING, 0}, {MD_SCHEMA, DSG_STRING, 0}, {MD_PC, DSG_LIST, MD_PC_E},
        {MD_PC_E, DSG_STRING, 0}, {MD_CONF, DSG_MAP, MD_CONF_K}, {MD_CONF_K, DSG_STRING, 0},
        {MD_CONF_V, DSG_STRING, 0}, {MD_CREATED, DSG_INT64, 0},
        {PR_RV, DSG_INT32, 0}, {PR_WV, DSG_INT32, 0}, {PR_RF, DSG_LIST, PR_RF_E}, {PR_RF_E, DSG_STRING, 0},
        {PR_WF, DSG_LIST, PR_WF_E}, {PR_WF_E, DSG_STRING, 0},
    };
    for (size_t i = 0; i < sizeof spec / sizeof spec[0]; i++)
        publish(b, arr, (size_t)spec[i].node, spec[i].type, (size_t)spec[i].child);
    /* structs: members are not contiguous nodes everywhere (maps' keys and
     * values sit between them), so gather them */
    static const int add_m[] = {ADD_PATH, ADD_PV, ADD_SIZE, ADD_MOD, ADD_DC, ADD_STATS, ADD_TAGS};
    static const int rm_m[] = {RM_PATH, RM_TS, RM_DC, RM_EXT, RM_PV, RM_SIZE};
    static const int md_m[] = {MD_ID, MD_NAME, MD_DESC, MD_FMT, MD_SCHEMA, MD_PC, MD_CONF, MD_CREATED};
    static const int pr_m[] = {PR_RV, PR_WV, PR_RF, PR_WF};
    static const int fmt_m[] = {MD_FMT_PROV, MD_FMT_OPT};
    for (size_t i = 0; i < 2; i++)
        fmt_kids[i] = arr[fmt_m[i]];
    publish(b, arr, MD_FMT, DSG_STRUCT, 0);
    arr[MD_FMT].children = fmt_kids;
    publish(b, arr, TXN, DSG_STRUCT, TXN_APP);
    publish(b, arr, ADD, DSG_STRUCT, 0);
    publish(b, arr, RM, DSG_STRUCT, 0);
    publish(b, arr, MD, DSG_STRUCT, 0);
    publish(b, arr, PR, DSG_STRUCT, 0);
    dsg_array *kids = meta_kids; /* 7 + 6 + 8 + 4 slots */
    for (size_t i = 0; i < 7; i++)
        kids[i] = arr[add_m[i]];
    arr[ADD].children = kids;
    kids += 7;
    for (size_t i = 0; i < 6; i++)
        kids[i] = arr[rm_m[i]];
    arr[RM].children = kids;
    kids += 6;
    for (size_t i = 0; i < 8; i++)
        kids[i] = arr[md_m[i]];
    arr[MD].children = kids;
    kids += 8;
    for (size_t i = 0; i < 4; i++)
        kids[i] = arr[pr_m[i]];
    arr[PR].children = kids;
    top[0] = arr[TXN];
    top[1] = arr[ADD];
    top[2] = arr[RM];
    top[3] = arr[MD];
    top[4] = arr[PR];
    return DSG_OK;
}

static dsg_status write_last_checkpoint(dsgt_store *store, int64_t version, size_t n_actions,
                                        uint64_t bytes, size_t n_adds, dsg_error *err)
{
    dsgi_buf old;
    dsgi_buf_init(&old, (size_t)1 << 20);
    dsg_error e2;
    if (dsgt_store_get(store, "_delta_log/_last_checkpoint", &old, &e2) == DSG_OK) {
        json_t *j = json_loadb((const char *)old.data, old.len, 0, NULL);
        json_int_t had = json_integer_value(json_object_get(j, "version"));
        json_decref(j);
        if (had > version) { /* a newer checkpoint is already named */
            dsgi_buf_free(&old);
            return DSG_OK;
        }
    }
    dsgi_buf_free(&old);
    json_t *lc = json_pack("{s:I, s:I, s:I, s:I}", "version", (json_int_t)version, "size",
                           (json_int_t)n_actions, "sizeInBytes", (json_int_t)bytes, "numOfAddFiles",
                           (json_int_t)n_adds);
    char *text = lc ? json_dumps(lc, JSON_COMPACT) : NULL;
    json_decref(lc);
    DSGI_RETURN_IF(text == NULL, err, DSG_ENOMEM, "out of memory (_last_checkpoint)");
    dsg_status st = dsgt_store_put(store, "_delta_log/_last_checkpoint", text, strlen(text), 0, err);
    free(text);
    return st;
}

dsg_status dlt_checkpoint_write(const dlt_snapshot *s, dsgt_store *store, const char *what, dsg_error *err)
{
    DSGI_RETURN_IF(s->protocol == NULL || s->metadata == NULL, err, DSG_EINTERNAL,
                   "no protocol or metadata to checkpoint in %s", what);
    cp_build *b = dsgi_calloc(1, sizeof *b);
    DSGI_RETURN_IF(b == NULL, err, DSG_ENOMEM, "out of memory (checkpoint)");
    dsg_status st = DSG_OK;
    for (size_t i = 0; i < N_COLS && st == DSG_OK; i++)
        st = col_init(&b->c[i], err);
    size_t n_actions = 0;
    if (st == DSG_OK)
        st = add_row(b, K_PROTOCOL, s->protocol, err);
    if (st == DSG_OK)
        st = add_row(b, K_META, s->metadata, err);
    n_actions = 2;
    const char *key;
    json_t *v;
    json_object_foreach(s->txns, key, v) {
        if (st == DSG_OK)
            st = add_row(b, K_TXN, v, err);
        n_actions++;
    }
    json_object_foreach(s->adds, key, v) {
        if (st == DSG_OK)
            st = add_row(b, K_ADD, v, err);
        n_actions++;
    }
    json_object_foreach(s->removes, key, v) {
        if (st == DSG_OK)
            st = add_row(b, K_REMOVE, v, err);
        n_actions++;
    }
    dsg_array arrays[N_COLS], top[5], kids[25], fmt_kids[2];
    memset(arrays, 0, sizeof arrays);
    if (st == DSG_OK)
        st = build_arrays(b, arrays, top, kids, fmt_kids, err);
    mem_sink sink;
    memset(&sink, 0, sizeof sink);
    sink.base.ops = &mem_sink_ops;
    dsgi_buf_init(&sink.buf, (size_t)1 << 34);
    dsg_parquet_writer *w = NULL;
    if (st == DSG_OK) {
        dsg_parquet_options opt;
        dsg_parquet_options_init(&opt);
        st = dsg_parquet_writer_open(&w, &sink.base, cp_fields, sizeof cp_fields / sizeof cp_fields[0], &opt,
                                     err);
    }
    if (st == DSG_OK)
        st = dsg_parquet_writer_write(w, top, n_actions, err);
    if (st == DSG_OK)
        st = dsg_parquet_writer_close(w, err);
    dsg_parquet_writer_free(w);
    for (size_t i = 0; i < N_COLS; i++)
        col_free(&b->c[i]);
    dsgi_free(b);
    char name[96];
    dlt_log_name(name, sizeof name, s->version, ".checkpoint.parquet");
    if (st == DSG_OK)
        st = dsgt_store_put(store, name, sink.buf.data, sink.buf.len, 0, err);
    uint64_t bytes = sink.buf.len;
    dsgi_buf_free(&sink.buf);
    if (st == DSG_OK)
        st = write_last_checkpoint(store, s->version, n_actions, bytes, json_object_size(s->adds), err);
    return st;
}

/* ------------------------------------------------------------------ */
/* Reading a checkpoint                                                */
/* ------------------------------------------------------------------ */

enum {
    R_ADD_PATH, R_ADD_PV_K, R_ADD_PV_V, R_ADD_SIZE, R_ADD_MOD, R_ADD_DC, R_ADD_STATS, R_ADD_TAGS_K,
    R_ADD_TAGS_V, R_ADD_DV,
    R_RM_PATH, R_RM_TS, R_RM_DC, R_RM_EXT, R_RM_PV_K, R_RM_PV_V, R_RM_SIZE,
    R_MD_ID, R_MD_NAME, R_MD_DESC, R_MD_PROV, R_MD_SCHEMA, R_MD_PC, R_MD_CONF_K, R_MD_CONF_V, R_MD_CREATED,
    R_PR_RV, R_PR_WV, R_PR_RF, R_PR_WF,
    R_TXN_APP, R_TXN_VER, R_TXN_UPD, R_DM_DOMAIN,
    N_R
};

static const char *const read_paths[N_R] = {
    "add.path", "add.partitionValues.*.key", "add.partitionValues.*.value", "add.size",
    "add.modificationTime", "add.dataChange", "add.stats", "add.tags.*.key", "add.tags.*.value",
    "add.deletionVector.storageType",
    "remove.path", "remove.deletionTimestamp", "remove.dataChange", "remove.extendedFileMetadata",
    "remove.partitionValues.*.key", "remove.partitionValues.*.value", "remove.size",
    "metaData.id", "metaData.name", "metaData.description", "metaData.format.provider",
    "metaData.schemaString", "metaData.partitionColumns.*.*", "metaData.configuration.*.key",
    "metaData.configuration.*.value", "metaData.createdTime",
    "protocol.minReaderVersion", "protocol.minWriterVersion", "protocol.readerFeatures.*.*",
    "protocol.writerFeatures.*.*",
    "txn.appId", "txn.version", "txn.lastUpdated", "domainMetadata.domain",
};

typedef struct rrow {
    dsgi_pq_column *c;
    size_t b[N_R], e[N_R];
} rrow;

enum { J_STR, J_INT, J_BOOL };

/* The value of a scalar column in this row (NULL: null); consumes it. */
static json_t *r_scalar(rrow *r, int k, int kind)
{
    dsgi_pq_column *c = &r->c[k];
    json_t *out = NULL;
    for (size_t i = r->b[k]; i < r->e[k]; i++) {
        if (c->def[i] != c->max_def)
            continue;
        size_t v = c->cur_value++;
        if (out != NULL || v >= c->n_values)
            continue;
        if (kind == J_STR)
            out = json_stringn((const char *)c->bytes + c->offsets[v], c->offsets[v + 1] - c->offsets[v]);
        else if (kind == J_INT)
            out = json_integer((json_int_t)c->ints[v]);
        else
            out = json_boolean(c->ints[v] != 0);
    }
    return out;
}

/* Whether path element 'depth' of column k is present in this row. */
static int r_present(const rrow *r, int k, size_t depth)
{
    const dsgi_pq_column *c = &r->c[k];
    return c->found && r->b[k] < r->e[k] && depth < c->path_len && c->def[r->b[k]] >= c->node_def[depth];
}

/* map<string,string> of key column k and value column v (NULL: null). */
static json_t *r_map(rrow *r, int k, int v)
{
    dsgi_pq_column *kc = &r->c[k], *vc = &r->c[v];
    if (!r_present(r, k, 1))
        return NULL;
    json_t *m = json_object();
    size_t j = r->b[v];
    for (size_t i = r->b[k]; m && i < r->e[k]; i++, j++) {
        if (kc->def[i] != kc->max_def)
            continue;
        size_t kv = kc->cur_value++;
        json_t *val = json_null();
        if (vc->found && j < r->e[v] && vc->def[j] == vc->max_def && vc->cur_value < vc->n_values) {
            size_t x = vc->cur_value++;
            json_decref(val);
            val = json_stringn((const char *)vc->bytes + vc->offsets[x], vc->offsets[x + 1] - vc->offsets[x]);
        }
        if (kv < kc->n_values) {
            char *key = dsgi_malloc(kc->offsets[kv + 1] - kc->offsets[kv] + 1);
            if (key) {
                memcpy(key, kc->bytes + kc->offsets[kv], kc->offsets[kv + 1] - kc->offsets[kv]);
                key[kc->offsets[kv + 1] - kc->offsets[kv]] = '\0';
                json_object_set_new(m, key, val);
                val = NULL;
            }
            dsgi_free(key);
        }
        json_decref(val);
    }
    /* values of rows not consumed above (mismatched levels) */
    for (; vc->found && j < r->e[v]; j++)
        if (vc->def[j] == vc->max_def)
            vc->cur_value++;
    return m;
}

/* list<string> of element column k (NULL: null). */
static json_t *r_list(rrow *r, int k)
{
    dsgi_pq_column *c = &r->c[k];
    if (!r_present(r, k, 1))
        return NULL;
    json_t *a = json_array();
    for (size_t i = r->b[k]; a && i < r->e[k]; i++) {
        if (c->def[i] < c->node_def[2])
            continue;
        if (c->def[i] == c->max_def && c->cur_value < c->n_values) {
            size_t x = c->cur_value++;
            json_array_append_new(a, json_stringn((const char *)c->bytes + c->offsets[x],
                                                  c->offsets[x + 1] - c->offsets[x]));
        } else {
            json_array_append_new(a, json_null());
        }
    }
    return a;
}

static void set_opt(json_t *obj, const char *key, json_t *v)
{
    if (v != NULL)
        json_object_set_new(obj, key, v);
}

/* Rebuilds the actions of one checkpoint row and applies them. */
static int apply_row(dlt_snapshot *s, rrow *r, int *has_dv)
{
    int rc = 0;
    int add = r_present(r, R_ADD_PATH, 0), rm = r_present(r, R_RM_PATH, 0);
    int md = r_present(r, R_MD_ID, 0), pr = r_present(r, R_PR_RV, 0), txn = r_present(r, R_TXN_APP, 0);
    if (r_present(r, R_DM_DOMAIN, 0))
        s->has_domain_metadata = 1;
    if (r_present(r, R_ADD_DV, 1))
        *has_dv = 1;
    json_t *a = json_object();
    if (a == NULL)
        return -1;
    /* every column is consumed, present or not, to keep the cursors aligned */
    set_opt(a, "path", r_scalar(r, R_ADD_PATH, J_STR));
    set_opt(a, "partitionValues", r_map(r, R_ADD_PV_K, R_ADD_PV_V));
    set_opt(a, "size", r_scalar(r, R_ADD_SIZE, J_INT));
    set_opt(a, "modificationTime", r_scalar(r, R_ADD_MOD, J_INT));
    set_opt(a, "dataChange", r_scalar(r, R_ADD_DC, J_BOOL));
    set_opt(a, "stats", r_scalar(r, R_ADD_STATS, J_STR));
    set_opt(a, "tags", r_map(r, R_ADD_TAGS_K, R_ADD_TAGS_V));
    json_decref(r_scalar(r, R_ADD_DV, J_STR));
    json_t *m = json_object();
    set_opt(m, "path", r_scalar(r, R_RM_PATH, J_STR));
    set_opt(m, "deletionTimestamp", r_scalar(r, R_RM_TS, J_INT));
    set_opt(m, "dataChange", r_scalar(r, R_RM_DC, J_BOOL));
    set_opt(m, "extendedFileMetadata", r_scalar(r, R_RM_EXT, J_BOOL));
    set_opt(m, "partitionValues", r_map(r, R_RM_PV_K, R_RM_PV_V));
    set_opt(m, "size", r_scalar(r, R_RM_SIZE, J_INT));
    json_t *meta = json_object(), *fmt = json_object();
    set_opt(meta, "id", r_scalar(r, R_MD_ID, J_STR));
    set_opt(meta, "name", r_scalar(r, R_MD_NAME, J_STR));
    set_opt(meta, "description", r_scalar(r, R_MD_DESC, J_STR));
    set_opt(fmt, "provider", r_scalar(r, R_MD_PROV, J_STR));
    set_opt(fmt, "options", json_object());
    set_opt(meta, "format", fmt);
    set_opt(meta, "schemaString", r_scalar(r, R_MD_SCHEMA, J_STR));
    set_opt(meta, "partitionColumns", r_list(r, R_MD_PC));
    set_opt(meta, "configuration", r_map(r, R_MD_CONF_K, R_MD_CONF_V));
    set_opt(meta, "createdTime", r_scalar(r, R_MD_CREATED, J_INT));
    json_t *p = json_object();
    set_opt(p, "minReaderVersion", r_scalar(r, R_PR_RV, J_INT));
    set_opt(p, "minWriterVersion", r_scalar(r, R_PR_WV, J_INT));
    set_opt(p, "readerFeatures", r_list(r, R_PR_RF));
    set_opt(p, "writerFeatures", r_list(r, R_PR_WF));
    json_t *t = json_object();
    set_opt(t, "appId", r_scalar(r, R_TXN_APP, J_STR));
    set_opt(t, "version", r_scalar(r, R_TXN_VER, J_INT));
    set_opt(t, "lastUpdated", r_scalar(r, R_TXN_UPD, J_INT));
    json_decref(r_scalar(r, R_DM_DOMAIN, J_STR));
    struct { int on; const char *name; json_t *v; } acts[] = {
        {pr, "protocol", p}, {md, "metaData", meta}, {txn, "txn", t}, {add, "add", a}, {rm, "remove", m},
    };
    for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++) {
        if (acts[i].on && acts[i].v != NULL) {
            json_t *action = json_pack("{s:O}", acts[i].name, acts[i].v);
            if (action == NULL || dlt_snapshot_apply_action(s, action) != 0)
                rc = -1;
            json_decref(action);
        }
        json_decref(acts[i].v);
    }
    return rc;
}

dsg_status dlt_checkpoint_apply(dlt_snapshot *s, const uint8_t *data, size_t len, const char *name, int *has_dv,
                                dsg_error *err)
{
    dsgi_pq_column cols[N_R];
    uint64_t rows = 0;
    DSGI_FORWARD(dsgi_pq_read_columns(data, len, read_paths, N_R, cols, &rows, name, err));
    rrow r = {cols, {0}, {0}};
    int rc = 0;
    for (uint64_t i = 0; i < rows && rc == 0; i++) {
        for (int k = 0; k < N_R; k++)
            dsgi_pq_column_row(&cols[k], &r.b[k], &r.e[k]);
        rc = apply_row(s, &r, has_dv);
    }
    for (int k = 0; k < N_R; k++)
        dsgi_pq_column_free(&cols[k]);
    DSGI_RETURN_IF(rc != 0, err, DSG_ENOMEM, "out of memory (reading %s)", name);
    return DSG_OK;
}

dsg_status dlt_checkpoint_read(dlt_snapshot *s, dsgt_store *store, int64_t version, int parts, const char *what,
                               dsg_error *err)
{
    dsgi_buf b;
    dsgi_buf_init(&b, (size_t)1 << 34);
    dsg_status st = DSG_OK;
    int has_dv = 0;
    for (int part = 1; part <= (parts ? parts : 1) && st == DSG_OK; part++) {
        char name[128], full[640];
        if (parts == 0)
            dlt_log_name(name, sizeof name, version, ".checkpoint.parquet");
        else {
            char suffix[64];
            snprintf(suffix, sizeof suffix, ".checkpoint.%010d.%010d.parquet", part, parts);
            dlt_log_name(name, sizeof name, version, suffix);
        }
        snprintf(full, sizeof full, "%s/%s", what, name);
        st = dsgt_store_get(store, name, &b, err);
        if (st == DSGT_NOT_FOUND)
            st = dsgi_fail(err, DSG_EIO, "%s disappeared while the log was read", full);
        if (st == DSG_OK)
            st = dlt_checkpoint_apply(s, b.data, b.len, full, &has_dv, err);
    }
    dsgi_buf_free(&b);
    DSGI_RETURN_IF(st == DSG_OK && has_dv, err, DSG_EINVAL,
                   "the Delta table %s has deletion vectors, which this writer does not implement; it is "
                   "left unchanged", what);
    if (st == DSG_OK)
        s->version = version;
    return st;
}
