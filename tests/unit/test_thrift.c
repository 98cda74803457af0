/*
 * test_thrift.c - the Thrift compact protocol encoder against byte
 * sequences computed by hand from the specification
 * (thrift/doc/specs/thrift-compact-protocol.md).
 */
#include "parquet/thrift.h"
#include "test_util.h"

#include <stdint.h>

typedef struct enc {
    dsgi_buf buf;
    dsgi_thrift t;
    dsg_error err;
} enc;

static void enc_init(enc *e, size_t max)
{
    dsgi_buf_init(&e->buf, max);
    dsg_error_clear(&e->err);
    dsgi_thrift_init(&e->t, &e->buf, &e->err);
}

/* Checks the bytes written and frees the buffer. */
#define EXPECT(e, ...)                                                         \
    do {                                                                       \
        static const uint8_t want_[] = {__VA_ARGS__};                          \
        CHECKF((e)->t.status == DSG_OK, "status %d: %s", (e)->t.status,        \
               (e)->err.message);                                              \
        CHECK_BYTES((e)->buf.data, (e)->buf.len, want_, sizeof want_);         \
        dsgi_buf_free(&(e)->buf);                                              \
    } while (0)

static void test_field_headers(void)
{
    enc e;
    /* ids 1, 2, 17 (delta 15: still short), 40 (jump 23: long form), 41 */
    enc_init(&e, 1024);
    dsgi_thrift_struct_begin(&e.t);
    dsgi_thrift_field_i32(&e.t, 1, 0);
    dsgi_thrift_field_i32(&e.t, 2, 1);
    dsgi_thrift_field_i32(&e.t, 17, -1);
    dsgi_thrift_field_i32(&e.t, 40, 2);
    dsgi_thrift_field_i32(&e.t, 41, 3);
    dsgi_thrift_struct_end(&e.t);
    EXPECT(&e, 0x15, 0x00, 0x15, 0x02, 0xF5, 0x01, 0x05, 0x50, 0x04, 0x15, 0x06, 0x00);

    /* decreasing and repeated ids use the long form: type, zigzag(id) */
    enc_init(&e, 1024);
    dsgi_thrift_struct_begin(&e.t);
    dsgi_thrift_field_i32(&e.t, 5, 7);
    dsgi_thrift_field_i32(&e.t, 3, 7);
    dsgi_thrift_field_i32(&e.t, 3, 7);
    dsgi_thrift_field_i32(&e.t, 4, 7);
    dsgi_thrift_struct_end(&e.t);
    EXPECT(&e, 0x55, 0x0E, 0x05, 0x06, 0x0E, 0x05, 0x06, 0x0E, 0x15, 0x0E, 0x00);

    /* a first id of 16 cannot be a delta from 0 */
    enc_init(&e, 1024);
    dsgi_thrift_struct_begin(&e.t);
    dsgi_thrift_field_i64(&e.t, 16, 1);
    dsgi_thrift_struct_end(&e.t);
    EXPECT(&e, 0x06, 0x20, 0x02, 0x00);
}

static void test_integers(void)
{
    enc e;
    enc_init(&e, 1024);
    dsgi_thrift_i32(&e.t, 0);
    dsgi_thrift_i32(&e.t, -1);
    dsgi_thrift_i32(&e.t, 1);
    dsgi_thrift_i32(&e.t, -64);
    dsgi_thrift_i32(&e.t, 64);
    dsgi_thrift_i32(&e.t, INT32_MAX);
    dsgi_thrift_i32(&e.t, INT32_MIN);
    EXPECT(&e, 0x00, 0x01, 0x02, 0x7F, 0x80, 0x01, 0xFE, 0xFF, 0xFF, 0xFF, 0x0F, 0xFF, 0xFF, 0xFF,
           0xFF, 0x0F);

    enc_init(&e, 1024);
    dsgi_thrift_i64(&e.t, INT64_MAX);
    dsgi_thrift_i64(&e.t, INT64_MIN);
    dsgi_thrift_i64(&e.t, (int64_t)1 << 32);
    EXPECT(&e, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, /* max */
           0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01,       /* min */
           0x80, 0x80, 0x80, 0x80, 0x20);                                   /* 2^33 */

    /* i8 is one raw byte; i16 a zigzag varint */
    enc_init(&e, 1024);
    dsgi_thrift_struct_begin(&e.t);
    dsgi_thrift_field_i8(&e.t, 1, -2);
    dsgi_thrift_field_i16(&e.t, 2, -300);
    dsgi_thrift_field_i16(&e.t, 3, INT16_MAX);
    dsgi_thrift_struct_end(&e.t);
    EXPECT(&e, 0x13, 0xFE, 0x14, 0xD7, 0x04, 0x14, 0xFE, 0xFF, 0x03, 0x00);

    CHECK(dsgi_zigzag64(INT64_MIN) == UINT64_MAX);
    CHECK(dsgi_zigzag64(-3) == 5);
}

