/*
 * iceberg_schema.c - the Iceberg side of a dsg table: types and field ids,
 * partition specs and partition values, bounds in Iceberg's single-value
 * binary form, and the Avro schemas of v2 manifests and manifest lists
 * (record names and field ids as the Java reference writes them, so every
 * reader resolves them).
 *
 * Types: BOOL boolean; INT8/INT16/INT32 int; INT64 long; FLOAT float;
 * DOUBLE double; DATE date; TIMESTAMP timestamptz (UTC microseconds);
 * DURATION long (Iceberg has no duration type: microseconds); STRING
 * string; DECIMAL decimal(p,s); STRUCT struct; LIST list; MAP map.
 *
 * Field ids: depth-first pre-order from 1 over the dsg_field tree, a list's
 * element being its one child, exactly as the Parquet writer numbers
 * field_id when dsg_parquet_options.field_ids is set.
 */
#include "table/iceberg_internal.h"

#include <stdio.h>
#include <stdlib.h>

/* ------------------------------------------------------------------ */
/* Schema                                                              */
/* ------------------------------------------------------------------ */

static const char *primitive_name(const dsg_field *f)
{
    switch (f->type) {
    case DSG_BOOL: return "boolean";
    case DSG_INT8:
    case DSG_INT16:
    case DSG_INT32: return "int";
    case DSG_INT64:
    case DSG_DURATION: return "long";
    case DSG_FLOAT: return "float";
    case DSG_DOUBLE: return "double";
    case DSG_DATE: return "date";
    case DSG_TIMESTAMP: return f->flags & DSG_FIELD_LOCAL_TIME ? "timestamp" : "timestamptz";
    case DSG_STRING: return "string";
    case DSG_BINARY: return "binary";
    case DSG_TIME_US: return "time";
    default: return NULL; /* unsigned, milli/nano units, null: no v2 type */
    }
}

typedef struct builder {
    int32_t next_id;
    ice_leaf *leaves;
    size_t n_leaves, cap;
    dsg_error *err;
} builder;

static dsg_status add_leaf(builder *b, int32_t id, const dsg_field *f, int repeated)
{
    if (b->n_leaves == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        ice_leaf *n = dsgi_realloc(b->leaves, cap * sizeof *n);
        if (!n)
            return dsgi_fail(b->err, DSG_ENOMEM, "out of memory");
        b->leaves = n;
        b->cap = cap;
    }
    b->leaves[b->n_leaves++] = (ice_leaf){id, f, repeated};
    return DSG_OK;
}

static dsg_status type_json(builder *b, const dsg_field *f, int32_t id, int repeated, json_t **out);

static dsg_status field_json(builder *b, const dsg_field *f, int repeated, json_t **out)
{
    int32_t id = b->next_id++;
    json_t *type = NULL;
    DSGI_FORWARD(type_json(b, f, id, repeated, &type));
    json_t *o = json_object();
    if (!o) {
        json_decref(type);
        return dsgi_fail(b->err, DSG_ENOMEM, "out of memory");
    }
    json_object_set_new(o, "id", json_integer(id));
    json_object_set_new(o, "name", json_string(f->name));
    json_object_set_new(o, "required", json_boolean(!(f->flags & DSG_FIELD_NULLABLE)));
    json_object_set_new(o, "type", type);
    *out = o;
    return DSG_OK;
}

