/*
 * thrift.h - Thrift compact protocol, write side only: the subset Parquet
 * metadata needs (structs, i8/i16/i32/i64, bool, binary, lists).
 *
 * The writer appends to a dsgi_buf. Struct nesting keeps the last field id
 * per level for delta-encoded field headers. Errors (buffer limit) stick:
 * once 'status' is set, further writes do nothing, and the caller checks
 * once at the end.
 */
#ifndef DSG_THRIFT_H
#define DSG_THRIFT_H

#include "common/common.h"

/* Compact protocol type ids. */
enum {
    DSGI_TT_BOOL_TRUE = 1,
    DSGI_TT_BOOL_FALSE = 2,
    DSGI_TT_I8 = 3,
    DSGI_TT_I16 = 4,
    DSGI_TT_I32 = 5,
    DSGI_TT_I64 = 6,
    DSGI_TT_DOUBLE = 7,
    DSGI_TT_BINARY = 8,
    DSGI_TT_LIST = 9,
    DSGI_TT_SET = 10,
    DSGI_TT_MAP = 11,
    DSGI_TT_STRUCT = 12
};

#define DSGI_THRIFT_DEPTH 16

typedef struct dsgi_thrift {
    dsgi_buf *out;
    int depth;
    int16_t last_id[DSGI_THRIFT_DEPTH];
    dsg_status status;
    dsg_error *err;
} dsgi_thrift;

void dsgi_thrift_init(dsgi_thrift *t, dsgi_buf *out, dsg_error *err);

void dsgi_thrift_varint(dsgi_thrift *t, uint64_t v);
/* Field header; for booleans use dsgi_thrift_field_bool. */
void dsgi_thrift_field(dsgi_thrift *t, int16_t id, int type);
void dsgi_thrift_struct_begin(dsgi_thrift *t);
/* Writes the stop byte and leaves the struct. */
void dsgi_thrift_struct_end(dsgi_thrift *t);
void dsgi_thrift_list_begin(dsgi_thrift *t, int elem_type, uint32_t size);

void dsgi_thrift_field_i32(dsgi_thrift *t, int16_t id, int32_t v);
void dsgi_thrift_field_i64(dsgi_thrift *t, int16_t id, int64_t v);
void dsgi_thrift_field_i16(dsgi_thrift *t, int16_t id, int16_t v);
void dsgi_thrift_field_i8(dsgi_thrift *t, int16_t id, int8_t v);
void dsgi_thrift_field_bool(dsgi_thrift *t, int16_t id, int v);
void dsgi_thrift_field_binary(dsgi_thrift *t, int16_t id, const void *p, size_t n);
void dsgi_thrift_field_string(dsgi_thrift *t, int16_t id, const char *s);
/* A field holding an empty struct (used for unions such as StringType). */
void dsgi_thrift_field_empty_struct(dsgi_thrift *t, int16_t id);

/* List elements (no field header). */
void dsgi_thrift_i32(dsgi_thrift *t, int32_t v);
void dsgi_thrift_i64(dsgi_thrift *t, int64_t v);
void dsgi_thrift_binary(dsgi_thrift *t, const void *p, size_t n);
void dsgi_thrift_bool(dsgi_thrift *t, int v);

static inline uint64_t dsgi_zigzag64(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

#endif
