/*
 * pq_writer.c - the streaming Parquet file writer: schema, shredding of
 * nested columns into levels, row groups, page index and footer.
 *
 * File commit path (the order of operations that makes a file appear only
 * when complete):
 *  1. open: "PAR1" goes to the sink (a temporary object).
 *  2. write: rows are shredded and encoded into the open row group's pages,
 *     kept in memory; when the row group reaches its row or byte limit, its
 *     column chunks go to the sink in schema order. Only what the footer
 *     needs (offsets, sizes, statistics, page index bytes) is kept.
 *  3. close: the last row group (if it has rows: never an empty one), then
 *     every ColumnIndex, every OffsetIndex, the FileMetaData, its length and
 *     "PAR1"; then the sink commits (rename, or multipart completion).
 *  4. Any failure, or free without close, aborts the sink: no file appears.
 *     The sink gets exactly one of commit and abort (dsg.h): a writer
 *     leaves W_OPEN once, to W_CLOSED by commit or to W_FAILED by abort,
 *     and free aborts a writer still in W_OPEN.
 */
#include "pq_internal.h"

#include <assert.h>
#include <stdio.h>

#define PIECE_ROWS 16384
#define MAX_DEPTH 32

enum { W_OPEN, W_FAILED, W_CLOSED };

typedef struct pq_node {
    dsg_type type;
    unsigned flags;
    char *name;
    int16_t rep_list;          /* LIST, MAP: repetition level of its repeated group */
    size_t leaf_begin, leaf_end;
    struct pq_node *children;
    size_t n_children;
} pq_node;

typedef struct shred_buf {
    uint16_t *def, *rep;
    uint32_t *pos;
    size_t n, cap, n_pos, pos_cap;
    const dsg_array *array;
} shred_buf;

typedef struct pq_row_group {
    int64_t num_rows, total_byte_size, total_compressed, file_offset;
    pq_chunk_meta *chunks;
} pq_row_group;

struct dsg_parquet_writer {
    int state;
    dsg_sink *sink;
    dsg_parquet_options opt;
    dsg_kv *kv;
    size_t n_kv;
    pq_context ctx;
    pq_node *roots;
    size_t n_roots;
    pq_leaf *leaves;
    size_t n_leaves, leaves_cap;
    shred_buf *shred;
    uint16_t *flat_def;
    size_t flat_def_cap;
    dsgi_buf schema; /* serialized SchemaElements after the root */
    uint32_t n_schema;
    uint64_t offset;
    uint64_t rows;
    uint64_t rg_rows;
    pq_row_group *groups;
    size_t n_groups, groups_cap;
    int32_t last_field_id;          /* with opt.field_ids */
    dsg_column_stats *col_stats;    /* after close: one per leaf */
};

static const char *type_name(dsg_type t)
{
    static const char *names[] = {"?", "BOOL", "INT8", "INT16", "INT32", "INT64", "FLOAT", "DOUBLE",
                                  "DATE", "TIMESTAMP", "DURATION", "STRING", "DECIMAL", "STRUCT",
                                  "LIST", "MAP"};
    static const char *user[] = {"UINT8", "UINT16", "UINT32", "UINT64", "BINARY", "FIXED_BINARY",
                                 "DECIMAL128", "TIME_MS", "TIME_US", "TIME_NS", "TIMESTAMP_MS",
                                 "TIMESTAMP_NS", "NULL"};
    if ((unsigned)t < sizeof names / sizeof names[0])
        return names[t];
    if (t >= DSG_UINT8 && t <= DSG_NULL)
        return user[t - DSG_UINT8];
    return "?";
}

static int is_primitive(dsg_type t)
{
    return (t >= DSG_BOOL && t <= DSG_DECIMAL) || (t >= DSG_UINT8 && t <= DSG_NULL);
}

static int is_known(dsg_type t) { return (t >= DSG_BOOL && t <= DSG_MAP) || is_primitive(t); }

/* Bytes of the FIXED_LEN_BYTE_ARRAY that holds 'precision' decimal digits
 * (signed): the smallest n with 10^p - 1 < 2^(8n - 1). */
static int decimal_bytes(int precision)
{
    static const int digits_of_bytes[] = {0, 2, 4, 6, 9, 11, 14, 16, 18, 21, 23, 26, 28, 31, 33, 35, 38};
    int n = 1;
    while (n < 16 && digits_of_bytes[n] < precision)
        n++;
    return n;
}

static int physical_type(const dsg_field *f)
{
    switch (f->type) {
    case DSG_BOOL: return PQ_BOOLEAN;
    case DSG_INT8:
    case DSG_INT16:
    case DSG_INT32:
    case DSG_DATE: return PQ_INT32;
    case DSG_INT64:
    case DSG_TIMESTAMP:
    case DSG_DURATION: return PQ_INT64;
    case DSG_FLOAT: return PQ_FLOAT;
    case DSG_DOUBLE: return PQ_DOUBLE;
    case DSG_STRING: return PQ_BYTE_ARRAY;
    case DSG_DECIMAL: return f->precision <= 9 ? PQ_INT32 : PQ_INT64;
    case DSG_UINT8:
    case DSG_UINT16:
    case DSG_UINT32:
    case DSG_TIME_MS:
    case DSG_NULL: return PQ_INT32;
    case DSG_UINT64:
    case DSG_TIME_US:
    case DSG_TIME_NS:
    case DSG_TIMESTAMP_MS:
    case DSG_TIMESTAMP_NS: return PQ_INT64;
    case DSG_BINARY: return PQ_BYTE_ARRAY;
    case DSG_FIXED_BINARY: return PQ_FIXED_LEN_BYTE_ARRAY;
    case DSG_DECIMAL128:
        return f->precision <= 9 ? PQ_INT32 : f->precision <= 18 ? PQ_INT64 : PQ_FIXED_LEN_BYTE_ARRAY;
    default: return -1;
    }
}

/* ---- schema ---- */