static dsg_status type_json(builder *b, const dsg_field *f, int32_t id, int repeated, json_t **out)
{
    dsg_error *err = b->err;
    json_t *name_check = f->name ? json_string(f->name) : NULL;
    DSGI_RETURN_IF(!name_check, err, DSG_EINVAL, "column names must be UTF-8 text");
    json_decref(name_check);
    if (f->type == DSG_STRUCT) {
        json_t *fields = json_array();
        for (size_t i = 0; i < f->n_children; i++) {
            json_t *c;
            dsg_status st = field_json(b, &f->children[i], repeated, &c);
            if (st != DSG_OK) {
                json_decref(fields);
                return st;
            }
            json_array_append_new(fields, c);
        }
        *out = json_pack("{s:s, s:o}", "type", "struct", "fields", fields);
        return DSG_OK;
    }
    if (f->type == DSG_LIST) {
        DSGI_RETURN_IF(f->n_children != 1, err, DSG_EINVAL, "list %s must have one element", f->name);
        const dsg_field *e = &f->children[0];
        int32_t eid = b->next_id++;
        json_t *et;
        DSGI_FORWARD(type_json(b, e, eid, 1, &et));
        *out = json_pack("{s:s, s:i, s:o, s:b}", "type", "list", "element-id", (json_int_t)eid,
                         "element", et, "element-required", !(e->flags & DSG_FIELD_NULLABLE));
        return DSG_OK;
    }
    if (f->type == DSG_MAP) {
        DSGI_RETURN_IF(f->n_children != 2, err, DSG_EINVAL, "map %s must have a key and a value", f->name);
        const dsg_field *k = &f->children[0], *v = &f->children[1];
        int32_t kid = b->next_id++;
        json_t *kt, *vt;
        DSGI_FORWARD(type_json(b, k, kid, 1, &kt));
        int32_t vid = b->next_id++;
        dsg_status st = type_json(b, v, vid, 1, &vt);
        if (st != DSG_OK) {
            json_decref(kt);
            return st;
        }
        *out = json_pack("{s:s, s:i, s:o, s:i, s:o, s:b}", "type", "map", "key-id", (json_int_t)kid, "key", kt,
                         "value-id", (json_int_t)vid, "value", vt, "value-required",
                         !(v->flags & DSG_FIELD_NULLABLE));
        return DSG_OK;
    }
    if (f->type == DSG_FIXED_BINARY) {
        char t[32];
        snprintf(t, sizeof t, "fixed[%d]", f->precision);
        *out = json_string(t);
        return add_leaf(b, id, f, repeated);
    }
    if (f->type == DSG_DECIMAL || f->type == DSG_DECIMAL128) {
        DSGI_RETURN_IF(f->precision < 1 || f->precision > 38 || f->scale < 0 || f->scale > f->precision,
                       err, DSG_EINVAL, "column %s: decimal(%d,%d) is not an Iceberg decimal",
                       f->name, f->precision, f->scale);
        char t[32];
        snprintf(t, sizeof t, "decimal(%d, %d)", f->precision, f->scale);
        *out = json_string(t);
        return add_leaf(b, id, f, repeated);
    }
    const char *name = primitive_name(f);
    DSGI_RETURN_IF(!name, err, DSG_EINVAL, "column %s: type %d has no Iceberg v2 equivalent", f->name,
                   (int)f->type);
    *out = json_string(name);
    return add_leaf(b, id, f, repeated);
}

dsg_status ice_schema_build(ice_schema *s, const dsg_field *fields, size_t n, dsg_error *err)
{
    memset(s, 0, sizeof *s);
    builder b = {1, NULL, 0, 0, err};
    json_t *arr = json_array();
    if (!arr)
        return dsgi_fail(err, DSG_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        json_t *f;
        dsg_status st = field_json(&b, &fields[i], 0, &f);
        if (st != DSG_OK) {
            json_decref(arr);
            dsgi_free(b.leaves);
            return st;
        }
        json_array_append_new(arr, f);
    }
    s->fields = arr;
    s->last_column_id = b.next_id - 1;
    s->leaves = b.leaves;
    s->n_leaves = b.n_leaves;
    return DSG_OK;
}

void ice_schema_free(ice_schema *s)
{
    json_decref(s->fields);
    dsgi_free(s->leaves);
    memset(s, 0, sizeof *s);
}

/* "decimal(9,2)" and "decimal(9, 2)" are the same type. */
static int type_names_equal(const char *a, const char *b)
{
    while (*a && *b) {
        if (*a == ' ') {
            a++;
            continue;
        }
        if (*b == ' ') {
            b++;
            continue;
        }
        if (*a++ != *b++)
            return 0;
    }
    while (*a == ' ')
        a++;
    while (*b == ' ')
        b++;
    return *a == *b;
}