static void test_bool_and_binary(void)
{
    enc e;
    /* bool fields carry the value in the header's type nibble */
    enc_init(&e, 1024);
    dsgi_thrift_struct_begin(&e.t);
    dsgi_thrift_field_bool(&e.t, 1, 1);
    dsgi_thrift_field_bool(&e.t, 2, 0);
    dsgi_thrift_field_bool(&e.t, 30, 7);
    dsgi_thrift_struct_end(&e.t);
    EXPECT(&e, 0x11, 0x12, 0x01, 0x3C, 0x00);

    enc_init(&e, 1024);
    dsgi_thrift_struct_begin(&e.t);
    dsgi_thrift_field_string(&e.t, 4, "abc");
    dsgi_thrift_field_binary(&e.t, 5, "", 0);
    dsgi_thrift_field_binary(&e.t, 6, "\x00\xff", 2);
    dsgi_thrift_struct_end(&e.t);
    EXPECT(&e, 0x48, 0x03, 'a', 'b', 'c', 0x18, 0x00, 0x18, 0x02, 0x00, 0xFF, 0x00);

    /* a 200-byte binary has a two-byte length */
    uint8_t big[200];
    memset(big, 'x', sizeof big);
    enc_init(&e, 1024);
    dsgi_thrift_binary(&e.t, big, sizeof big);
    CHECK(e.t.status == DSG_OK);
    CHECK(e.buf.len == 202 && e.buf.data[0] == 0xC8 && e.buf.data[1] == 0x01);
    CHECK(memcmp(e.buf.data + 2, big, sizeof big) == 0);
    dsgi_buf_free(&e.buf);
}

static void test_lists(void)
{
    enc e;
    /* short form: size in the high nibble */
    enc_init(&e, 1024);
    dsgi_thrift_list_begin(&e.t, DSGI_TT_I32, 0);
    dsgi_thrift_list_begin(&e.t, DSGI_TT_I32, 3);
    dsgi_thrift_i32(&e.t, 1);
    dsgi_thrift_i32(&e.t, 2);
    dsgi_thrift_i32(&e.t, 3);
    dsgi_thrift_list_begin(&e.t, DSGI_TT_STRUCT, 14);
    EXPECT(&e, 0x05, 0x35, 0x02, 0x04, 0x06, 0xEC);

    /* long form from 15 elements: 0xF0 | type, then a varint size */
    enc_init(&e, 1024);
    dsgi_thrift_list_begin(&e.t, DSGI_TT_BINARY, 15);
    dsgi_thrift_list_begin(&e.t, DSGI_TT_I64, 300);
    EXPECT(&e, 0xF8, 0x0F, 0xF6, 0xAC, 0x02);

    /* bool elements are one byte each: 1 true, 2 false */
    enc_init(&e, 1024);
    dsgi_thrift_struct_begin(&e.t);
    dsgi_thrift_field(&e.t, 1, DSGI_TT_LIST);
    dsgi_thrift_list_begin(&e.t, DSGI_TT_BOOL_TRUE, 2);
    dsgi_thrift_bool(&e.t, 1);
    dsgi_thrift_bool(&e.t, 0);
    dsgi_thrift_field(&e.t, 2, DSGI_TT_LIST);
    dsgi_thrift_list_begin(&e.t, DSGI_TT_BINARY, 1);
    dsgi_thrift_binary(&e.t, "z", 1);
    dsgi_thrift_struct_end(&e.t);
    EXPECT(&e, 0x19, 0x21, 0x01, 0x02, 0x19, 0x18, 0x01, 'z', 0x00);
}