static dsg_status check_field(const dsg_field *f, int depth, dsg_error *err)
{
    const char *name = f->name ? f->name : "";
    DSGI_RETURN_IF(*name == '\0', err, DSG_EINVAL, "a column has an empty name");
    DSGI_RETURN_IF(depth > MAX_DEPTH, err, DSG_EINVAL, "column %s is nested too deeply", name);
    DSGI_RETURN_IF(!is_known(f->type), err, DSG_EINVAL,
                   "column %s has an unknown type %d", name, (int)f->type);
    DSGI_RETURN_IF(f->flags & ~(unsigned)(DSG_FIELD_NULLABLE | DSG_FIELD_NO_DICT | DSG_FIELD_LOCAL_TIME),
                   err, DSG_EINVAL, "column %s has unknown flags", name);
    if (f->type == DSG_DECIMAL128) {
        DSGI_RETURN_IF(f->precision < 1 || f->precision > 38, err, DSG_EINVAL,
                       "column %s: decimal precision must be 1 to 38, not %d", name, f->precision);
        DSGI_RETURN_IF(f->scale < 0 || f->scale > f->precision, err, DSG_EINVAL,
                       "column %s: decimal scale must be 0 to %d, not %d", name, f->precision, f->scale);
    }
    DSGI_RETURN_IF(f->type == DSG_FIXED_BINARY && (f->precision < 1 || f->precision > (1 << 20)), err,
                   DSG_EINVAL, "column %s: fixed-size binary width must be 1 to 1 MiB, not %d", name,
                   f->precision);
    DSGI_RETURN_IF(f->type == DSG_NULL && !(f->flags & DSG_FIELD_NULLABLE), err, DSG_EINVAL,
                   "column %s has the null type but is not nullable", name);
    if (f->type == DSG_DECIMAL) {
        DSGI_RETURN_IF(f->precision < 1 || f->precision > 18, err, DSG_EINVAL,
                       "column %s: decimal precision must be 1 to 18, not %d", name, f->precision);
        DSGI_RETURN_IF(f->scale < 0 || f->scale > f->precision, err, DSG_EINVAL,
                       "column %s: decimal scale must be 0 to %d, not %d", name, f->precision, f->scale);
    }
    if (is_primitive(f->type))
        DSGI_RETURN_IF(f->n_children != 0, err, DSG_EINVAL, "column %s (%s) cannot have children",
                       name, type_name(f->type));
    if (f->type == DSG_LIST)
        DSGI_RETURN_IF(f->n_children != 1 || f->children == NULL, err, DSG_EINVAL,
                       "list column %s must have exactly one child, its element", name);
    if (f->type == DSG_MAP) {
        DSGI_RETURN_IF(f->n_children != 2 || f->children == NULL, err, DSG_EINVAL,
                       "map column %s must have exactly two children, its key and its value", name);
        DSGI_RETURN_IF(!is_primitive(f->children[0].type) ||
                           (f->children[0].flags & DSG_FIELD_NULLABLE),
                       err, DSG_EINVAL, "map column %s: the key must be a primitive type, not nullable",
                       name);
    }
    if (f->type == DSG_STRUCT)
        DSGI_RETURN_IF(f->n_children == 0 || f->children == NULL, err, DSG_EINVAL,
                       "struct column %s must have at least one member", name);
    for (size_t i = 0; i < f->n_children; i++) {
        DSGI_FORWARD(check_field(&f->children[i], depth + 1, err));
        for (size_t j = 0; f->type == DSG_STRUCT && j < i; j++)
            DSGI_RETURN_IF(strcmp(f->children[i].name, f->children[j].name) == 0, err, DSG_EINVAL,
                           "struct column %s has two members named %s", name, f->children[i].name);
    }
    return DSG_OK;
}

static void time_unit(dsgi_thrift *t, int16_t id, int unit /* 1 ms, 2 us, 3 ns */)
{
    dsgi_thrift_field(t, id, DSGI_TT_STRUCT); /* TimeUnit union */
    dsgi_thrift_struct_begin(t);
    dsgi_thrift_field_empty_struct(t, (int16_t)unit);
    dsgi_thrift_struct_end(t);
}

static void schema_element(dsgi_thrift *t, const char *name, int phys, int repetition,
                           int n_children, const dsg_field *f, int32_t field_id)
{
    dsgi_thrift_struct_begin(t);
    if (phys >= 0)
        dsgi_thrift_field_i32(t, 1, phys);
    if (phys == PQ_FIXED_LEN_BYTE_ARRAY)
        dsgi_thrift_field_i32(t, 2, f->type == DSG_DECIMAL128 ? decimal_bytes(f->precision) : f->precision);
    dsgi_thrift_field_i32(t, 3, repetition);
    dsgi_thrift_field_string(t, 4, name);
    if (n_children >= 0)
        dsgi_thrift_field_i32(t, 5, n_children);
    int local = f && (f->flags & DSG_FIELD_LOCAL_TIME);
    /* ConvertedType (legacy; only where it means the same as the logical
     * type: TIMESTAMP_* and TIME_* imply UTC) and whether a LogicalType
     * follows. */
    int converted = -1, logical = 0;
    switch (f ? f->type : 0) {
    case DSG_INT8: converted = 15; break;
    case DSG_INT16: converted = 16; break;
    case DSG_DATE: converted = 6; break;
    case DSG_TIMESTAMP: converted = local ? -1 : 10; logical = 1; break;
    case DSG_TIMESTAMP_MS: converted = local ? -1 : 9; logical = 1; break;
    case DSG_TIMESTAMP_NS: logical = 1; break;
    case DSG_TIME_MS: converted = local ? -1 : 7; logical = 1; break;
    case DSG_TIME_US: converted = local ? -1 : 8; logical = 1; break;
    case DSG_TIME_NS: logical = 1; break;
    case DSG_STRING: converted = 0; break;
    case DSG_DECIMAL:
    case DSG_DECIMAL128: converted = 5; break;
    case DSG_LIST: converted = 3; break;
    case DSG_UINT8: converted = 11; break;
    case DSG_UINT16: converted = 12; break;
    case DSG_UINT32: converted = 13; break;
    case DSG_UINT64: converted = 14; break;
    case DSG_NULL: logical = 1; break;
    case DSG_MAP: converted = 1; break;
    default: break;
    }
    if (converted >= 0) {
        dsgi_thrift_field_i32(t, 6, converted);
        logical = 1;
    }
    if (f && (f->type == DSG_DECIMAL || f->type == DSG_DECIMAL128)) {
        dsgi_thrift_field_i32(t, 7, f->scale);
        dsgi_thrift_field_i32(t, 8, f->precision);
    }
    if (field_id > 0)
        dsgi_thrift_field_i32(t, 9, field_id);
    if (f && logical) {
        dsgi_thrift_field(t, 10, DSGI_TT_STRUCT); /* LogicalType union */
        dsgi_thrift_struct_begin(t);
        switch (f->type) {
        case DSG_INT8:
        case DSG_INT16:
        case DSG_UINT8:
        case DSG_UINT16:
        case DSG_UINT32:
        case DSG_UINT64: {
            int bits = f->type == DSG_INT8 || f->type == DSG_UINT8     ? 8
                       : f->type == DSG_INT16 || f->type == DSG_UINT16 ? 16
                       : f->type == DSG_UINT32                         ? 32
                                                                       : 64;
            dsgi_thrift_field(t, 10, DSGI_TT_STRUCT);
            dsgi_thrift_struct_begin(t);
            dsgi_thrift_field_i8(t, 1, (int8_t)bits);
            dsgi_thrift_field_bool(t, 2, f->type == DSG_INT8 || f->type == DSG_INT16);
            dsgi_thrift_struct_end(t);
            break;
        }
        case DSG_DATE: dsgi_thrift_field_empty_struct(t, 6); break;
        case DSG_TIMESTAMP:
        case DSG_TIMESTAMP_MS:
        case DSG_TIMESTAMP_NS:
            dsgi_thrift_field(t, 8, DSGI_TT_STRUCT);
            dsgi_thrift_struct_begin(t);
            dsgi_thrift_field_bool(t, 1, !local);
            time_unit(t, 2, f->type == DSG_TIMESTAMP_MS ? 1 : f->type == DSG_TIMESTAMP ? 2 : 3);
            dsgi_thrift_struct_end(t);
            break;
        case DSG_TIME_MS:
        case DSG_TIME_US:
        case DSG_TIME_NS:
            dsgi_thrift_field(t, 7, DSGI_TT_STRUCT);
            dsgi_thrift_struct_begin(t);
            dsgi_thrift_field_bool(t, 1, !local);
            time_unit(t, 2, f->type == DSG_TIME_MS ? 1 : f->type == DSG_TIME_US ? 2 : 3);
            dsgi_thrift_struct_end(t);
            break;
        case DSG_STRING: dsgi_thrift_field_empty_struct(t, 1); break;
        case DSG_DECIMAL:
        case DSG_DECIMAL128:
            dsgi_thrift_field(t, 5, DSGI_TT_STRUCT);
            dsgi_thrift_struct_begin(t);
            dsgi_thrift_field_i32(t, 1, f->scale);
            dsgi_thrift_field_i32(t, 2, f->precision);
            dsgi_thrift_struct_end(t);
            break;
        case DSG_LIST: dsgi_thrift_field_empty_struct(t, 3); break;
        case DSG_NULL: dsgi_thrift_field_empty_struct(t, 11); break; /* UNKNOWN */
        case DSG_MAP: dsgi_thrift_field_empty_struct(t, 2); break;
        default: break;
        }
        dsgi_thrift_struct_end(t);
    }
    dsgi_thrift_struct_end(t);
}

