/*
 * test_avro.c - the Avro codec of lib/table/avro.c: the binary encoding
 * against byte strings from the Avro specification's rules, container
 * files round-tripped through both codecs, projection by field id, and
 * malformed input refused. (tests/python/test_iceberg.py reads our real
 * manifests with fastavro, an independent reader.)
 */
#include "table/avro.h"
#include "test_util.h"

static const char *schema_json =
    "{\"type\":\"record\",\"name\":\"manifest_file\",\"fields\":["
    "{\"name\":\"path\",\"type\":\"string\",\"field-id\":500},"
    "{\"name\":\"n\",\"type\":\"long\",\"field-id\":501},"
    "{\"name\":\"i\",\"type\":[\"null\",\"int\"],\"default\":null,\"field-id\":502},"
    "{\"name\":\"d\",\"type\":[\"null\",{\"type\":\"int\",\"logicalType\":\"date\"}],\"field-id\":503},"
    "{\"name\":\"ok\",\"type\":\"boolean\",\"field-id\":504},"
    "{\"name\":\"x\",\"type\":\"double\",\"field-id\":505},"
    "{\"name\":\"f\",\"type\":\"float\",\"field-id\":506},"
    "{\"name\":\"counts\",\"type\":[\"null\",{\"type\":\"array\",\"logicalType\":\"map\",\"items\":"
    "{\"type\":\"record\",\"name\":\"k1_v2\",\"fields\":[{\"name\":\"key\",\"type\":\"int\",\"field-id\":1},"
    "{\"name\":\"value\",\"type\":\"long\",\"field-id\":2}]}}],\"default\":null,\"field-id\":507},"
    "{\"name\":\"props\",\"type\":{\"type\":\"map\",\"values\":\"bytes\"},\"field-id\":508},"
    "{\"name\":\"fx\",\"type\":{\"type\":\"fixed\",\"name\":\"f3\",\"size\":3},\"field-id\":509},"
    "{\"name\":\"fx2\",\"type\":\"f3\",\"field-id\":510}"
    "]}";

static void check_varints(void)
{
    static const struct {
        int64_t v;
        uint8_t b[10];
        size_t n;
    } cases[] = {
        {0, {0x00}, 1},         {-1, {0x01}, 1},        {1, {0x02}, 1},
        {-64, {0x7f}, 1},       {64, {0x80, 0x01}, 2},  {300, {0xd8, 0x04}, 2},
        {INT64_MAX, {0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, 10},
        {INT64_MIN, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, 10},
    };
    dsgt_arena a;
    dsgt_arena_init(&a);
    const dsgt_avro_schema *s;
    CHECK(dsgt_avro_schema_parse(&a, "\"long\"", 6, &s, NULL) == DSG_OK);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dsgi_buf b;
        dsgi_buf_init(&b, 1 << 20);
        dsgt_avro_value v = dsgt_avro_long(DSGT_AVRO_LONG, cases[i].v);
        CHECK(dsgt_avro_encode(&b, s, &v, NULL) == DSG_OK);
        CHECK_BYTES(b.data, b.len, cases[i].b, cases[i].n);
        dsgi_buf_free(&b);
    }
    /* a string: length then bytes; a union: branch index then value */
    const dsgt_avro_schema *u;
    CHECK(dsgt_avro_schema_parse(&a, "[\"null\",\"string\"]", 17, &u, NULL) == DSG_OK);
    dsgi_buf b;
    dsgi_buf_init(&b, 1 << 20);
    dsgt_avro_value sv = dsgt_avro_str("foo");
    CHECK(dsgt_avro_encode(&b, u, &sv, NULL) == DSG_OK);
    dsgt_avro_value nv = dsgt_avro_null();
    CHECK(dsgt_avro_encode(&b, u, &nv, NULL) == DSG_OK);
    static const uint8_t want[] = {0x02, 0x06, 'f', 'o', 'o', 0x00};
    CHECK_BYTES(b.data, b.len, want, sizeof want);
    /* an int out of range does not fit */
    const dsgt_avro_schema *is;
    CHECK(dsgt_avro_schema_parse(&a, "\"int\"", 5, &is, NULL) == DSG_OK);
    dsgt_avro_value big = dsgt_avro_long(DSGT_AVRO_LONG, (int64_t)1 << 40);
    dsg_error err;
    CHECK(dsgt_avro_encode(&b, is, &big, &err) == DSG_EINVAL);
    dsgi_buf_free(&b);
    dsgt_arena_free(&a);
}