static int types_equal(const json_t *a, const json_t *b)
{
    if (json_is_string(a) || json_is_string(b))
        return json_is_string(a) && json_is_string(b) &&
               type_names_equal(json_string_value(a), json_string_value(b));
    const char *ta = json_string_value(json_object_get(a, "type"));
    const char *tb = json_string_value(json_object_get(b, "type"));
    if (!ta || !tb || strcmp(ta, tb) != 0)
        return 0;
    if (strcmp(ta, "struct") == 0)
        return ice_fields_equal(json_object_get(a, "fields"), json_object_get(b, "fields"));
    if (strcmp(ta, "list") == 0)
        return json_integer_value(json_object_get(a, "element-id")) ==
                   json_integer_value(json_object_get(b, "element-id")) &&
               json_is_true(json_object_get(a, "element-required")) ==
                   json_is_true(json_object_get(b, "element-required")) &&
               types_equal(json_object_get(a, "element"), json_object_get(b, "element"));
    if (strcmp(ta, "map") == 0)
        return json_integer_value(json_object_get(a, "key-id")) == json_integer_value(json_object_get(b, "key-id")) &&
               json_integer_value(json_object_get(a, "value-id")) ==
                   json_integer_value(json_object_get(b, "value-id")) &&
               json_is_true(json_object_get(a, "value-required")) ==
                   json_is_true(json_object_get(b, "value-required")) &&
               types_equal(json_object_get(a, "key"), json_object_get(b, "key")) &&
               types_equal(json_object_get(a, "value"), json_object_get(b, "value"));
    return 0;
}

int ice_fields_equal(const json_t *a, const json_t *b)
{
    if (!json_is_array(a) || !json_is_array(b) || json_array_size(a) != json_array_size(b))
        return 0;
    for (size_t i = 0; i < json_array_size(a); i++) {
        const json_t *fa = json_array_get(a, i), *fb = json_array_get(b, i);
        const char *na = json_string_value(json_object_get(fa, "name"));
        const char *nb = json_string_value(json_object_get(fb, "name"));
        if (!na || !nb || strcmp(na, nb) != 0 ||
            json_integer_value(json_object_get(fa, "id")) != json_integer_value(json_object_get(fb, "id")) ||
            json_is_true(json_object_get(fa, "required")) != json_is_true(json_object_get(fb, "required")) ||
            !types_equal(json_object_get(fa, "type"), json_object_get(fb, "type")))
            return 0;
    }
    return 1;
}

/* ------------------------------------------------------------------ */
/* Partition specs                                                     */
/* ------------------------------------------------------------------ */

static const char *transform_name(ice_transform t)
{
    switch (t) {
    case ICE_YEAR: return "year";
    case ICE_MONTH: return "month";
    case ICE_DAY: return "day";
    case ICE_HOUR: return "hour";
    default: return "identity";
    }
}

/* The index of the top-level primitive field named 'name', or -1. */
static int top_level_leaf(const dsgt_table_args *args, const char *name)
{
    for (size_t i = 0; i < args->n_fields; i++) {
        const dsg_field *f = &args->fields[i];
        if (strcmp(f->name, name) == 0)
            return f->type == DSG_STRUCT || f->type == DSG_LIST || f->type == DSG_MAP ? -1 : (int)i;
    }
    return -1;
}

/* The field id of top-level field i (ids are pre-order). */
static int32_t top_level_id(const ice_schema *schema, int i)
{
    const json_t *f = json_array_get(schema->fields, (size_t)i);
    return (int32_t)json_integer_value(json_object_get(f, "id"));
}

