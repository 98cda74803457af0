/*
 * avro.c - Avro object container files: schema compilation (jansson),
 * binary encoding and decoding of generic values, deflate blocks (zlib).
 *
 * File layout written (Avro 1.11 "Object Container Files"):
 *   "Obj" 0x01, header metadata as an Avro map<bytes> (avro.schema,
 *   avro.codec, then the caller's keys), 16-byte sync marker, then blocks of
 *   (record count as long, payload byte length as long, payload, sync).
 * A block is flushed when its encoded records reach BLOCK_BYTES.
 *
 * Invariants: every length read from a file is checked against the bytes
 * that remain before it is used; decoding recursion is bounded by the
 * schema's depth, which the schema parser bounds by MAX_DEPTH.
 */
#include "table/avro.h"

#include <assert.h>
#include <jansson.h>
#include <stdalign.h>
#include <zlib.h>

#define BLOCK_BYTES (1u << 20)
#define MAX_DEPTH 64
#define FILE_MAX ((size_t)1 << 34)

/* ------------------------------------------------------------------ */
/* Arena                                                               */
/* ------------------------------------------------------------------ */

struct dsgt_arena_chunk {
    dsgt_arena_chunk *next;
    size_t cap;
    alignas(max_align_t) unsigned char data[];
};

void dsgt_arena_init(dsgt_arena *a) { memset(a, 0, sizeof *a); }

void dsgt_arena_free(dsgt_arena *a)
{
    dsgt_arena_chunk *c = a->head;
    while (c) {
        dsgt_arena_chunk *next = c->next;
        dsgi_free(c);
        c = next;
    }
    memset(a, 0, sizeof *a);
}

void *dsgt_arena_alloc(dsgt_arena *a, size_t size)
{
    const size_t align = alignof(max_align_t);
    size = (size + align - 1) & ~(align - 1);
    if (size == 0)
        size = align;
    if (!a->head || a->cap - a->used < size) {
        size_t cap = size > 32768 ? size : 32768;
        dsgt_arena_chunk *c = dsgi_malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->next = a->head;
        c->cap = cap;
        a->head = c;
        a->used = 0;
        a->cap = cap;
    }
    void *p = a->head->data + a->used;
    a->used += size;
    memset(p, 0, size);
    return p;
}

char *dsgt_arena_strndup(dsgt_arena *a, const char *s, size_t n)
{
    char *p = dsgt_arena_alloc(a, n + 1);
    if (p && n)
        memcpy(p, s, n);
    return p;
}

/* ------------------------------------------------------------------ */
/* Schemas                                                             */
/* ------------------------------------------------------------------ */

typedef struct parser {
    dsgt_arena *arena;
    dsg_error *err;
    dsgt_avro_schema **named; /* named types seen so far */
    size_t n_named, cap_named;
} parser;

static const struct {
    const char *name;
    dsgt_avro_type type;
} primitives[] = {
    {"null", DSGT_AVRO_NULL},     {"boolean", DSGT_AVRO_BOOLEAN}, {"int", DSGT_AVRO_INT},
    {"long", DSGT_AVRO_LONG},     {"float", DSGT_AVRO_FLOAT},     {"double", DSGT_AVRO_DOUBLE},
    {"bytes", DSGT_AVRO_BYTES},   {"string", DSGT_AVRO_STRING},
};

static dsg_status oom(dsg_error *err) { return dsgi_fail(err, DSG_ENOMEM, "out of memory"); }

static dsg_status add_named(parser *ps, dsgt_avro_schema *s)
{
    if (ps->n_named == ps->cap_named) {
        size_t cap = ps->cap_named ? ps->cap_named * 2 : 16;
        dsgt_avro_schema **n = dsgi_realloc(ps->named, cap * sizeof *n);
        if (!n)
            return oom(ps->err);
        ps->named = n;
        ps->cap_named = cap;
    }
    ps->named[ps->n_named++] = s;
    return DSG_OK;
}

static dsg_status parse_node(parser *ps, json_t *j, int depth, const dsgt_avro_schema **out);

static dsg_status parse_name_ref(parser *ps, const char *name, const dsgt_avro_schema **out)
{
    for (size_t i = 0; i < sizeof primitives / sizeof primitives[0]; i++) {
        if (strcmp(name, primitives[i].name) == 0) {
            dsgt_avro_schema *s = dsgt_arena_alloc(ps->arena, sizeof *s);
            if (!s)
                return oom(ps->err);
            s->type = primitives[i].type;
            *out = s;
            return DSG_OK;
        }
    }
    for (size_t i = 0; i < ps->n_named; i++) {
        const char *n = ps->named[i]->name;
        const char *dot = strrchr(name, '.');
        if (strcmp(n, name) == 0 || (dot && strcmp(n, dot + 1) == 0)) {
            *out = ps->named[i];
            return DSG_OK;
        }
    }
    return dsgi_fail(ps->err, DSG_EINVAL, "Avro schema refers to unknown type \"%s\"", name);
}