static dsg_status add_leaf(dsg_parquet_writer *w, const dsg_field *f, char **path, size_t depth,
                           int16_t def, int16_t rep, dsg_error *err)
{
    if (w->n_leaves == w->leaves_cap) {
        size_t cap = w->leaves_cap ? w->leaves_cap * 2 : 16;
        pq_leaf *p = dsgi_realloc(w->leaves, cap * sizeof *p);
        DSGI_RETURN_IF(p == NULL, err, DSG_ENOMEM, "out of memory (schema)");
        w->leaves = p;
        w->leaves_cap = cap;
    }
    pq_leaf *l = &w->leaves[w->n_leaves];
    memset(l, 0, sizeof *l);
    w->n_leaves++;
    l->type = f->type;
    l->phys = physical_type(f);
    l->cmp = l->phys;
    if (f->type == DSG_UINT8 || f->type == DSG_UINT16 || f->type == DSG_UINT32)
        l->cmp = PQ_CMP_U32;
    else if (f->type == DSG_UINT64)
        l->cmp = PQ_CMP_U64;
    else if (f->type == DSG_DECIMAL128 && l->phys == PQ_FIXED_LEN_BYTE_ARRAY)
        l->cmp = PQ_CMP_FLBA_SIGNED;
    if (l->phys == PQ_FIXED_LEN_BYTE_ARRAY)
        l->type_length = f->type == DSG_DECIMAL128 ? decimal_bytes(f->precision) : f->precision;
    l->max_def = def;
    l->max_rep = rep;
    l->precision = f->precision;
    l->scale = f->scale;
    l->dict_allowed = f->type != DSG_BOOL && f->type != DSG_NULL && l->phys != PQ_FIXED_LEN_BYTE_ARRAY &&
                      !(f->flags & DSG_FIELD_NO_DICT);
    l->field = f;
    l->path = dsgi_calloc(depth, sizeof *l->path);
    DSGI_RETURN_IF(l->path == NULL, err, DSG_ENOMEM, "out of memory (schema)");
    l->path_len = depth;
    for (size_t i = 0; i < depth; i++) {
        l->path[i] = dsgi_strdup(path[i]);
        DSGI_RETURN_IF(l->path[i] == NULL, err, DSG_ENOMEM, "out of memory (schema)");
    }
    return pq_leaf_init(l, err);
}

/* Builds node n for field f, its schema elements and leaves. 'def' and
 * 'rep' are the levels of the parent; 'path' holds the parent's path. */
static dsg_status build_node(dsg_parquet_writer *w, dsgi_thrift *t, pq_node *n, const dsg_field *f,
                             const char *elem_name, char **path, size_t depth, int16_t def,
                             int16_t rep, dsg_error *err)
{
    const char *name = elem_name ? elem_name : f->name;
    int nullable = (f->flags & DSG_FIELD_NULLABLE) != 0;
    n->type = f->type;
    n->flags = f->flags;
    n->name = dsgi_strdup(name);
    DSGI_RETURN_IF(n->name == NULL, err, DSG_ENOMEM, "out of memory (schema)");
    path[depth] = n->name;
    int16_t d = (int16_t)(def + nullable);
    int repetition = nullable ? PQ_OPTIONAL : PQ_REQUIRED;
    /* field ids: depth-first pre-order, this node before its children */
    int32_t field_id = w->opt.field_ids ? ++w->last_field_id : 0;
    n->leaf_begin = w->n_leaves;
    if (is_primitive(f->type)) {
        schema_element(t, name, physical_type(f), repetition, -1, f, field_id);
        w->n_schema++;
        DSGI_FORWARD(add_leaf(w, f, path, depth + 1, d, rep, err));
        w->leaves[w->n_leaves - 1].field_id = field_id;
    } else {
        size_t nc = f->type == DSG_LIST ? 1 : f->n_children;
        /* a map's group has one child, the repeated key_value group */
        int n_elem_children = f->type == DSG_MAP ? 1 : (int)nc;
        n->children = dsgi_calloc(nc, sizeof *n->children);
        DSGI_RETURN_IF(n->children == NULL, err, DSG_ENOMEM, "out of memory (schema)");
        n->n_children = nc;
        schema_element(t, name, -1, repetition, n_elem_children, f, field_id);
        w->n_schema++;
        if (f->type == DSG_MAP) {
            /* the repeated key_value group gets no field id (like a list's
             * middle group); key and value are the map's children */
            schema_element(t, "key_value", -1, PQ_REPEATED, 2, NULL, 0);
            w->n_schema++;
            DSGI_RETURN_IF(depth + 2 >= MAX_DEPTH + 3, err, DSG_EINVAL, "column %s is nested too deeply", name);
            path[depth + 1] = "key_value";
            n->rep_list = (int16_t)(rep + 1);
            static const char *const kv_names[2] = {"key", "value"};
            for (size_t i = 0; i < 2; i++)
                DSGI_FORWARD(build_node(w, t, &n->children[i], &f->children[i], kv_names[i], path,
                                        depth + 2, (int16_t)(d + 1), n->rep_list, err));
        } else if (f->type == DSG_LIST) {
            schema_element(t, "list", -1, PQ_REPEATED, 1, NULL, 0);
            w->n_schema++;
            DSGI_RETURN_IF(depth + 2 >= MAX_DEPTH + 3, err, DSG_EINVAL, "column %s is nested too deeply", name);
            path[depth + 1] = "list";
            n->rep_list = (int16_t)(rep + 1);
            DSGI_FORWARD(build_node(w, t, &n->children[0], &f->children[0], "element", path,
                                    depth + 2, (int16_t)(d + 1), n->rep_list, err));
        } else {
            for (size_t i = 0; i < nc; i++)
                DSGI_FORWARD(build_node(w, t, &n->children[i], &f->children[i], NULL, path,
                                        depth + 1, d, rep, err));
        }
    }
    n->leaf_end = w->n_leaves;
    return DSG_OK;
}