dsg_status ice_spec_build(ice_spec *spec, const ice_schema *schema, const dsgt_table_args *args,
                          dsg_error *err)
{
    memset(spec, 0, sizeof *spec);
    if (args->n_partition_by == 0)
        return DSG_OK;
    DSGI_RETURN_IF(args->n_partition_by > ICE_MAX_PART, err, DSG_EINVAL,
                   "table %s has %zu partition levels; at most %d are supported", args->table_name,
                   args->n_partition_by, ICE_MAX_PART);
    int src = args->partition_source;
    if (src >= 0 && (size_t)src < args->n_fields && args->partition_transforms) {
        /* One field: the finest of the levels' transforms of the source
         * column (day(order_date) for year/month/day directories); never
         * year+month+day together, which readers reject as redundant. */
        const dsg_field *f = &args->fields[src];
        ice_transform finest = ICE_IDENTITY;
        int rank = -1;
        for (size_t i = 0; i < args->n_partition_by; i++) {
            ice_transform t;
            int r;
            switch (args->partition_transforms[i]) {
            case DSG_PART_YEAR: t = ICE_YEAR; r = 1; break;
            case DSG_PART_MONTH:
            case DSG_PART_YEARMONTH: t = ICE_MONTH; r = 2; break;
            case DSG_PART_DAY: t = ICE_DAY; r = 3; break;
            case DSG_PART_HOUR: t = ICE_HOUR; r = 4; break;
            default: t = ICE_IDENTITY; r = 0; break;
            }
            if (r > rank) {
                rank = r;
                finest = t;
            }
        }
        DSGI_RETURN_IF(finest == ICE_IDENTITY && args->n_partition_by != 1, err, DSG_EINVAL,
                       "table %s: identity partitions over %zu levels of one column", args->table_name,
                       args->n_partition_by);
        DSGI_RETURN_IF(finest == ICE_HOUR && f->type != DSG_TIMESTAMP, err, DSG_EINVAL,
                       "table %s: hour partitions need a timestamp column, not %s", args->table_name,
                       f->name);
        DSGI_RETURN_IF(finest != ICE_IDENTITY && f->type != DSG_DATE && f->type != DSG_TIMESTAMP, err,
                       DSG_EINVAL, "table %s: date partitions need a date or timestamp column, not %s",
                       args->table_name, f->name);
        ice_part_field *p = &spec->f[0];
        p->source_id = top_level_id(schema, src);
        p->field_id = 1000;
        p->transform = finest;
        p->type = finest == ICE_DAY ? ICE_P_DATE : ICE_P_INT;
        if (finest == ICE_IDENTITY) {
            snprintf(p->name, sizeof p->name, "%s", f->name);
            p->type = f->type == DSG_STRING ? ICE_P_STRING
                      : f->type == DSG_INT64 ? ICE_P_LONG
                      : f->type == DSG_DATE ? ICE_P_DATE
                                            : ICE_P_INT;
        } else {
            snprintf(p->name, sizeof p->name, "%s_%s", f->name, transform_name(finest));
        }
        spec->n = 1;
        spec->levels = args->partition_transforms;
        spec->n_levels = args->n_partition_by;
        spec->derived = 1;
        return DSG_OK;
    }
    /* No source column: identity fields when every level is a real
     * column. Directory levels that are not columns of the files (user
     * data partitioned with its partition columns left out) cannot be
     * represented: Iceberg keeps every column in the data files. */
    for (size_t i = 0; i < args->n_partition_by; i++)
        DSGI_RETURN_IF(top_level_leaf(args, args->partition_by[i]) < 0, err, DSG_EINVAL,
                       "Iceberg table %s: partition column %s is not a column of the data files "
                       "(Iceberg keeps partition columns in the files)",
                       args->table_name, args->partition_by[i]);
    for (size_t i = 0; i < args->n_partition_by; i++) {
        int c = top_level_leaf(args, args->partition_by[i]);
        const dsg_field *f = &args->fields[c];
        DSGI_RETURN_IF(f->type != DSG_STRING && f->type != DSG_INT64 && f->type != DSG_INT32 &&
                           f->type != DSG_INT16 && f->type != DSG_INT8 && f->type != DSG_DATE,
                       err, DSG_EINVAL, "table %s: partition column %s must be an integer, date or string",
                       args->table_name, f->name);
        ice_part_field *p = &spec->f[spec->n++];
        p->source_id = top_level_id(schema, c);
        p->field_id = 1000 + (int32_t)i;
        p->transform = ICE_IDENTITY;
        p->level = (int)i;
        snprintf(p->name, sizeof p->name, "%s", f->name);
        p->type = f->type == DSG_STRING ? ICE_P_STRING
                  : f->type == DSG_INT64 ? ICE_P_LONG
                  : f->type == DSG_DATE ? ICE_P_DATE
                                        : ICE_P_INT;
    }
    return DSG_OK;
}