static dsgt_avro_value make_record(dsgt_arena *a, const dsgt_avro_schema *s, int64_t k)
{
    dsgt_avro_value *r = dsgt_avro_record_new(a, s);
    CHECK(r);
    char *path = dsgt_arena_alloc(a, 64);
    snprintf(path, 64, "s3://bucket/path/file-%lld.avro", (long long)k);
    dsgt_avro_record_set(r, "path", dsgt_avro_str(path));
    dsgt_avro_record_set(r, "n", dsgt_avro_long(DSGT_AVRO_LONG, k * 1000003 - 77));
    dsgt_avro_record_set(r, "i", k % 3 ? dsgt_avro_long(DSGT_AVRO_INT, -k) : dsgt_avro_null());
    dsgt_avro_record_set(r, "d", dsgt_avro_long(DSGT_AVRO_INT, 19723 + k));
    dsgt_avro_record_set(r, "ok", dsgt_avro_long(DSGT_AVRO_BOOLEAN, k & 1));
    dsgt_avro_value x = dsgt_avro_null();
    x.type = DSGT_AVRO_DOUBLE;
    x.d = (double)k / 7.0;
    dsgt_avro_record_set(r, "x", x);
    x.type = DSGT_AVRO_FLOAT;
    x.d = 0.5 * (double)k;
    dsgt_avro_record_set(r, "f", x);
    const dsgt_avro_schema *kv = dsgt_avro_field_find(s, "counts")->schema->branches[1]->items;
    dsgt_avro_value arr = dsgt_avro_null();
    arr.type = DSGT_AVRO_ARRAY;
    arr.n = (size_t)(k % 4);
    arr.items = dsgt_arena_alloc(a, 4 * sizeof *arr.items);
    for (size_t j = 0; j < arr.n; j++) {
        dsgt_avro_value *e = dsgt_avro_record_new(a, kv);
        dsgt_avro_record_set(e, "key", dsgt_avro_long(DSGT_AVRO_INT, (int64_t)j + 1));
        dsgt_avro_record_set(e, "value", dsgt_avro_long(DSGT_AVRO_LONG, k * 10 + (int64_t)j));
        arr.items[j] = *e;
    }
    dsgt_avro_record_set(r, "counts", arr);
    dsgt_avro_value m = dsgt_avro_null();
    m.type = DSGT_AVRO_MAP;
    m.n = 2;
    m.keys = dsgt_arena_alloc(a, 2 * sizeof *m.keys);
    m.items = dsgt_arena_alloc(a, 2 * sizeof *m.items);
    m.keys[0] = "a";
    m.keys[1] = "bee";
    m.items[0] = dsgt_avro_bytes(DSGT_AVRO_BYTES, "\x00\x01", 2);
    m.items[1] = dsgt_avro_bytes(DSGT_AVRO_BYTES, "", 0);
    dsgt_avro_record_set(r, "props", m);
    dsgt_avro_record_set(r, "fx", dsgt_avro_bytes(DSGT_AVRO_FIXED, "xyz", 3));
    dsgt_avro_record_set(r, "fx2", dsgt_avro_bytes(DSGT_AVRO_FIXED, "abc", 3));
    return *r;
}

static void check_record(const dsgt_avro_value *r, int64_t k)
{
    char path[64];
    snprintf(path, sizeof path, "s3://bucket/path/file-%lld.avro", (long long)k);
    CHECK(strcmp((const char *)dsgt_avro_record_get(r, "path")->p, path) == 0);
    CHECK(dsgt_avro_record_get(r, "n")->l == k * 1000003 - 77);
    const dsgt_avro_value *i = dsgt_avro_record_get(r, "i");
    if (k % 3)
        CHECK(i->type == DSGT_AVRO_INT && i->l == -k);
    else
        CHECK(i->type == DSGT_AVRO_NULL);
    CHECK(dsgt_avro_record_get(r, "d")->l == 19723 + k);
    CHECK(dsgt_avro_record_get(r, "ok")->l == (k & 1));
    CHECK(dsgt_avro_record_get(r, "x")->d == (double)k / 7.0);
    CHECK(dsgt_avro_record_get(r, "f")->d == 0.5 * (double)k);
    const dsgt_avro_value *c = dsgt_avro_record_get(r, "counts");
    CHECK(c->type == DSGT_AVRO_ARRAY && c->n == (size_t)(k % 4));
    for (size_t j = 0; j < c->n; j++) {
        CHECK(dsgt_avro_record_get(&c->items[j], "key")->l == (int64_t)j + 1);
        CHECK(dsgt_avro_record_get(&c->items[j], "value")->l == k * 10 + (int64_t)j);
    }
    const dsgt_avro_value *m = dsgt_avro_record_get(r, "props");
    CHECK(m->type == DSGT_AVRO_MAP && m->n == 2 && strcmp(m->keys[1], "bee") == 0);
    CHECK(m->items[0].len == 2 && m->items[0].p[1] == 1 && m->items[1].len == 0);
    CHECK(memcmp(dsgt_avro_record_get(r, "fx")->p, "xyz", 3) == 0);
    CHECK(memcmp(dsgt_avro_record_get(r, "fx2")->p, "abc", 3) == 0);
}