static void node_free(pq_node *n)
{
    for (size_t i = 0; i < n->n_children; i++)
        node_free(&n->children[i]);
    dsgi_free(n->children);
    dsgi_free(n->name);
}

/* ---- open / free ---- */

void dsg_parquet_options_init(dsg_parquet_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->codec = DSG_CODEC_SNAPPY;
    opt->level = DSG_LEVEL_DEFAULT;
    opt->row_group_rows = 1048576;
    opt->row_group_bytes = (size_t)64 << 20;
    opt->page_bytes = (size_t)1 << 20;
    opt->dict_bytes = (size_t)1 << 20;
    opt->page_index = 1;
}

static dsg_status check_options(const dsg_parquet_options *o, dsg_error *err)
{
    DSGI_RETURN_IF((unsigned)o->codec > DSG_CODEC_LZ4_RAW, err, DSG_EINVAL, "unknown codec %d",
                   (int)o->codec);
    DSGI_FORWARD(dsg_codec_check_level(o->codec, o->level, err));
    DSGI_RETURN_IF(o->row_group_rows < 1 || o->row_group_rows > ((size_t)1 << 31), err, DSG_EINVAL,
                   "row group rows must be between 1 and 2^31, not %zu", o->row_group_rows);
    DSGI_RETURN_IF(o->row_group_bytes < 1024, err, DSG_EINVAL,
                   "row group bytes must be at least 1024, not %zu", o->row_group_bytes);
    DSGI_RETURN_IF(o->page_bytes < 1024 || o->page_bytes > ((size_t)256 << 20), err, DSG_EINVAL,
                   "page bytes must be between 1 KiB and 256 MiB, not %zu", o->page_bytes);
    DSGI_RETURN_IF(o->dict_bytes > ((size_t)1 << 30), err, DSG_EINVAL,
                   "dictionary bytes must be at most 1 GiB, not %zu", o->dict_bytes);
    DSGI_RETURN_IF(o->n_metadata > 0 && o->metadata == NULL, err, DSG_EINVAL,
                   "metadata count is %zu but no metadata was given", o->n_metadata);
    for (size_t i = 0; i < o->n_metadata; i++)
        DSGI_RETURN_IF(o->metadata[i].key == NULL || o->metadata[i].value == NULL, err, DSG_EINVAL,
                       "metadata entry %zu has no key or no value", i);
    return DSG_OK;
}

void dsg_parquet_writer_free(dsg_parquet_writer *w)
{
    if (w == NULL)
        return;
    if (w->state == W_OPEN) /* never committed nor aborted */
        w->sink->ops->abort(w->sink);
    dsg_sink_free(w->sink);
    for (size_t i = 0; i < w->n_roots; i++)
        node_free(&w->roots[i]);
    dsgi_free(w->roots);
    for (size_t i = 0; i < w->n_leaves; i++) {
        pq_leaf_free(&w->leaves[i]);
        if (w->shred) {
            dsgi_free(w->shred[i].def);
            dsgi_free(w->shred[i].rep);
            dsgi_free(w->shred[i].pos);
        }
    }
    dsgi_free(w->leaves);
    dsgi_free(w->shred);
    dsgi_free(w->flat_def);
    for (size_t g = 0; g < w->n_groups; g++) {
        for (size_t i = 0; i < w->n_leaves; i++)
            pq_chunk_meta_free(&w->groups[g].chunks[i]);
        dsgi_free(w->groups[g].chunks);
    }
    dsgi_free(w->groups);
    dsgi_free(w->col_stats);
    for (size_t i = 0; i < w->n_kv; i++) {
        dsgi_free((char *)w->kv[i].key);
        dsgi_free((char *)w->kv[i].value);
    }
    dsgi_free(w->kv);
    dsgi_codec_free(w->ctx.codec);
    dsgi_buf_free(&w->ctx.scratch.body);
    dsgi_buf_free(&w->ctx.scratch.packed);
    dsgi_buf_free(&w->ctx.scratch.header);
    dsgi_free(w->ctx.pos);
    dsgi_buf_free(&w->schema);
    dsgi_free(w);
}

static dsg_status write_bytes(dsg_parquet_writer *w, const void *p, size_t n, dsg_error *err)
{
    DSGI_FORWARD(w->sink->ops->write(w->sink, p, n, err));
    w->offset += n;
    return DSG_OK;
}

static dsg_status open_inner(dsg_parquet_writer *w, const dsg_field *fields, size_t n_fields,
                             const dsg_parquet_options *opt, dsg_error *err)
{
    DSGI_FORWARD(check_options(opt, err));
    DSGI_RETURN_IF(n_fields == 0 || fields == NULL, err, DSG_EINVAL, "a Parquet file needs at least one column");
    for (size_t i = 0; i < n_fields; i++) {
        DSGI_FORWARD(check_field(&fields[i], 0, err));
        for (size_t j = 0; j < i; j++)
            DSGI_RETURN_IF(strcmp(fields[i].name, fields[j].name) == 0, err, DSG_EINVAL,
                           "two columns are named %s", fields[i].name);
    }
    w->opt = *opt;
    w->opt.metadata = NULL;
    w->n_kv = 0;
    if (opt->n_metadata) {
        w->kv = dsgi_calloc(opt->n_metadata, sizeof *w->kv);
        DSGI_RETURN_IF(w->kv == NULL, err, DSG_ENOMEM, "out of memory (metadata)");
        for (size_t i = 0; i < opt->n_metadata; i++) {
            w->kv[i].key = dsgi_strdup(opt->metadata[i].key);
            w->kv[i].value = dsgi_strdup(opt->metadata[i].value);
            w->n_kv++;
            DSGI_RETURN_IF(w->kv[i].key == NULL || w->kv[i].value == NULL, err, DSG_ENOMEM,
                           "out of memory (metadata)");
        }
    }
    DSGI_FORWARD(dsgi_codec_create(&w->ctx.codec, opt->codec, opt->level, err));
    w->ctx.page_bytes = opt->page_bytes;
    w->ctx.dict_bytes = opt->dict_bytes;
    dsgi_buf_init(&w->ctx.scratch.body, PQ_MAX_PAGE_BYTES * 2);
    dsgi_buf_init(&w->ctx.scratch.packed, PQ_MAX_PAGE_BYTES * 2);
    dsgi_buf_init(&w->ctx.scratch.header, 1 << 20);
    dsgi_buf_init(&w->schema, (size_t)1 << 30);

    w->roots = dsgi_calloc(n_fields, sizeof *w->roots);
    DSGI_RETURN_IF(w->roots == NULL, err, DSG_ENOMEM, "out of memory (schema)");
    w->n_roots = n_fields;
    dsgi_thrift t;
    dsgi_thrift_init(&t, &w->schema, err);
    char *path[MAX_DEPTH * 2 + 4];
    for (size_t i = 0; i < n_fields; i++)
        DSGI_FORWARD(build_node(w, &t, &w->roots[i], &fields[i], NULL, path, 0, 0, 0, err));
    DSGI_FORWARD(t.status);
    w->shred = dsgi_calloc(w->n_leaves, sizeof *w->shred);
    DSGI_RETURN_IF(w->shred == NULL, err, DSG_ENOMEM, "out of memory (schema)");
    return write_bytes(w, "PAR1", 4, err);
}