static void test_nesting(void)
{
    enc e;
    /* field ids restart at 0 inside a nested struct and resume after it */
    enc_init(&e, 1024);
    dsgi_thrift_struct_begin(&e.t);
    dsgi_thrift_field_i32(&e.t, 3, 1);
    dsgi_thrift_field(&e.t, 5, DSGI_TT_STRUCT);
    dsgi_thrift_struct_begin(&e.t);
    dsgi_thrift_field_i32(&e.t, 1, 1);
    dsgi_thrift_field(&e.t, 2, DSGI_TT_STRUCT);
    dsgi_thrift_struct_begin(&e.t);
    dsgi_thrift_field_i32(&e.t, 4, 1);
    dsgi_thrift_struct_end(&e.t);
    dsgi_thrift_field_i32(&e.t, 3, 1);
    dsgi_thrift_struct_end(&e.t);
    dsgi_thrift_field_i32(&e.t, 6, 1);
    dsgi_thrift_struct_end(&e.t);
    EXPECT(&e, 0x35, 0x02, 0x2C, 0x15, 0x02, 0x1C, 0x45, 0x02, 0x00, 0x15, 0x02, 0x00, 0x15, 0x02,
           0x00);

    /* list elements that are structs restart their ids too */
    enc_init(&e, 1024);
    dsgi_thrift_struct_begin(&e.t);
    dsgi_thrift_field(&e.t, 4, DSGI_TT_LIST);
    dsgi_thrift_list_begin(&e.t, DSGI_TT_STRUCT, 2);
    for (int i = 0; i < 2; i++) {
        dsgi_thrift_struct_begin(&e.t);
        dsgi_thrift_field_i64(&e.t, 2, i);
        dsgi_thrift_struct_end(&e.t);
    }
    dsgi_thrift_field_i32(&e.t, 5, 0);
    dsgi_thrift_struct_end(&e.t);
    EXPECT(&e, 0x49, 0x2C, 0x26, 0x00, 0x00, 0x26, 0x02, 0x00, 0x15, 0x00, 0x00);

    /* an empty struct is a header and a stop byte */
    enc_init(&e, 1024);
    dsgi_thrift_struct_begin(&e.t);
    dsgi_thrift_field_empty_struct(&e.t, 1);
    dsgi_thrift_field_empty_struct(&e.t, 3);
    dsgi_thrift_struct_end(&e.t);
    EXPECT(&e, 0x1C, 0x00, 0x2C, 0x00, 0x00);

    enc_init(&e, 1024);
    dsgi_thrift_struct_begin(&e.t);
    dsgi_thrift_struct_end(&e.t);
    EXPECT(&e, 0x00);
}

static void test_errors(void)
{
    enc e;
    /* the buffer limit fails the write; the error sticks and nothing
     * more is appended */
    enc_init(&e, 8);
    dsgi_thrift_i32(&e.t, 1);
    dsgi_thrift_binary(&e.t, "0123456789", 10);
    CHECK(e.t.status == DSG_ENOMEM && e.err.status == DSG_ENOMEM && e.err.message[0] != '\0');
    size_t len = e.buf.len;
    dsgi_thrift_i32(&e.t, 1);
    dsgi_thrift_struct_end(&e.t);
    CHECK(e.t.status == DSG_ENOMEM && e.buf.len == len);
    dsgi_buf_free(&e.buf);

    /* nesting beyond the limit is refused, not a write past last_id[] */
    enc_init(&e, 1024);
    for (int i = 0; i < DSGI_THRIFT_DEPTH + 2; i++)
        dsgi_thrift_struct_begin(&e.t);
    CHECK(e.t.status == DSG_EINTERNAL);
    CHECK(e.t.depth < DSGI_THRIFT_DEPTH);
    dsgi_buf_free(&e.buf);
}

int main(void)
{
    test_field_headers();
    test_integers();
    test_bool_and_binary();
    test_lists();
    test_nesting();
    test_errors();
    printf("test_thrift: ok\n");
    return 0;
}