static dsg_status parse_object(parser *ps, json_t *j, int depth, const dsgt_avro_schema **out)
{
    dsg_error *err = ps->err;
    const char *type = json_string_value(json_object_get(j, "type"));
    if (!type) {
        json_t *t = json_object_get(j, "type");
        DSGI_RETURN_IF(!t, err, DSG_EINVAL, "Avro schema object without \"type\"");
        return parse_node(ps, t, depth + 1, out);
    }
    dsgt_avro_schema *s = dsgt_arena_alloc(ps->arena, sizeof *s);
    if (!s)
        return oom(err);
    const char *name = json_string_value(json_object_get(j, "name"));
    if (strcmp(type, "record") == 0 || strcmp(type, "error") == 0) {
        DSGI_RETURN_IF(!name, err, DSG_EINVAL, "Avro record without a name");
        s->type = DSGT_AVRO_RECORD;
        s->name = dsgt_arena_strndup(ps->arena, name, strlen(name));
        if (!s->name)
            return oom(err);
        DSGI_FORWARD(add_named(ps, s));
        json_t *fields = json_object_get(j, "fields");
        DSGI_RETURN_IF(!json_is_array(fields), err, DSG_EINVAL,
                       "Avro record %s without a fields array", name);
        size_t n = json_array_size(fields);
        dsgt_avro_field *fs = dsgt_arena_alloc(ps->arena, (n ? n : 1) * sizeof *fs);
        if (!fs)
            return oom(err);
        for (size_t i = 0; i < n; i++) {
            json_t *f = json_array_get(fields, i);
            const char *fname = json_string_value(json_object_get(f, "name"));
            json_t *ft = json_object_get(f, "type");
            DSGI_RETURN_IF(!fname || !ft, err, DSG_EINVAL,
                           "Avro record %s has a field without name or type", name);
            fs[i].name = dsgt_arena_strndup(ps->arena, fname, strlen(fname));
            if (!fs[i].name)
                return oom(err);
            json_t *id = json_object_get(f, "field-id");
            fs[i].field_id = json_is_integer(id) ? (int32_t)json_integer_value(id) : -1;
            DSGI_FORWARD(parse_node(ps, ft, depth + 1, &fs[i].schema));
        }
        s->fields = fs;
        s->n = n;
    } else if (strcmp(type, "enum") == 0) {
        DSGI_RETURN_IF(!name, err, DSG_EINVAL, "Avro enum without a name");
        s->type = DSGT_AVRO_ENUM;
        s->name = dsgt_arena_strndup(ps->arena, name, strlen(name));
        if (!s->name)
            return oom(err);
        s->n = json_array_size(json_object_get(j, "symbols"));
        DSGI_FORWARD(add_named(ps, s));
    } else if (strcmp(type, "fixed") == 0) {
        json_t *size = json_object_get(j, "size");
        DSGI_RETURN_IF(!name || !json_is_integer(size) || json_integer_value(size) < 0, err,
                       DSG_EINVAL, "Avro fixed without a name or size");
        s->type = DSGT_AVRO_FIXED;
        s->name = dsgt_arena_strndup(ps->arena, name, strlen(name));
        if (!s->name)
            return oom(err);
        s->fixed_size = (size_t)json_integer_value(size);
        DSGI_FORWARD(add_named(ps, s));
    } else if (strcmp(type, "array") == 0) {
        json_t *items = json_object_get(j, "items");
        DSGI_RETURN_IF(!items, err, DSG_EINVAL, "Avro array without items");
        s->type = DSGT_AVRO_ARRAY;
        DSGI_FORWARD(parse_node(ps, items, depth + 1, &s->items));
    } else if (strcmp(type, "map") == 0) {
        json_t *values = json_object_get(j, "values");
        DSGI_RETURN_IF(!values, err, DSG_EINVAL, "Avro map without values");
        s->type = DSGT_AVRO_MAP;
        DSGI_FORWARD(parse_node(ps, values, depth + 1, &s->items));
    } else {
        /* a primitive with attributes (logicalType, adjust-to-utc) */
        const dsgt_avro_schema *p;
        DSGI_FORWARD(parse_name_ref(ps, type, &p));
        *out = p;
        return DSG_OK;
    }
    *out = s;
    return DSG_OK;
}

static dsg_status parse_node(parser *ps, json_t *j, int depth, const dsgt_avro_schema **out)
{
    DSGI_RETURN_IF(depth > MAX_DEPTH, ps->err, DSG_EINVAL, "Avro schema nested too deeply");
    if (json_is_string(j))
        return parse_name_ref(ps, json_string_value(j), out);
    if (json_is_object(j))
        return parse_object(ps, j, depth, out);
    if (json_is_array(j)) {
        size_t n = json_array_size(j);
        DSGI_RETURN_IF(n == 0, ps->err, DSG_EINVAL, "Avro union without branches");
        dsgt_avro_schema *s = dsgt_arena_alloc(ps->arena, sizeof *s);
        const dsgt_avro_schema **br = dsgt_arena_alloc(ps->arena, n * sizeof *br);
        if (!s || !br)
            return oom(ps->err);
        for (size_t i = 0; i < n; i++) {
            DSGI_FORWARD(parse_node(ps, json_array_get(j, i), depth + 1, &br[i]));
            DSGI_RETURN_IF(br[i]->type == DSGT_AVRO_UNION, ps->err, DSG_EINVAL,
                           "Avro union directly inside a union");
        }
        s->type = DSGT_AVRO_UNION;
        s->branches = br;
        s->n = n;
        *out = s;
        return DSG_OK;
    }
    return dsgi_fail(ps->err, DSG_EINVAL, "Avro schema node is neither a name, an object nor a union");
}