dsg_status dsg_parquet_writer_open(dsg_parquet_writer **out, dsg_sink *sink, const dsg_field *fields,
                                   size_t n_fields, const dsg_parquet_options *opt, dsg_error *err)
{
    if (sink == NULL)
        return dsgi_fail(err, DSG_EINVAL, "no sink given to the Parquet writer");
    dsg_parquet_writer *w = dsgi_calloc(1, sizeof *w);
    if (w == NULL) {
        sink->ops->abort(sink);
        dsg_sink_free(sink);
        return dsgi_fail(err, DSG_ENOMEM, "out of memory (Parquet writer)");
    }
    w->sink = sink;
    dsg_parquet_options defaults;
    if (opt == NULL) {
        dsg_parquet_options_init(&defaults);
        opt = &defaults;
    }
    dsg_status st = open_inner(w, fields, n_fields, opt, err);
    if (st != DSG_OK) {
        dsg_parquet_writer_free(w);
        return st;
    }
    w->state = W_OPEN;
    *out = w;
    return DSG_OK;
}

/* ---- input validation ---- */

static dsg_status check_array(const pq_node *n, const dsg_array *a, size_t length, const char *name,
                              dsg_error *err)
{
    DSGI_RETURN_IF(a == NULL, err, DSG_ETYPE, "column %s: no array given", name);
    DSGI_RETURN_IF(a->type != n->type, err, DSG_ETYPE, "column %s holds %s values, not %s", name,
                   type_name(n->type), type_name(a->type));
    DSGI_RETURN_IF(a->length < length, err, DSG_ETYPE, "column %s has %zu values, fewer than the %zu expected",
                   name, a->length, length);
    DSGI_RETURN_IF(length >= UINT32_MAX, err, DSG_EINVAL, "column %s: too many values in one call", name);
    DSGI_RETURN_IF(a->valid != NULL && !(n->flags & DSG_FIELD_NULLABLE) &&
                       memchr(a->valid, 0, length) != NULL,
                   err, DSG_ETYPE, "column %s is not nullable but has null values", name);
    if (n->type == DSG_NULL) {
        DSGI_RETURN_IF(length > 0 && (a->valid == NULL || memchr(a->valid, 1, length) != NULL) , err,
                       DSG_ETYPE, "column %s has the null type but non-null values", name);
        return DSG_OK;
    }
    int bytes = n->type == DSG_STRING || n->type == DSG_BINARY;
    if (is_primitive(n->type) && !bytes) {
        DSGI_RETURN_IF(length > 0 && a->values == NULL, err, DSG_ETYPE, "column %s has no values", name);
        return DSG_OK;
    }
    if (bytes || n->type == DSG_LIST || n->type == DSG_MAP) {
        DSGI_RETURN_IF(a->offsets == NULL, err, DSG_ETYPE, "column %s has no offsets", name);
        DSGI_RETURN_IF(a->offsets[0] < 0, err, DSG_ETYPE, "column %s: offsets start below zero", name);
        for (size_t i = 0; i < length; i++)
            DSGI_RETURN_IF(a->offsets[i + 1] < a->offsets[i], err, DSG_ETYPE,
                           "column %s: offsets decrease at slot %zu", name, i);
        if (bytes) {
            DSGI_RETURN_IF(a->offsets[length] > 0 && a->data == NULL, err, DSG_ETYPE,
                           "column %s has no string data", name);
            return DSG_OK;
        }
        if (n->type == DSG_MAP) {
            DSGI_RETURN_IF(a->children == NULL, err, DSG_ETYPE, "map column %s has no key and value arrays",
                           name);
            size_t entries = (size_t)a->offsets[length];
            DSGI_RETURN_IF(a->children[0].valid != NULL && memchr(a->children[0].valid, 0, entries) != NULL,
                           err, DSG_ETYPE, "map column %s has a null key", name);
            DSGI_FORWARD(check_array(&n->children[0], &a->children[0], entries, name, err));
            return check_array(&n->children[1], &a->children[1], entries, name, err);
        }
        DSGI_RETURN_IF(a->children == NULL, err, DSG_ETYPE, "list column %s has no element array", name);
        return check_array(&n->children[0], &a->children[0], (size_t)a->offsets[length], name, err);
    }
    DSGI_RETURN_IF(a->children == NULL, err, DSG_ETYPE, "struct column %s has no member arrays", name);
    for (size_t i = 0; i < n->n_children; i++)
        DSGI_FORWARD(check_array(&n->children[i], &a->children[i], length, n->children[i].name, err));
    return DSG_OK;
}

/* ---- shredding ---- */

static dsg_status shred_reserve(shred_buf *s, dsg_error *err)
{
    if (s->n < s->cap)
        return DSG_OK;
    size_t cap = s->cap ? s->cap * 2 : 4096;
    uint16_t *d = dsgi_realloc(s->def, cap * sizeof *d);
    if (d != NULL)
        s->def = d;
    uint16_t *r = d ? dsgi_realloc(s->rep, cap * sizeof *r) : NULL;
    if (r != NULL)
        s->rep = r;
    DSGI_RETURN_IF(d == NULL || r == NULL, err, DSG_ENOMEM, "out of memory (levels)");
    s->cap = cap;
    return DSG_OK;
}