json_t *ice_spec_json(const ice_spec *spec)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < spec->n; i++)
        json_array_append_new(arr, json_pack("{s:s, s:s, s:i, s:i}", "name", spec->f[i].name,
                                             "transform", transform_name(spec->f[i].transform),
                                             "source-id", (json_int_t)spec->f[i].source_id,
                                             "field-id", (json_int_t)spec->f[i].field_id));
    return arr;
}

int ice_spec_matches(const ice_spec *spec, const json_t *fields)
{
    if (!json_is_array(fields) || json_array_size(fields) != spec->n)
        return 0;
    for (size_t i = 0; i < spec->n; i++) {
        const json_t *f = json_array_get(fields, i);
        const char *t = json_string_value(json_object_get(f, "transform"));
        if (!t || strcmp(t, transform_name(spec->f[i].transform)) != 0 ||
            json_integer_value(json_object_get(f, "source-id")) != spec->f[i].source_id)
            return 0;
    }
    return 1;
}

static int parse_uint(const char *s, size_t len, int64_t *out)
{
    int64_t v = 0;
    if (len == 0 || len > 12)
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

static int parse_int(const char *s, int64_t *out)
{
    int neg = *s == '-';
    int64_t v;
    if (!parse_uint(s + neg, strlen(s + neg), &v))
        return 0;
    *out = neg ? -v : v;
    return 1;
}

/* "YYYY-MM-DD" */
static int parse_date(const char *s, int64_t *days)
{
    int64_t y, m, d;
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' || !parse_uint(s, 4, &y) ||
        !parse_uint(s + 5, 2, &m) || !parse_uint(s + 8, 2, &d) || m < 1 || m > 12 || d < 1 || d > 31)
        return 0;
    *days = dsgi_days_from_civil(y, (unsigned)m, (unsigned)d);
    return 1;
}

dsg_status ice_spec_values(const ice_spec *spec, const char *const *values, ice_pvalue *out,
                           const char *file, dsg_error *err)
{
    if (spec->n == 0)
        return DSG_OK;
    DSGI_RETURN_IF(!values, err, DSG_EINTERNAL, "file %s has no partition values", file);
    if (spec->derived) {
        int64_t y = 1970, m = 1, d = 1, h = 0;
        for (size_t i = 0; i < spec->n_levels; i++) {
            const char *v = values[i];
            int ok = v != NULL;
            if (ok) {
                switch (spec->levels[i]) {
                case DSG_PART_YEAR: ok = parse_uint(v, strlen(v), &y); break;
                case DSG_PART_MONTH: ok = parse_uint(v, strlen(v), &m) && m >= 1 && m <= 12; break;
                case DSG_PART_DAY: ok = parse_uint(v, strlen(v), &d) && d >= 1 && d <= 31; break;
                case DSG_PART_HOUR: ok = parse_uint(v, strlen(v), &h) && h <= 23; break;
                case DSG_PART_YEARMONTH:
                    ok = strlen(v) == 7 && v[4] == '-' && parse_uint(v, 4, &y) &&
                         parse_uint(v + 5, 2, &m) && m >= 1 && m <= 12;
                    break;
                case DSG_PART_IDENTITY: {
                    int64_t days;
                    ok = parse_date(v, &days);
                    if (ok) {
                        int64_t yy;
                        unsigned mm, dd;
                        dsgi_civil_from_days(days, &yy, &mm, &dd);
                        y = yy;
                        m = mm;
                        d = dd;
                    }
                    break;
                }
                }
            }
            DSGI_RETURN_IF(!ok, err, DSG_EINTERNAL, "file %s: partition value \"%s\" is malformed",
                           file, v ? v : "(null)");
        }
        int64_t days = dsgi_days_from_civil(y, (unsigned)m, (unsigned)d);
        ice_pvalue *p = &out[0];
        memset(p, 0, sizeof *p);
        switch (spec->f[0].transform) {
        case ICE_YEAR: p->i = y - 1970; break;
        case ICE_MONTH: p->i = (y - 1970) * 12 + (m - 1); break;
        case ICE_DAY: p->i = days; break;
        case ICE_HOUR: p->i = days * 24 + h; break;
        case ICE_IDENTITY: p->i = days; break;
        }
        return DSG_OK;
    }
    for (size_t k = 0; k < spec->n; k++) {
        const char *v = values[spec->f[k].level];
        ice_pvalue *p = &out[k];
        memset(p, 0, sizeof *p);
        if (!v || strcmp(v, "__HIVE_DEFAULT_PARTITION__") == 0) {
            p->is_null = 1;
            continue;
        }
        int ok = 1;
        switch (spec->f[k].type) {
        case ICE_P_STRING:
            p->s = dsgi_strdup(v);
            ok = p->s != NULL;
            DSGI_RETURN_IF(!ok, err, DSG_ENOMEM, "out of memory");
            break;
        case ICE_P_DATE: ok = parse_date(v, &p->i); break;
        default: ok = parse_int(v, &p->i); break;
        }
        DSGI_RETURN_IF(!ok, err, DSG_EINTERNAL, "file %s: partition value \"%s\" is malformed", file, v);
    }
    return DSG_OK;
}