dsg_status dsgt_avro_schema_parse(dsgt_arena *arena, const char *json, size_t len,
                                  const dsgt_avro_schema **out, dsg_error *err)
{
    json_error_t jerr;
    json_t *root = json_loadb(json, len, JSON_DECODE_ANY, &jerr);
    DSGI_RETURN_IF(!root, err, DSG_EINVAL, "Avro schema is not valid JSON (%s)", jerr.text);
    parser ps = {arena, err, NULL, 0, 0};
    const dsgt_avro_schema *s = NULL;
    dsg_status st = parse_node(&ps, root, 0, &s);
    dsgi_free(ps.named);
    json_decref(root);
    if (st == DSG_OK)
        *out = s;
    return st;
}

const dsgt_avro_field *dsgt_avro_field_find(const dsgt_avro_schema *record, const char *name)
{
    if (!record || record->type != DSGT_AVRO_RECORD)
        return NULL;
    for (size_t i = 0; i < record->n; i++)
        if (strcmp(record->fields[i].name, name) == 0)
            return &record->fields[i];
    return NULL;
}

int dsgt_avro_field_index(const dsgt_avro_schema *record, int32_t id, const char *name)
{
    if (!record || record->type != DSGT_AVRO_RECORD)
        return -1;
    if (id >= 0)
        for (size_t i = 0; i < record->n; i++)
            if (record->fields[i].field_id == id)
                return (int)i;
    for (size_t i = 0; i < record->n; i++)
        if ((id < 0 || record->fields[i].field_id < 0) && strcmp(record->fields[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* ------------------------------------------------------------------ */
/* Values                                                              */
/* ------------------------------------------------------------------ */

dsgt_avro_value *dsgt_avro_record_new(dsgt_arena *a, const dsgt_avro_schema *schema)
{
    assert(schema->type == DSGT_AVRO_RECORD);
    dsgt_avro_value *v = dsgt_arena_alloc(a, sizeof *v);
    dsgt_avro_value *items = dsgt_arena_alloc(a, (schema->n ? schema->n : 1) * sizeof *items);
    if (!v || !items)
        return NULL;
    v->type = DSGT_AVRO_RECORD;
    v->schema = schema;
    v->items = items;
    v->n = schema->n;
    return v;
}

void dsgt_avro_record_set(dsgt_avro_value *rec, const char *name, dsgt_avro_value v)
{
    for (size_t i = 0; i < rec->n; i++) {
        if (strcmp(rec->schema->fields[i].name, name) == 0) {
            rec->items[i] = v;
            return;
        }
    }
    assert(!"record field not in schema");
}

const dsgt_avro_value *dsgt_avro_record_get(const dsgt_avro_value *rec, const char *name)
{
    if (!rec || rec->type != DSGT_AVRO_RECORD)
        return NULL;
    for (size_t i = 0; i < rec->n; i++)
        if (strcmp(rec->schema->fields[i].name, name) == 0)
            return &rec->items[i];
    return NULL;
}

static int nullable(const dsgt_avro_schema *s)
{
    if (s->type == DSGT_AVRO_NULL)
        return 1;
    if (s->type != DSGT_AVRO_UNION)
        return 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->branches[i]->type == DSGT_AVRO_NULL)
            return 1;
    return 0;
}

/* The non-null branch of an optional union (or the schema itself). */
static const dsgt_avro_schema *non_null(const dsgt_avro_schema *s)
{
    if (s->type != DSGT_AVRO_UNION)
        return s;
    for (size_t i = 0; i < s->n; i++)
        if (s->branches[i]->type != DSGT_AVRO_NULL)
            return s->branches[i];
    return s;
}

dsg_status dsgt_avro_project(dsgt_arena *a, const dsgt_avro_value *v, const dsgt_avro_schema *to,
                             dsgt_avro_value *out, dsg_error *err)
{
    if (v->type == DSGT_AVRO_NULL) {
        *out = dsgt_avro_null();
        return DSG_OK;
    }
    const dsgt_avro_schema *t = non_null(to);
    if (v->type == DSGT_AVRO_RECORD && t->type == DSGT_AVRO_RECORD) {
        dsgt_avro_value *r = dsgt_avro_record_new(a, t);
        if (!r)
            return oom(err);
        for (size_t i = 0; i < t->n; i++) {
            const dsgt_avro_field *f = &t->fields[i];
            int si = dsgt_avro_field_index(v->schema, f->field_id, f->name);
            if (si >= 0) {
                DSGI_FORWARD(dsgt_avro_project(a, &v->items[si], f->schema, &r->items[i], err));
                continue;
            }
            const dsgt_avro_schema *fs = non_null(f->schema);
            if (nullable(f->schema))
                r->items[i] = dsgt_avro_null();
            else if (fs->type == DSGT_AVRO_INT || fs->type == DSGT_AVRO_LONG)
                r->items[i] = dsgt_avro_long(fs->type, 0);
            else
                return dsgi_fail(err, DSG_EINVAL, "Avro record %s lacks the required field %s",
                                 v->schema->name, f->name);
        }
        *out = *r;
        return DSG_OK;
    }
    if (v->type == DSGT_AVRO_ARRAY && t->type == DSGT_AVRO_ARRAY) {
        dsgt_avro_value *items = dsgt_arena_alloc(a, (v->n ? v->n : 1) * sizeof *items);
        if (!items)
            return oom(err);
        for (size_t i = 0; i < v->n; i++)
            DSGI_FORWARD(dsgt_avro_project(a, &v->items[i], t->items, &items[i], err));
        *out = *v;
        out->items = items;
        return DSG_OK;
    }
    if (v->type == DSGT_AVRO_MAP && t->type == DSGT_AVRO_MAP) {
        dsgt_avro_value *items = dsgt_arena_alloc(a, (v->n ? v->n : 1) * sizeof *items);
        if (!items)
            return oom(err);
        for (size_t i = 0; i < v->n; i++)
            DSGI_FORWARD(dsgt_avro_project(a, &v->items[i], t->items, &items[i], err));
        *out = *v;
        out->items = items;
        return DSG_OK;
    }
    *out = *v; /* primitives: the encoder checks the fit */
    return DSG_OK;
}

/* ------------------------------------------------------------------ */
/* Encoding                                                            */
/* ------------------------------------------------------------------ */

static dsg_status put_long(dsgi_buf *b, int64_t x, dsg_error *err)
{
    uint64_t z = ((uint64_t)x << 1) ^ (uint64_t)(x >> 63);
    DSGI_FORWARD(dsgi_buf_reserve(b, 10, err));
    while (z >= 0x80) {
        dsgi_buf_put_u8(b, (uint8_t)(z | 0x80));
        z >>= 7;
    }
    dsgi_buf_put_u8(b, (uint8_t)z);
    return DSG_OK;
}

static dsg_status put_bytes(dsgi_buf *b, const void *p, size_t n, dsg_error *err)
{
    DSGI_FORWARD(put_long(b, (int64_t)n, err));
    return dsgi_buf_append(b, p, n, err);
}

/* Whether value type vt can be written as schema type st. */
static int fits(dsgt_avro_type vt, const dsgt_avro_schema *s)
{
    switch (s->type) {
    case DSGT_AVRO_NULL: return vt == DSGT_AVRO_NULL;
    case DSGT_AVRO_BOOLEAN: return vt == DSGT_AVRO_BOOLEAN;
    case DSGT_AVRO_INT:
    case DSGT_AVRO_LONG: return vt == DSGT_AVRO_INT || vt == DSGT_AVRO_LONG;
    case DSGT_AVRO_FLOAT:
    case DSGT_AVRO_DOUBLE: return vt == DSGT_AVRO_FLOAT || vt == DSGT_AVRO_DOUBLE;
    case DSGT_AVRO_BYTES:
    case DSGT_AVRO_STRING: return vt == DSGT_AVRO_BYTES || vt == DSGT_AVRO_STRING;
    case DSGT_AVRO_FIXED: return vt == DSGT_AVRO_FIXED || vt == DSGT_AVRO_BYTES;
    default: return vt == s->type;
    }
}

static const char *schema_label(const dsgt_avro_schema *s)
{
    static const char *const names[] = {"null",  "boolean", "int",   "long", "float",
                                        "double", "bytes",  "string", "record", "enum",
                                        "array", "map",     "union", "fixed"};
    return s->name ? s->name : names[s->type];
}

dsg_status dsgt_avro_encode(dsgi_buf *out, const dsgt_avro_schema *s, const dsgt_avro_value *v,
                            dsg_error *err)
{
    if (s->type == DSGT_AVRO_UNION) {
        for (size_t i = 0; i < s->n; i++) {
            if (fits(v->type, s->branches[i])) {
                DSGI_FORWARD(put_long(out, (int64_t)i, err));
                return dsgt_avro_encode(out, s->branches[i], v, err);
            }
        }
        return dsgi_fail(err, DSG_EINVAL, "Avro value of type %d fits no branch of a union", v->type);
    }
    DSGI_RETURN_IF(!fits(v->type, s), err, DSG_EINVAL,
                   "Avro value of type %d does not fit the schema %s", v->type, schema_label(s));
    switch (s->type) {
    case DSGT_AVRO_NULL: return DSG_OK;
    case DSGT_AVRO_BOOLEAN: {
        uint8_t b = v->l ? 1 : 0;
        return dsgi_buf_append(out, &b, 1, err);
    }
    case DSGT_AVRO_INT:
        DSGI_RETURN_IF(v->l < INT32_MIN || v->l > INT32_MAX, err, DSG_EINVAL,
                       "Avro int value %lld out of range", (long long)v->l);
        return put_long(out, v->l, err);
    case DSGT_AVRO_LONG:
    case DSGT_AVRO_ENUM: return put_long(out, v->l, err);
    case DSGT_AVRO_FLOAT: {
        float f = (float)v->d;
        uint32_t u;
        uint8_t b[4];
        memcpy(&u, &f, 4);
        dsgi_store_le32(b, u);
        return dsgi_buf_append(out, b, 4, err);
    }
    case DSGT_AVRO_DOUBLE: {
        uint64_t u;
        uint8_t b[8];
        memcpy(&u, &v->d, 8);
        dsgi_store_le32(b, (uint32_t)u);
        dsgi_store_le32(b + 4, (uint32_t)(u >> 32));
        return dsgi_buf_append(out, b, 8, err);
    }
    case DSGT_AVRO_BYTES:
    case DSGT_AVRO_STRING: return put_bytes(out, v->p, v->len, err);
    case DSGT_AVRO_FIXED:
        DSGI_RETURN_IF(v->len != s->fixed_size, err, DSG_EINVAL,
                       "Avro fixed %s takes %zu bytes, not %zu", s->name, s->fixed_size, v->len);
        return dsgi_buf_append(out, v->p, v->len, err);
    case DSGT_AVRO_RECORD:
        DSGI_RETURN_IF(v->n != s->n, err, DSG_EINVAL, "Avro record %s: %zu values for %zu fields",
                       s->name, v->n, s->n);
        for (size_t i = 0; i < s->n; i++)
            DSGI_FORWARD(dsgt_avro_encode(out, s->fields[i].schema, &v->items[i], err));
        return DSG_OK;
    case DSGT_AVRO_ARRAY:
    case DSGT_AVRO_MAP:
        if (v->n) {
            DSGI_FORWARD(put_long(out, (int64_t)v->n, err));
            for (size_t i = 0; i < v->n; i++) {
                if (s->type == DSGT_AVRO_MAP)
                    DSGI_FORWARD(put_bytes(out, v->keys[i], strlen(v->keys[i]), err));
                DSGI_FORWARD(dsgt_avro_encode(out, s->items, &v->items[i], err));
            }
        }
        return put_long(out, 0, err);
    case DSGT_AVRO_UNION: break;
    }
    return dsgi_fail(err, DSG_EINTERNAL, "unhandled Avro type %d", s->type);
}

/* ------------------------------------------------------------------ */
/* Decoding                                                            */
/* ------------------------------------------------------------------ */

typedef struct reader {
    const uint8_t *p, *end;
    dsgt_arena *arena;
    dsg_error *err;
} reader;

static dsg_status get_long(reader *r, int64_t *out)
{
    uint64_t z = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        DSGI_RETURN_IF(r->p >= r->end, r->err, DSG_EINVAL, "Avro data ends inside a number");
        uint8_t b = *r->p++;
        z |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = (int64_t)(z >> 1) ^ -(int64_t)(z & 1);
            return DSG_OK;
        }
    }
    return dsgi_fail(r->err, DSG_EINVAL, "Avro varint longer than 10 bytes");
}

static dsg_status get_raw(reader *r, size_t n, const uint8_t **out)
{
    DSGI_RETURN_IF((size_t)(r->end - r->p) < n, r->err, DSG_EINVAL,
                   "Avro data ends inside a value of %zu bytes", n);
    *out = r->p;
    r->p += n;
    return DSG_OK;
}

/* Bytes or string: copied into the arena, NUL-terminated. */
static dsg_status get_bytes(reader *r, const uint8_t **out, size_t *len)
{
    int64_t n;
    DSGI_FORWARD(get_long(r, &n));
    DSGI_RETURN_IF(n < 0, r->err, DSG_EINVAL, "Avro negative length %lld", (long long)n);
    const uint8_t *p = NULL;
    DSGI_FORWARD(get_raw(r, (size_t)n, &p));
    char *c = dsgt_arena_strndup(r->arena, (const char *)p, (size_t)n);
    if (!c)
        return oom(r->err);
    *out = (const uint8_t *)c;
    *len = (size_t)n;
    return DSG_OK;
}

static dsg_status decode(reader *r, const dsgt_avro_schema *s, dsgt_avro_value *v)
{
    memset(v, 0, sizeof *v);
    switch (s->type) {
    case DSGT_AVRO_NULL: return DSG_OK;
    case DSGT_AVRO_BOOLEAN: {
        const uint8_t *p = NULL;
        DSGI_FORWARD(get_raw(r, 1, &p));
        v->type = DSGT_AVRO_BOOLEAN;
        v->l = *p != 0;
        return DSG_OK;
    }
    case DSGT_AVRO_INT:
    case DSGT_AVRO_LONG:
    case DSGT_AVRO_ENUM:
        v->type = s->type;
        return get_long(r, &v->l);
    case DSGT_AVRO_FLOAT: {
        const uint8_t *p = NULL;
        DSGI_FORWARD(get_raw(r, 4, &p));
        uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
        float f;
        memcpy(&f, &u, 4);
        v->type = DSGT_AVRO_FLOAT;
        v->d = f;
        return DSG_OK;
    }
    case DSGT_AVRO_DOUBLE: {
        const uint8_t *p = NULL;
        DSGI_FORWARD(get_raw(r, 8, &p));
        uint64_t u = 0;
        for (int i = 7; i >= 0; i--)
            u = u << 8 | p[i];
        v->type = DSGT_AVRO_DOUBLE;
        memcpy(&v->d, &u, 8);
        return DSG_OK;
    }
    case DSGT_AVRO_BYTES:
    case DSGT_AVRO_STRING:
        v->type = s->type;
        return get_bytes(r, &v->p, &v->len);
    case DSGT_AVRO_FIXED: {
        const uint8_t *p = NULL;
        DSGI_FORWARD(get_raw(r, s->fixed_size, &p));
        char *c = dsgt_arena_strndup(r->arena, (const char *)p, s->fixed_size);
        if (!c)
            return oom(r->err);
        v->type = DSGT_AVRO_FIXED;
        v->p = (const uint8_t *)c;
        v->len = s->fixed_size;
        return DSG_OK;
    }
    case DSGT_AVRO_UNION: {
        int64_t i;
        DSGI_FORWARD(get_long(r, &i));
        DSGI_RETURN_IF(i < 0 || (uint64_t)i >= s->n, r->err, DSG_EINVAL,
                       "Avro union branch %lld out of range", (long long)i);
        return decode(r, s->branches[i], v);
    }
    case DSGT_AVRO_RECORD: {
        dsgt_avro_value *rec = dsgt_avro_record_new(r->arena, s);
        if (!rec)
            return oom(r->err);
        for (size_t i = 0; i < s->n; i++)
            DSGI_FORWARD(decode(r, s->fields[i].schema, &rec->items[i]));
        *v = *rec;
        return DSG_OK;
    }
    case DSGT_AVRO_ARRAY:
    case DSGT_AVRO_MAP: {
        size_t n = 0, cap = 0;
        dsgt_avro_value *items = NULL;
        const char **keys = NULL;
        for (;;) {
            int64_t count;
            DSGI_FORWARD(get_long(r, &count));
            if (count == 0)
                break;
            if (count < 0) {
                int64_t bytes;
                DSGI_FORWARD(get_long(r, &bytes));
                DSGI_RETURN_IF(count == INT64_MIN, r->err, DSG_EINVAL, "Avro block count overflows");
                count = -count;
            }
            /* each item takes at least one byte, except nulls and empty
             * records: bound the count by the bytes left plus a margin */
            DSGI_RETURN_IF((uint64_t)count > (uint64_t)(r->end - r->p) + 1024u * 1024u, r->err,
                           DSG_EINVAL, "Avro block of %lld items exceeds the data", (long long)count);
            if (n + (size_t)count > cap) {
                size_t ncap = (n + (size_t)count) * 2;
                dsgt_avro_value *ni = dsgt_arena_alloc(r->arena, ncap * sizeof *ni);
                const char **nk = s->type == DSGT_AVRO_MAP ? dsgt_arena_alloc(r->arena, ncap * sizeof *nk) : NULL;
                if (!ni || (s->type == DSGT_AVRO_MAP && !nk))
                    return oom(r->err);
                if (n) {
                    memcpy(ni, items, n * sizeof *ni);
                    if (nk)
                        memcpy(nk, keys, n * sizeof *nk);
                }
                items = ni;
                keys = nk;
                cap = ncap;
            }
            for (int64_t i = 0; i < count; i++, n++) {
                if (s->type == DSGT_AVRO_MAP) {
                    size_t len;
                    const uint8_t *k;
                    DSGI_FORWARD(get_bytes(r, &k, &len));
                    keys[n] = (const char *)k;
                }
                DSGI_FORWARD(decode(r, s->items, &items[n]));
            }
        }
        v->type = s->type;
        v->items = items;
        v->keys = keys;
        v->n = n;
        return DSG_OK;
    }
    }
    return dsgi_fail(r->err, DSG_EINTERNAL, "unhandled Avro type %d", s->type);
}

/* ------------------------------------------------------------------ */
/* Container files                                                     */
/* ------------------------------------------------------------------ */

static const uint8_t magic[4] = {'O', 'b', 'j', 1};

dsg_status dsgt_avro_writer_init(dsgt_avro_writer *w, dsgt_arena *arena, const char *schema_json,
                                 const dsg_kv *meta, size_t n_meta, dsgt_avro_codec codec,
                                 const uint8_t sync[16], dsg_error *err)
{
    memset(w, 0, sizeof *w);
    dsgi_buf_init(&w->out, FILE_MAX);
    dsgi_buf_init(&w->block, FILE_MAX);
    dsgi_buf_init(&w->zbuf, FILE_MAX);
    w->codec = codec;
    memcpy(w->sync, sync, 16);
    DSGI_FORWARD(dsgt_avro_schema_parse(arena, schema_json, strlen(schema_json), &w->schema, err));
    DSGI_FORWARD(dsgi_buf_append(&w->out, magic, 4, err));
    DSGI_FORWARD(put_long(&w->out, (int64_t)(n_meta + 2), err));
    const char *codec_name = codec == DSGT_AVRO_CODEC_DEFLATE ? "deflate" : "null";
    DSGI_FORWARD(put_bytes(&w->out, "avro.schema", 11, err));
    DSGI_FORWARD(put_bytes(&w->out, schema_json, strlen(schema_json), err));
    DSGI_FORWARD(put_bytes(&w->out, "avro.codec", 10, err));
    DSGI_FORWARD(put_bytes(&w->out, codec_name, strlen(codec_name), err));
    for (size_t i = 0; i < n_meta; i++) {
        DSGI_FORWARD(put_bytes(&w->out, meta[i].key, strlen(meta[i].key), err));
        DSGI_FORWARD(put_bytes(&w->out, meta[i].value, strlen(meta[i].value), err));
    }
    DSGI_FORWARD(put_long(&w->out, 0, err));
    return dsgi_buf_append(&w->out, w->sync, 16, err);
}

static dsg_status flush_block(dsgt_avro_writer *w, dsg_error *err)
{
    if (w->block_records == 0)
        return DSG_OK;
    const uint8_t *payload = w->block.data;
    size_t len = w->block.len;
    if (w->codec == DSGT_AVRO_CODEC_DEFLATE) {
        z_stream zs;
        memset(&zs, 0, sizeof zs);
        if (deflateInit2(&zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
            return dsgi_fail(err, DSG_ECODEC, "zlib deflateInit2 failed");
        size_t bound = deflateBound(&zs, (uLong)len);
        dsgi_buf_reset(&w->zbuf);
        dsg_status st = dsgi_buf_reserve(&w->zbuf, bound, err);
        if (st != DSG_OK) {
            deflateEnd(&zs);
            return st;
        }
        zs.next_in = (Bytef *)w->block.data;
        zs.avail_in = (uInt)len;
        zs.next_out = w->zbuf.data;
        zs.avail_out = (uInt)bound;
        int zr = deflate(&zs, Z_FINISH);
        size_t produced = bound - zs.avail_out;
        deflateEnd(&zs);
        DSGI_RETURN_IF(zr != Z_STREAM_END, err, DSG_ECODEC, "zlib deflate failed (%d)", zr);
        payload = w->zbuf.data;
        len = produced;
    }
    DSGI_FORWARD(put_long(&w->out, (int64_t)w->block_records, err));
    DSGI_FORWARD(put_long(&w->out, (int64_t)len, err));
    DSGI_FORWARD(dsgi_buf_append(&w->out, payload, len, err));
    DSGI_FORWARD(dsgi_buf_append(&w->out, w->sync, 16, err));
    dsgi_buf_reset(&w->block);
    w->block_records = 0;
    return DSG_OK;
}

dsg_status dsgt_avro_writer_append(dsgt_avro_writer *w, const dsgt_avro_value *v, dsg_error *err)
{
    DSGI_FORWARD(dsgt_avro_encode(&w->block, w->schema, v, err));
    w->block_records++;
    w->records++;
    if (w->block.len >= BLOCK_BYTES)
        return flush_block(w, err);
    return DSG_OK;
}

dsg_status dsgt_avro_writer_finish(dsgt_avro_writer *w, dsg_error *err)
{
    return flush_block(w, err);
}

void dsgt_avro_writer_free(dsgt_avro_writer *w)
{
    if (!w)
        return;
    dsgi_buf_free(&w->out);
    dsgi_buf_free(&w->block);
    dsgi_buf_free(&w->zbuf);
}

static dsg_status inflate_block(const uint8_t *p, size_t len, dsgi_buf *out, dsg_error *err)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, -15) != Z_OK)
        return dsgi_fail(err, DSG_ECODEC, "zlib inflateInit2 failed");
    dsgi_buf_reset(out);
    zs.next_in = (Bytef *)p;
    zs.avail_in = (uInt)len;
    int zr = Z_OK;
    dsg_status st = DSG_OK;
    while (zr != Z_STREAM_END) {
        st = dsgi_buf_reserve(out, len * 2 + 4096, err);
        if (st != DSG_OK)
            break;
        zs.next_out = out->data + out->len;
        zs.avail_out = (uInt)(out->cap - out->len);
        size_t before = zs.avail_out;
        zr = inflate(&zs, Z_NO_FLUSH);
        out->len += before - zs.avail_out;
        if (zr == Z_STREAM_END)
            break;
        if (zr != Z_OK && zr != Z_BUF_ERROR) {
            st = dsgi_fail(err, DSG_EINVAL, "Avro deflate block is corrupt (zlib %d)", zr);
            break;
        }
        if (zr == Z_BUF_ERROR && zs.avail_in == 0) {
            st = dsgi_fail(err, DSG_EINVAL, "Avro deflate block is truncated");
            break;
        }
    }
    inflateEnd(&zs);
    return st;
}