static dsg_status emit(dsg_parquet_writer *w, size_t leaf, int16_t def, int16_t rep, int has_value,
                       size_t index, dsg_error *err)
{
    shred_buf *s = &w->shred[leaf];
    DSGI_FORWARD(shred_reserve(s, err));
    s->def[s->n] = (uint16_t)def;
    s->rep[s->n] = (uint16_t)rep;
    s->n++;
    if (has_value) {
        if (s->n_pos == s->pos_cap) {
            size_t cap = s->pos_cap ? s->pos_cap * 2 : 4096;
            uint32_t *p = dsgi_realloc(s->pos, cap * sizeof *p);
            DSGI_RETURN_IF(p == NULL, err, DSG_ENOMEM, "out of memory (levels)");
            s->pos = p;
            s->pos_cap = cap;
        }
        s->pos[s->n_pos++] = (uint32_t)index;
    }
    return DSG_OK;
}

static dsg_status emit_null(dsg_parquet_writer *w, const pq_node *n, int16_t def, int16_t rep,
                            dsg_error *err)
{
    for (size_t l = n->leaf_begin; l < n->leaf_end; l++)
        DSGI_FORWARD(emit(w, l, def, rep, 0, 0, err));
    return DSG_OK;
}

static dsg_status visit(dsg_parquet_writer *w, const pq_node *n, const dsg_array *a, size_t i,
                        int16_t def, int16_t rep, dsg_error *err)
{
    int nullable = (n->flags & DSG_FIELD_NULLABLE) != 0;
    if (nullable && a->valid != NULL && !a->valid[i])
        return emit_null(w, n, def, rep, err);
    int16_t d = (int16_t)(def + nullable);
    if (is_primitive(n->type)) {
        assert(d == w->leaves[n->leaf_begin].max_def);
        return emit(w, n->leaf_begin, d, rep, 1, i, err);
    }
    if (n->type == DSG_STRUCT) {
        for (size_t c = 0; c < n->n_children; c++)
            DSGI_FORWARD(visit(w, &n->children[c], &a->children[c], i, d, rep, err));
        return DSG_OK;
    }
    size_t b = (size_t)a->offsets[i], e = (size_t)a->offsets[i + 1];
    if (b == e)
        return emit_null(w, n, d, rep, err);
    if (n->type == DSG_MAP) { /* key_value is a required group of key, value */
        for (size_t k = b; k < e; k++)
            for (size_t c = 0; c < 2; c++)
                DSGI_FORWARD(visit(w, &n->children[c], &a->children[c], k, (int16_t)(d + 1),
                                   k == b ? rep : n->rep_list, err));
        return DSG_OK;
    }
    for (size_t k = b; k < e; k++)
        DSGI_FORWARD(visit(w, &n->children[0], &a->children[0], k, (int16_t)(d + 1),
                           k == b ? rep : n->rep_list, err));
    return DSG_OK;
}

static void bind_arrays(dsg_parquet_writer *w, const pq_node *n, const dsg_array *a)
{
    if (is_primitive(n->type)) {
        w->shred[n->leaf_begin].array = a;
        return;
    }
    for (size_t c = 0; c < n->n_children; c++)
        bind_arrays(w, &n->children[c], &a->children[c]);
}

static dsg_status write_column(dsg_parquet_writer *w, const pq_node *n, const dsg_array *a, size_t r0,
                               size_t r1, dsg_error *err)
{
    size_t rows = r1 - r0;
    if (is_primitive(n->type)) {
        pq_leaf *l = &w->leaves[n->leaf_begin];
        const uint16_t *def = NULL;
        if (l->max_def > 0 && a->valid != NULL) {
            if (w->flat_def_cap < rows) {
                uint16_t *p = dsgi_realloc(w->flat_def, rows * sizeof *p);
                DSGI_RETURN_IF(p == NULL, err, DSG_ENOMEM, "out of memory (levels)");
                w->flat_def = p;
                w->flat_def_cap = rows;
            }
            for (size_t i = 0; i < rows; i++)
                w->flat_def[i] = a->valid[r0 + i] != 0;
            def = w->flat_def;
        }
        pq_values v = {a, NULL, r0};
        return pq_leaf_append(&w->ctx, l, def, NULL, rows, &v, err);
    }
    for (size_t l = n->leaf_begin; l < n->leaf_end; l++)
        w->shred[l].n = w->shred[l].n_pos = 0;
    bind_arrays(w, n, a);
    for (size_t i = r0; i < r1; i++)
        DSGI_FORWARD(visit(w, n, a, i, 0, 0, err));
    for (size_t l = n->leaf_begin; l < n->leaf_end; l++) {
        shred_buf *s = &w->shred[l];
        pq_leaf *leaf = &w->leaves[l];
        pq_values v = {s->array, s->pos, 0};
        DSGI_FORWARD(pq_leaf_append(&w->ctx, leaf, leaf->max_def ? s->def : NULL,
                                    leaf->max_rep ? s->rep : NULL, s->n, &v, err));
    }
    return DSG_OK;
}

/* ---- row groups ---- */

static dsg_status flush_row_group(dsg_parquet_writer *w, dsg_error *err)
{
    if (w->rg_rows == 0)
        return DSG_OK;
    if (w->n_groups == w->groups_cap) {
        size_t cap = w->groups_cap ? w->groups_cap * 2 : 8;
        pq_row_group *g = dsgi_realloc(w->groups, cap * sizeof *g);
        DSGI_RETURN_IF(g == NULL, err, DSG_ENOMEM, "out of memory (row groups)");
        w->groups = g;
        w->groups_cap = cap;
    }
    pq_row_group *g = &w->groups[w->n_groups];
    memset(g, 0, sizeof *g);
    g->chunks = dsgi_calloc(w->n_leaves, sizeof *g->chunks);
    DSGI_RETURN_IF(g->chunks == NULL, err, DSG_ENOMEM, "out of memory (row groups)");
    w->n_groups++;
    g->num_rows = (int64_t)w->rg_rows;
    for (size_t i = 0; i < w->n_leaves; i++) {
        pq_chunk_meta *m = &g->chunks[i];
        int64_t start = (int64_t)w->offset;
        DSGI_FORWARD(pq_leaf_flush(&w->ctx, &w->leaves[i], w->sink, start, m, err));
        w->offset += (uint64_t)m->total_compressed;
        if (i == 0)
            g->file_offset = start;
        g->total_byte_size += m->total_uncompressed;
        g->total_compressed += m->total_compressed;
    }
    w->rg_rows = 0;
    return DSG_OK;
}

static size_t row_group_estimate(const dsg_parquet_writer *w)
{
    size_t n = 0;
    for (size_t i = 0; i < w->n_leaves; i++)
        n += pq_leaf_estimate(&w->leaves[i]);
    return n;
}