size_t ice_pvalue_bytes(const ice_spec *spec, size_t k, const ice_pvalue *v, uint8_t *b,
                        const uint8_t **str)
{
    *str = b;
    switch (spec->f[k].type) {
    case ICE_P_STRING:
        *str = (const uint8_t *)v->s;
        return strlen(v->s);
    case ICE_P_LONG:
        dsgi_store_le32(b, (uint32_t)v->i);
        dsgi_store_le32(b + 4, (uint32_t)((uint64_t)v->i >> 32));
        return 8;
    default: dsgi_store_le32(b, (uint32_t)v->i); return 4;
    }
}

/* ------------------------------------------------------------------ */
/* Bounds                                                              */
/* ------------------------------------------------------------------ */

size_t ice_bound_bytes(const dsg_field *leaf, const uint8_t *v, size_t len, uint8_t *out,
                       const uint8_t **p)
{
    *p = out;
    switch (leaf->type) {
    case DSG_BOOL:
        if (len < 1)
            return 0;
        out[0] = v[0] ? 1 : 0;
        return 1;
    case DSG_INT8:
    case DSG_INT16:
    case DSG_INT32:
    case DSG_DATE:
    case DSG_FLOAT:
        if (len != 4)
            return 0;
        memcpy(out, v, 4);
        return 4;
    case DSG_INT64:
    case DSG_TIMESTAMP:
    case DSG_DURATION:
    case DSG_DOUBLE:
        if (len != 8)
            return 0;
        memcpy(out, v, 8);
        return 8;
    case DSG_TIME_US:
        if (len != 8)
            return 0;
        memcpy(out, v, 8);
        return 8;
    case DSG_STRING:
    case DSG_BINARY:
    case DSG_FIXED_BINARY:
        *p = v;
        return len;
    case DSG_DECIMAL128:
        if (len > 8) {
            /* FIXED_LEN_BYTE_ARRAY: big-endian already; drop sign bytes */
            size_t start = 0;
            while (start + 1 < len && ((v[start] == 0x00 && !(v[start + 1] & 0x80)) ||
                                       (v[start] == 0xff && (v[start + 1] & 0x80))))
                start++;
            *p = v + start;
            return len - start;
        }
        /* INT32 or INT64: as DSG_DECIMAL */
        __attribute__((fallthrough));
    case DSG_DECIMAL: {
        /* the unscaled value, two's complement big-endian, fewest bytes */
        int64_t x;
        if (len == 4) {
            uint32_t u = (uint32_t)v[0] | (uint32_t)v[1] << 8 | (uint32_t)v[2] << 16 | (uint32_t)v[3] << 24;
            x = (int32_t)u;
        } else if (len == 8) {
            uint64_t u = 0;
            for (int i = 7; i >= 0; i--)
                u = u << 8 | v[i];
            x = (int64_t)u;
        } else {
            return 0;
        }
        uint8_t be[8];
        for (int i = 0; i < 8; i++)
            be[i] = (uint8_t)((uint64_t)x >> (56 - 8 * i));
        int start = 0;
        while (start < 7 && ((be[start] == 0x00 && !(be[start + 1] & 0x80)) ||
                             (be[start] == 0xff && (be[start + 1] & 0x80))))
            start++;
        memcpy(out, be + start, (size_t)(8 - start));
        return (size_t)(8 - start);
    }
    default: return 0;
    }
}