static void check_container(dsgt_avro_codec codec, size_t n)
{
    dsgt_arena a;
    dsgt_arena_init(&a);
    static const uint8_t sync[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    dsg_kv meta[] = {{"format-version", "2"}, {"content", "data"}};
    dsgt_avro_writer w;
    dsg_error err;
    CHECK(dsgt_avro_writer_init(&w, &a, schema_json, meta, 2, codec, sync, &err) == DSG_OK);
    for (size_t k = 0; k < n; k++) {
        dsgt_avro_value r = make_record(&a, w.schema, (int64_t)k);
        CHECKF(dsgt_avro_writer_append(&w, &r, &err) == DSG_OK, "%s", err.message);
    }
    CHECK(dsgt_avro_writer_finish(&w, &err) == DSG_OK);

    dsgt_arena ra;
    dsgt_arena_init(&ra);
    dsgt_avro_file f;
    CHECKF(dsgt_avro_read(&ra, w.out.data, w.out.len, &f, &err) == DSG_OK, "%s", err.message);
    CHECK(f.n_records == n);
    CHECK(strcmp(dsgt_avro_file_meta(&f, "content"), "data") == 0);
    CHECK(strcmp(dsgt_avro_file_meta(&f, "avro.codec"),
                 codec == DSGT_AVRO_CODEC_DEFLATE ? "deflate" : "null") == 0);
    CHECK(strcmp(dsgt_avro_file_meta(&f, "avro.schema"), schema_json) == 0);
    CHECK(dsgt_avro_field_find(f.schema, "counts")->field_id == 507);
    for (size_t k = 0; k < n; k++)
        check_record(&f.records[k], (int64_t)k);

    /* projection by field id into a schema with renamed, reordered,
     * missing and added fields */
    const char *to_json =
        "{\"type\":\"record\",\"name\":\"t\",\"fields\":["
        "{\"name\":\"count\",\"type\":\"long\",\"field-id\":501},"
        "{\"name\":\"p\",\"type\":\"string\",\"field-id\":500},"
        "{\"name\":\"added\",\"type\":\"long\",\"field-id\":600},"
        "{\"name\":\"opt\",\"type\":[\"null\",\"string\"],\"field-id\":601}]}";
    const dsgt_avro_schema *to;
    CHECK(dsgt_avro_schema_parse(&ra, to_json, strlen(to_json), &to, NULL) == DSG_OK);
    if (n > 5) {
        dsgt_avro_value p;
        CHECK(dsgt_avro_project(&ra, &f.records[5], to, &p, &err) == DSG_OK);
        CHECK(dsgt_avro_record_get(&p, "count")->l == 5 * 1000003 - 77);
        CHECK(strstr((const char *)dsgt_avro_record_get(&p, "p")->p, "file-5.avro"));
        CHECK(dsgt_avro_record_get(&p, "added")->l == 0);
        CHECK(dsgt_avro_record_get(&p, "opt")->type == DSGT_AVRO_NULL);
    }

    /* every truncation of the file is refused or yields fewer records,
     * never a crash (ASan watches) */
    for (size_t cut = 0; cut < w.out.len; cut += 1 + w.out.len / 97) {
        dsgt_arena ta;
        dsgt_arena_init(&ta);
        dsgt_avro_file tf;
        dsg_status st = dsgt_avro_read(&ta, w.out.data, cut, &tf, &err);
        CHECK(st == DSG_EINVAL || (st == DSG_OK && tf.n_records < n) || (n == 0 && st == DSG_OK));
        dsgt_arena_free(&ta);
    }
    /* a flipped sync marker in the last block is refused */
    if (n) {
        uint8_t *copy = malloc(w.out.len);
        memcpy(copy, w.out.data, w.out.len);
        copy[w.out.len - 1] ^= 0xff;
        dsgt_arena ta;
        dsgt_arena_init(&ta);
        dsgt_avro_file tf;
        CHECK(dsgt_avro_read(&ta, copy, w.out.len, &tf, &err) == DSG_EINVAL);
        dsgt_arena_free(&ta);
        free(copy);
    }
    dsgt_arena_free(&ra);
    dsgt_avro_writer_free(&w);
    dsgt_arena_free(&a);
}

static void check_bad_schemas(void)
{
    static const char *bad[] = {
        "", "{", "{\"type\":\"record\"}", "{\"type\":\"record\",\"name\":\"r\"}",
        "[]", "\"nosuchtype\"", "{\"type\":\"array\"}", "[[\"int\"]]", "42",
        "{\"type\":\"fixed\",\"name\":\"f\",\"size\":-1}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        dsgt_arena a;
        dsgt_arena_init(&a);
        const dsgt_avro_schema *s;
        dsg_error err;
        CHECKF(dsgt_avro_schema_parse(&a, bad[i], strlen(bad[i]), &s, &err) == DSG_EINVAL, "%s",
               bad[i]);
        dsgt_arena_free(&a);
    }
}

int main(void)
{
    check_varints();
    check_container(DSGT_AVRO_CODEC_NULL, 0);
    check_container(DSGT_AVRO_CODEC_NULL, 50);
    check_container(DSGT_AVRO_CODEC_DEFLATE, 50);
    /* more than one block (blocks flush at 1 MiB) */
    check_container(DSGT_AVRO_CODEC_DEFLATE, 12000);
    check_bad_schemas();
    printf("test_avro: ok\n");
    return 0;
}