static dsg_status write_inner(dsg_parquet_writer *w, const dsg_array *columns, size_t n_rows,
                              dsg_error *err)
{
    size_t done = 0;
    while (done < n_rows) {
        size_t piece = DSGI_MIN(n_rows - done, (size_t)PIECE_ROWS);
        piece = DSGI_MIN(piece, w->opt.row_group_rows - w->rg_rows);
        for (size_t c = 0; c < w->n_roots; c++)
            DSGI_FORWARD(write_column(w, &w->roots[c], &columns[c], done, done + piece, err));
        done += piece;
        w->rg_rows += piece;
        w->rows += piece;
        if (w->rg_rows >= w->opt.row_group_rows || row_group_estimate(w) >= w->opt.row_group_bytes)
            DSGI_FORWARD(flush_row_group(w, err));
    }
    return DSG_OK;
}

dsg_status dsg_parquet_writer_write(dsg_parquet_writer *w, const dsg_array *columns, size_t n_rows,
                                    dsg_error *err)
{
    DSGI_RETURN_IF(w == NULL, err, DSG_EINVAL, "no Parquet writer given");
    DSGI_RETURN_IF(w->state == W_CLOSED, err, DSG_ESTATE, "write to a Parquet writer after close");
    DSGI_RETURN_IF(w->state == W_FAILED, err, DSG_ESTATE, "write to a Parquet writer that failed earlier");
    if (n_rows == 0)
        return DSG_OK;
    DSGI_RETURN_IF(columns == NULL, err, DSG_EINVAL, "no columns given");
    /* Arrays that do not match the schema are refused before anything is
     * encoded: the writer stays usable. Any later failure leaves it failed. */
    for (size_t c = 0; c < w->n_roots; c++)
        DSGI_FORWARD(check_array(&w->roots[c], &columns[c], n_rows, w->roots[c].name, err));
    dsg_status st = write_inner(w, columns, n_rows, err);
    if (st != DSG_OK) {
        w->state = W_FAILED;
        w->sink->ops->abort(w->sink);
    }
    return st;
}

/* ---- footer ---- */

static int codec_id(dsg_codec c)
{
    switch (c) {
    case DSG_CODEC_NONE: return 0;
    case DSG_CODEC_SNAPPY: return 1;
    case DSG_CODEC_GZIP: return 2;
    case DSG_CODEC_BROTLI: return 4;
    case DSG_CODEC_ZSTD: return 6;
    case DSG_CODEC_LZ4_RAW: return 7;
    }
    return 0;
}

static void column_chunk(dsg_parquet_writer *w, dsgi_thrift *t, const pq_leaf *l, const pq_chunk_meta *m)
{
    dsgi_thrift_struct_begin(t);
    dsgi_thrift_field_i64(t, 2, m->dictionary_page_offset >= 0 ? m->dictionary_page_offset : m->data_page_offset);
    dsgi_thrift_field(t, 3, DSGI_TT_STRUCT);
    dsgi_thrift_struct_begin(t);
    dsgi_thrift_field_i32(t, 1, l->phys);
    int encs[3], n_enc = 0;
    if (m->enc_plain)
        encs[n_enc++] = PQ_ENC_PLAIN;
    if (m->enc_rle)
        encs[n_enc++] = PQ_ENC_RLE;
    if (m->enc_dict)
        encs[n_enc++] = PQ_ENC_RLE_DICTIONARY;
    dsgi_thrift_field(t, 2, DSGI_TT_LIST);
    dsgi_thrift_list_begin(t, DSGI_TT_I32, (uint32_t)n_enc);
    for (int i = 0; i < n_enc; i++)
        dsgi_thrift_i32(t, encs[i]);
    dsgi_thrift_field(t, 3, DSGI_TT_LIST);
    dsgi_thrift_list_begin(t, DSGI_TT_BINARY, (uint32_t)l->path_len);
    for (size_t i = 0; i < l->path_len; i++)
        dsgi_thrift_binary(t, l->path[i], strlen(l->path[i]));
    dsgi_thrift_field_i32(t, 4, codec_id(w->opt.codec));
    dsgi_thrift_field_i64(t, 5, m->num_values);
    dsgi_thrift_field_i64(t, 6, m->total_uncompressed);
    dsgi_thrift_field_i64(t, 7, m->total_compressed);
    dsgi_thrift_field_i64(t, 9, m->data_page_offset);
    if (m->dictionary_page_offset >= 0)
        dsgi_thrift_field_i64(t, 11, m->dictionary_page_offset);
    pq_write_statistics(t, 12, &m->stats);
    /* encoding_stats: how many pages use which encoding */
    int n_es = (m->dictionary_page_offset >= 0) + (m->dict_data_pages > 0) + (m->plain_data_pages > 0);
    dsgi_thrift_field(t, 13, DSGI_TT_LIST);
    dsgi_thrift_list_begin(t, DSGI_TT_STRUCT, (uint32_t)n_es);
    const struct { int type, enc; uint32_t count; } es[3] = {
        {PQ_PAGE_DICTIONARY, PQ_ENC_PLAIN, m->dictionary_page_offset >= 0 ? 1u : 0u},
        {PQ_PAGE_DATA, PQ_ENC_RLE_DICTIONARY, m->dict_data_pages},
        {PQ_PAGE_DATA, PQ_ENC_PLAIN, m->plain_data_pages},
    };
    for (int i = 0; i < 3; i++) {
        if (es[i].count == 0)
            continue;
        dsgi_thrift_struct_begin(t);
        dsgi_thrift_field_i32(t, 1, es[i].type);
        dsgi_thrift_field_i32(t, 2, es[i].enc);
        dsgi_thrift_field_i32(t, 3, (int32_t)es[i].count);
        dsgi_thrift_struct_end(t);
    }
    dsgi_thrift_struct_end(t); /* ColumnMetaData */
    if (w->opt.page_index) {
        dsgi_thrift_field_i64(t, 4, m->offset_index_offset);
        dsgi_thrift_field_i32(t, 5, (int32_t)m->offset_index.len);
        if (m->column_index.len) {
            dsgi_thrift_field_i64(t, 6, m->column_index_offset);
            dsgi_thrift_field_i32(t, 7, (int32_t)m->column_index.len);
        }
    }
    dsgi_thrift_struct_end(t);
}