/* ------------------------------------------------------------------ */
/* Avro schemas of manifests and manifest lists                        */
/* ------------------------------------------------------------------ */

#define MAP_FIELD(name, id, kid, vid, vtype)                                                       \
    "{\"name\":\"" name "\",\"type\":[\"null\",{\"type\":\"array\",\"items\":{\"type\":\"record\","   \
    "\"name\":\"k" #kid "_v" #vid "\",\"fields\":[{\"name\":\"key\",\"type\":\"int\",\"field-id\":" #kid \
    "},{\"name\":\"value\",\"type\":\"" vtype "\",\"field-id\":" #vid "}]},\"logicalType\":\"map\"}],"  \
    "\"default\":null,\"field-id\":" #id "}"

char *ice_manifest_avro_schema(const ice_spec *spec)
{
    json_t *pfields = json_array();
    for (size_t i = 0; i < spec->n; i++) {
        json_t *t;
        switch (spec->f[i].type) {
        case ICE_P_DATE: t = json_pack("[s, {s:s, s:s}]", "null", "type", "int", "logicalType", "date"); break;
        case ICE_P_LONG: t = json_pack("[s, s]", "null", "long"); break;
        case ICE_P_STRING: t = json_pack("[s, s]", "null", "string"); break;
        default: t = json_pack("[s, s]", "null", "int"); break;
        }
        json_array_append_new(pfields, json_pack("{s:s, s:o, s:n, s:i}", "name", spec->f[i].name, "type",
                                                 t, "default", "field-id",
                                                 (json_int_t)spec->f[i].field_id));
    }
    char *pjson = json_dumps(pfields, JSON_COMPACT);
    json_decref(pfields);
    if (!pjson)
        return NULL;
    static const char head[] =
        "{\"type\":\"record\",\"name\":\"manifest_entry\",\"fields\":["
        "{\"name\":\"status\",\"type\":\"int\",\"field-id\":0},"
        "{\"name\":\"snapshot_id\",\"type\":[\"null\",\"long\"],\"default\":null,\"field-id\":1},"
        "{\"name\":\"sequence_number\",\"type\":[\"null\",\"long\"],\"default\":null,\"field-id\":3},"
        "{\"name\":\"file_sequence_number\",\"type\":[\"null\",\"long\"],\"default\":null,\"field-id\":4},"
        "{\"name\":\"data_file\",\"type\":{\"type\":\"record\",\"name\":\"r2\",\"fields\":["
        "{\"name\":\"content\",\"type\":\"int\",\"doc\":\"Contents of the file: 0=data, 1=position "
        "deletes, 2=equality deletes\",\"field-id\":134},"
        "{\"name\":\"file_path\",\"type\":\"string\",\"doc\":\"Location URI with FS scheme\",\"field-id\":100},"
        "{\"name\":\"file_format\",\"type\":\"string\",\"doc\":\"File format name: avro, orc, or "
        "parquet\",\"field-id\":101},"
        "{\"name\":\"partition\",\"type\":{\"type\":\"record\",\"name\":\"r102\",\"fields\":";
    static const char tail[] =
        "},\"doc\":\"Partition data tuple, schema based on the partition spec\",\"field-id\":102},"
        "{\"name\":\"record_count\",\"type\":\"long\",\"doc\":\"Number of records in the file\",\"field-id\":103},"
        "{\"name\":\"file_size_in_bytes\",\"type\":\"long\",\"doc\":\"Total file size in bytes\",\"field-id\":104},"
        MAP_FIELD("column_sizes", 108, 117, 118, "long") ","
        MAP_FIELD("value_counts", 109, 119, 120, "long") ","
        MAP_FIELD("null_value_counts", 110, 121, 122, "long") ","
        MAP_FIELD("nan_value_counts", 137, 138, 139, "long") ","
        MAP_FIELD("lower_bounds", 125, 126, 127, "bytes") ","
        MAP_FIELD("upper_bounds", 128, 129, 130, "bytes") ","
        "{\"name\":\"key_metadata\",\"type\":[\"null\",\"bytes\"],\"default\":null,\"field-id\":131},"
        "{\"name\":\"split_offsets\",\"type\":[\"null\",{\"type\":\"array\",\"items\":\"long\","
        "\"element-id\":133}],\"default\":null,\"field-id\":132},"
        "{\"name\":\"equality_ids\",\"type\":[\"null\",{\"type\":\"array\",\"items\":\"int\","
        "\"element-id\":136}],\"default\":null,\"field-id\":135},"
        "{\"name\":\"sort_order_id\",\"type\":[\"null\",\"int\"],\"default\":null,\"field-id\":140},"
        "{\"name\":\"referenced_data_file\",\"type\":[\"null\",\"string\"],\"default\":null,\"field-id\":143}"
        "]},\"field-id\":2}]}";
    size_t n = sizeof head - 1 + strlen(pjson) + sizeof tail;
    char *s = dsgi_malloc(n);
    if (s)
        snprintf(s, n, "%s%s%s", head, pjson, tail);
    free(pjson); /* jansson's allocation */
    return s;
}

