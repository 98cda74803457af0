/*
 * thrift.c - Thrift compact protocol encoder (see thrift.h).
 */
#include "thrift.h"

void dsgi_thrift_init(dsgi_thrift *t, dsgi_buf *out, dsg_error *err)
{
    t->out = out;
    t->depth = 0;
    t->last_id[0] = 0;
    t->status = DSG_OK;
    t->err = err;
}

static void put(dsgi_thrift *t, const void *p, size_t n)
{
    if (t->status == DSG_OK)
        t->status = dsgi_buf_append(t->out, p, n, t->err);
}

void dsgi_thrift_varint(dsgi_thrift *t, uint64_t v)
{
    uint8_t tmp[10];
    size_t n = 0;
    while (v >= 0x80) {
        tmp[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    tmp[n++] = (uint8_t)v;
    put(t, tmp, n);
}

void dsgi_thrift_field(dsgi_thrift *t, int16_t id, int type)
{
    int16_t delta = (int16_t)(id - t->last_id[t->depth]);
    if (delta > 0 && delta <= 15) {
        uint8_t b = (uint8_t)((delta << 4) | type);
        put(t, &b, 1);
    } else {
        uint8_t b = (uint8_t)type;
        put(t, &b, 1);
        dsgi_thrift_varint(t, dsgi_zigzag64(id));
    }
    t->last_id[t->depth] = id;
}

void dsgi_thrift_struct_begin(dsgi_thrift *t)
{
    if (t->depth + 1 >= DSGI_THRIFT_DEPTH) {
        if (t->status == DSG_OK)
            t->status = dsgi_fail(t->err, DSG_EINTERNAL, "thrift nesting too deep");
        return;
    }
    t->last_id[++t->depth] = 0;
}

void dsgi_thrift_struct_end(dsgi_thrift *t)
{
    uint8_t stop = 0;
    put(t, &stop, 1);
    if (t->depth > 0)
        t->depth--;
}

void dsgi_thrift_list_begin(dsgi_thrift *t, int elem_type, uint32_t size)
{
    if (size < 15) {
        uint8_t b = (uint8_t)((size << 4) | (uint32_t)elem_type);
        put(t, &b, 1);
    } else {
        uint8_t b = (uint8_t)(0xF0 | elem_type);
        put(t, &b, 1);
        dsgi_thrift_varint(t, size);
    }
}

void dsgi_thrift_i32(dsgi_thrift *t, int32_t v) { dsgi_thrift_varint(t, dsgi_zigzag64(v)); }
void dsgi_thrift_i64(dsgi_thrift *t, int64_t v) { dsgi_thrift_varint(t, dsgi_zigzag64(v)); }

void dsgi_thrift_binary(dsgi_thrift *t, const void *p, size_t n)
{
    dsgi_thrift_varint(t, n);
    put(t, p, n);
}

void dsgi_thrift_bool(dsgi_thrift *t, int v)
{
    uint8_t b = v ? DSGI_TT_BOOL_TRUE : DSGI_TT_BOOL_FALSE;
    put(t, &b, 1);
}

void dsgi_thrift_field_i32(dsgi_thrift *t, int16_t id, int32_t v)
{
    dsgi_thrift_field(t, id, DSGI_TT_I32);
    dsgi_thrift_i32(t, v);
}

void dsgi_thrift_field_i64(dsgi_thrift *t, int16_t id, int64_t v)
{
    dsgi_thrift_field(t, id, DSGI_TT_I64);
    dsgi_thrift_i64(t, v);
}

void dsgi_thrift_field_i16(dsgi_thrift *t, int16_t id, int16_t v)
{
    dsgi_thrift_field(t, id, DSGI_TT_I16);
    dsgi_thrift_varint(t, dsgi_zigzag64(v));
}

void dsgi_thrift_field_i8(dsgi_thrift *t, int16_t id, int8_t v)
{
    dsgi_thrift_field(t, id, DSGI_TT_I8);
    uint8_t b = (uint8_t)v;
    put(t, &b, 1);
}

void dsgi_thrift_field_bool(dsgi_thrift *t, int16_t id, int v)
{
    dsgi_thrift_field(t, id, v ? DSGI_TT_BOOL_TRUE : DSGI_TT_BOOL_FALSE);
}

void dsgi_thrift_field_binary(dsgi_thrift *t, int16_t id, const void *p, size_t n)
{
    dsgi_thrift_field(t, id, DSGI_TT_BINARY);
    dsgi_thrift_binary(t, p, n);
}

void dsgi_thrift_field_string(dsgi_thrift *t, int16_t id, const char *s)
{
    dsgi_thrift_field_binary(t, id, s, strlen(s));
}

void dsgi_thrift_field_empty_struct(dsgi_thrift *t, int16_t id)
{
    dsgi_thrift_field(t, id, DSGI_TT_STRUCT);
    dsgi_thrift_struct_begin(t);
    dsgi_thrift_struct_end(t);
}