static dsg_status write_footer(dsg_parquet_writer *w, dsg_error *err)
{
    if (w->opt.page_index) {
        for (size_t g = 0; g < w->n_groups; g++)
            for (size_t i = 0; i < w->n_leaves; i++) {
                pq_chunk_meta *m = &w->groups[g].chunks[i];
                if (m->column_index.len == 0)
                    continue;
                m->column_index_offset = (int64_t)w->offset;
                DSGI_FORWARD(write_bytes(w, m->column_index.data, m->column_index.len, err));
            }
        for (size_t g = 0; g < w->n_groups; g++)
            for (size_t i = 0; i < w->n_leaves; i++) {
                pq_chunk_meta *m = &w->groups[g].chunks[i];
                m->offset_index_offset = (int64_t)w->offset;
                DSGI_FORWARD(write_bytes(w, m->offset_index.data, m->offset_index.len, err));
            }
    }
    dsgi_buf b;
    dsgi_buf_init(&b, (size_t)1 << 31);
    dsgi_thrift t;
    dsgi_thrift_init(&t, &b, err);
    dsgi_thrift_struct_begin(&t);
    dsgi_thrift_field_i32(&t, 1, 1);
    dsgi_thrift_field(&t, 2, DSGI_TT_LIST);
    dsgi_thrift_list_begin(&t, DSGI_TT_STRUCT, w->n_schema + 1);
    dsgi_thrift_struct_begin(&t);
    dsgi_thrift_field_string(&t, 4, "schema");
    dsgi_thrift_field_i32(&t, 5, (int32_t)w->n_roots);
    dsgi_thrift_struct_end(&t);
    if (t.status == DSG_OK)
        t.status = dsgi_buf_append(&b, w->schema.data, w->schema.len, err);
    dsgi_thrift_field_i64(&t, 3, (int64_t)w->rows);
    dsgi_thrift_field(&t, 4, DSGI_TT_LIST);
    dsgi_thrift_list_begin(&t, DSGI_TT_STRUCT, (uint32_t)w->n_groups);
    for (size_t g = 0; g < w->n_groups; g++) {
        const pq_row_group *rg = &w->groups[g];
        dsgi_thrift_struct_begin(&t);
        dsgi_thrift_field(&t, 1, DSGI_TT_LIST);
        dsgi_thrift_list_begin(&t, DSGI_TT_STRUCT, (uint32_t)w->n_leaves);
        for (size_t i = 0; i < w->n_leaves; i++)
            column_chunk(w, &t, &w->leaves[i], &rg->chunks[i]);
        dsgi_thrift_field_i64(&t, 2, rg->total_byte_size);
        dsgi_thrift_field_i64(&t, 3, rg->num_rows);
        dsgi_thrift_field_i64(&t, 5, rg->file_offset);
        dsgi_thrift_field_i64(&t, 6, rg->total_compressed);
        dsgi_thrift_field_i16(&t, 7, (int16_t)g);
        dsgi_thrift_struct_end(&t);
    }
    if (w->n_kv) {
        dsgi_thrift_field(&t, 5, DSGI_TT_LIST);
        dsgi_thrift_list_begin(&t, DSGI_TT_STRUCT, (uint32_t)w->n_kv);
        for (size_t i = 0; i < w->n_kv; i++) {
            dsgi_thrift_struct_begin(&t);
            dsgi_thrift_field_string(&t, 1, w->kv[i].key);
            dsgi_thrift_field_string(&t, 2, w->kv[i].value);
            dsgi_thrift_struct_end(&t);
        }
    }
    char created_by[128];
    snprintf(created_by, sizeof created_by, "dataset-generator version %s (build %s)", dsg_version(),
             dsg_build_id());
    dsgi_thrift_field_string(&t, 6, created_by);
    dsgi_thrift_field(&t, 7, DSGI_TT_LIST);
    dsgi_thrift_list_begin(&t, DSGI_TT_STRUCT, (uint32_t)w->n_leaves);
    for (size_t i = 0; i < w->n_leaves; i++) {
        dsgi_thrift_struct_begin(&t);
        dsgi_thrift_field_empty_struct(&t, 1); /* TYPE_ORDER */
        dsgi_thrift_struct_end(&t);
    }
    dsgi_thrift_struct_end(&t);
    dsg_status st = t.status;
    if (st == DSG_OK && b.len > UINT32_MAX)
        st = dsgi_fail(err, DSG_EINVAL, "the footer would exceed 4 GiB");
    uint8_t tail[8];
    dsgi_store_le32(tail, (uint32_t)b.len);
    memcpy(tail + 4, "PAR1", 4);
    if (st == DSG_OK)
        st = write_bytes(w, b.data, b.len, err);
    if (st == DSG_OK)
        st = write_bytes(w, tail, 8, err);
    dsgi_buf_free(&b);
    return st;
}

/* The file-level statistics of every leaf, for table formats; built
 * before the commit so that a closed writer always has them. */
static dsg_status build_column_stats(dsg_parquet_writer *w, dsg_error *err)
{
    w->col_stats = dsgi_calloc(w->n_leaves, sizeof *w->col_stats);
    DSGI_RETURN_IF(w->col_stats == NULL, err, DSG_ENOMEM, "out of memory (column statistics)");
    for (size_t i = 0; i < w->n_leaves; i++) {
        pq_leaf *l = &w->leaves[i];
        dsg_column_stats *c = &w->col_stats[i];
        pq_leaf_file_finish(l);
        c->path = (const char *const *)l->path;
        c->path_len = l->path_len;
        c->field = l->field;
        c->field_id = l->field_id;
        c->values = l->file_levels;
        c->nulls = l->file_stats.nulls;
        c->nans = l->file_nans;
        c->has_minmax = l->file_stats.has_minmax;
        if (c->has_minmax) {
            /* an empty string has no buffer: point at an empty one */
            c->min = l->file_stats.min.data ? l->file_stats.min.data : (const uint8_t *)"";
            c->min_len = l->file_stats.min.len;
            c->max = l->file_stats.max.data ? l->file_stats.max.data : (const uint8_t *)"";
            c->max_len = l->file_stats.max.len;
        }
    }
    return DSG_OK;
}

dsg_status dsg_parquet_writer_column_stats(const dsg_parquet_writer *w, const dsg_column_stats **cols,
                                           size_t *n, dsg_error *err)
{
    DSGI_RETURN_IF(w == NULL, err, DSG_EINVAL, "no Parquet writer given");
    DSGI_RETURN_IF(w->state != W_CLOSED, err, DSG_ESTATE,
                   "column statistics are only known after a successful close");
    *cols = w->col_stats;
    *n = w->n_leaves;
    return DSG_OK;
}

dsg_status dsg_parquet_writer_close(dsg_parquet_writer *w, dsg_error *err)
{
    DSGI_RETURN_IF(w == NULL, err, DSG_EINVAL, "no Parquet writer given");
    DSGI_RETURN_IF(w->state != W_OPEN, err, DSG_ESTATE,
                   w->state == W_CLOSED ? "Parquet writer closed twice" : "close of a Parquet writer that failed earlier");
    dsg_status st = flush_row_group(w, err);
    if (st == DSG_OK)
        st = write_footer(w, err);
    if (st == DSG_OK)
        st = build_column_stats(w, err);
    if (st == DSG_OK)
        st = w->sink->ops->commit(w->sink, err);
    w->state = st == DSG_OK ? W_CLOSED : W_FAILED;
    if (st != DSG_OK)
        w->sink->ops->abort(w->sink);
    return st;
}

uint64_t dsg_parquet_writer_rows(const dsg_parquet_writer *w) { return w->rows; }
uint64_t dsg_parquet_writer_bytes(const dsg_parquet_writer *w) { return w->offset; }