const char ice_manifest_list_avro_schema[] =
    "{\"type\":\"record\",\"name\":\"manifest_file\",\"fields\":["
    "{\"name\":\"manifest_path\",\"type\":\"string\",\"doc\":\"Location URI with FS scheme\",\"field-id\":500},"
    "{\"name\":\"manifest_length\",\"type\":\"long\",\"doc\":\"Total file size in bytes\",\"field-id\":501},"
    "{\"name\":\"partition_spec_id\",\"type\":\"int\",\"doc\":\"Spec ID used to write\",\"field-id\":502},"
    "{\"name\":\"content\",\"type\":\"int\",\"doc\":\"Contents of the manifest: 0=data, 1=deletes\",\"field-id\":517},"
    "{\"name\":\"sequence_number\",\"type\":\"long\",\"doc\":\"Sequence number when the manifest was added\",\"field-id\":515},"
    "{\"name\":\"min_sequence_number\",\"type\":\"long\",\"doc\":\"Lowest sequence number in the manifest\",\"field-id\":516},"
    "{\"name\":\"added_snapshot_id\",\"type\":\"long\",\"doc\":\"Snapshot ID that added the manifest\",\"field-id\":503},"
    "{\"name\":\"added_files_count\",\"type\":\"int\",\"doc\":\"Added entry count\",\"field-id\":504},"
    "{\"name\":\"existing_files_count\",\"type\":\"int\",\"doc\":\"Existing entry count\",\"field-id\":505},"
    "{\"name\":\"deleted_files_count\",\"type\":\"int\",\"doc\":\"Deleted entry count\",\"field-id\":506},"
    "{\"name\":\"added_rows_count\",\"type\":\"long\",\"doc\":\"Added rows count\",\"field-id\":512},"
    "{\"name\":\"existing_rows_count\",\"type\":\"long\",\"doc\":\"Existing rows count\",\"field-id\":513},"
    "{\"name\":\"deleted_rows_count\",\"type\":\"long\",\"doc\":\"Deleted rows count\",\"field-id\":514},"
    "{\"name\":\"partitions\",\"type\":[\"null\",{\"type\":\"array\",\"items\":{\"type\":\"record\","
    "\"name\":\"r508\",\"fields\":["
    "{\"name\":\"contains_null\",\"type\":\"boolean\",\"doc\":\"True if any file has a null partition value\",\"field-id\":509},"
    "{\"name\":\"contains_nan\",\"type\":[\"null\",\"boolean\"],\"doc\":\"True if any file has a nan partition value\",\"default\":null,\"field-id\":518},"
    "{\"name\":\"lower_bound\",\"type\":[\"null\",\"bytes\"],\"doc\":\"Partition lower bound for all files\",\"default\":null,\"field-id\":510},"
    "{\"name\":\"upper_bound\",\"type\":[\"null\",\"bytes\"],\"doc\":\"Partition upper bound for all files\",\"default\":null,\"field-id\":511}"
    "]},\"element-id\":508}],\"doc\":\"Summary for each partition\",\"default\":null,\"field-id\":507},"
    "{\"name\":\"key_metadata\",\"type\":[\"null\",\"bytes\"],\"doc\":\"Encryption key metadata blob\",\"default\":null,\"field-id\":519}"
    "]}";