dsg_status dsgt_avro_read(dsgt_arena *arena, const uint8_t *data, size_t len, dsgt_avro_file *out,
                          dsg_error *err)
{
    reader r = {data, data + len, arena, err};
    DSGI_RETURN_IF(len < 4 || memcmp(data, magic, 4) != 0, err, DSG_EINVAL,
                   "not an Avro object container file");
    r.p += 4;
    /* header metadata: map<bytes> */
    size_t n_meta = 0, cap = 0;
    dsg_kv *meta = NULL;
    for (;;) {
        int64_t count;
        DSGI_FORWARD(get_long(&r, &count));
        if (count == 0)
            break;
        if (count < 0) {
            int64_t bytes;
            DSGI_FORWARD(get_long(&r, &bytes));
            DSGI_RETURN_IF(count == INT64_MIN, err, DSG_EINVAL, "Avro header count overflows");
            count = -count;
        }
        DSGI_RETURN_IF((uint64_t)count > (uint64_t)(r.end - r.p), err, DSG_EINVAL,
                       "Avro header of %lld entries exceeds the file", (long long)count);
        if (n_meta + (size_t)count > cap) {
            size_t ncap = (n_meta + (size_t)count) * 2;
            dsg_kv *nm = dsgt_arena_alloc(arena, ncap * sizeof *nm);
            if (!nm)
                return oom(err);
            if (n_meta)
                memcpy(nm, meta, n_meta * sizeof *nm);
            meta = nm;
            cap = ncap;
        }
        for (int64_t i = 0; i < count; i++, n_meta++) {
            const uint8_t *k = NULL, *v = NULL;
            size_t kl, vl;
            DSGI_FORWARD(get_bytes(&r, &k, &kl));
            DSGI_FORWARD(get_bytes(&r, &v, &vl));
            meta[n_meta].key = (const char *)k;
            meta[n_meta].value = (const char *)v;
        }
    }
    const uint8_t *sync = NULL;
    DSGI_FORWARD(get_raw(&r, 16, &sync));
    memset(out, 0, sizeof *out);
    out->meta = meta;
    out->n_meta = n_meta;
    const char *schema_json = dsgt_avro_file_meta(out, "avro.schema");
    const char *codec = dsgt_avro_file_meta(out, "avro.codec");
    DSGI_RETURN_IF(!schema_json, err, DSG_EINVAL, "Avro file without avro.schema");
    int deflate = 0;
    if (codec && strcmp(codec, "deflate") == 0)
        deflate = 1;
    else
        DSGI_RETURN_IF(codec && strcmp(codec, "null") != 0, err, DSG_EINVAL,
                       "Avro codec %s is not supported", codec);
    DSGI_FORWARD(dsgt_avro_schema_parse(arena, schema_json, strlen(schema_json), &out->schema, err));
    out->schema_json = schema_json;

    size_t n = 0, rcap = 0;
    dsgt_avro_value *records = NULL;
    dsgi_buf zbuf;
    dsgi_buf_init(&zbuf, FILE_MAX);
    dsg_status st = DSG_OK;
    while (st == DSG_OK && r.p < r.end) {
        int64_t count, bytes;
        if ((st = get_long(&r, &count)) != DSG_OK || (st = get_long(&r, &bytes)) != DSG_OK)
            break;
        const uint8_t *payload = NULL, *bsync = NULL;
        if (count < 0 || bytes < 0) {
            st = dsgi_fail(err, DSG_EINVAL, "Avro block with a negative count or size");
            break;
        }
        if ((st = get_raw(&r, (size_t)bytes, &payload)) != DSG_OK ||
            (st = get_raw(&r, 16, &bsync)) != DSG_OK)
            break;
        if (memcmp(bsync, sync, 16) != 0) {
            st = dsgi_fail(err, DSG_EINVAL, "Avro block ends without the file's sync marker");
            break;
        }
        reader br = {payload, payload + bytes, arena, err};
        if (deflate) {
            if ((st = inflate_block(payload, (size_t)bytes, &zbuf, err)) != DSG_OK)
                break;
            br.p = zbuf.data;
            br.end = zbuf.data + zbuf.len;
        }
        if ((uint64_t)count > (uint64_t)(br.end - br.p) + 1024u * 1024u) {
            st = dsgi_fail(err, DSG_EINVAL, "Avro block of %lld records exceeds its data", (long long)count);
            break;
        }
        if (n + (size_t)count > rcap) {
            size_t ncap = (n + (size_t)count) * 2;
            dsgt_avro_value *nr = dsgt_arena_alloc(arena, (ncap ? ncap : 1) * sizeof *nr);
            if (!nr) {
                st = oom(err);
                break;
            }
            if (n)
                memcpy(nr, records, n * sizeof *nr);
            records = nr;
            rcap = ncap;
        }
        for (int64_t i = 0; i < count && st == DSG_OK; i++)
            st = decode(&br, out->schema, &records[n++]);
        if (st == DSG_OK && br.p != br.end)
            st = dsgi_fail(err, DSG_EINVAL, "Avro block has %zu bytes after its records",
                           (size_t)(br.end - br.p));
    }
    dsgi_buf_free(&zbuf);
    if (st != DSG_OK)
        return st;
    out->records = records;
    out->n_records = n;
    return DSG_OK;
}

const char *dsgt_avro_file_meta(const dsgt_avro_file *f, const char *key)
{
    for (size_t i = 0; i < f->n_meta; i++)
        if (strcmp(f->meta[i].key, key) == 0)
            return f->meta[i].value;
    return NULL;
}
